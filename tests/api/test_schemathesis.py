"""schemathesis against the published OpenAPI document: no request, valid or not, gets a 5xx.

Every operation is fuzzed with schema-valid (positive) and schema-violating (negative)
requests. Path identifiers are half the time those of real objects created first, so
updates, deletes, tag and rule operations reach the resource code and not only its 404.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable

from ovntwin.api.app import create_app

EXAMPLES_PER_MODE = 16
MIN_REQUESTS = 2000


@pytest.fixture
def seeded(tmp_path: Path) -> Iterator[tuple[FastAPI, dict[str, list[str]]]]:
    app = create_app(f"sqlite:///{tmp_path / 'fuzz.db'}")
    with TestClient(app) as client:
        yield app, _seed(client)


def _post(client: TestClient, path: str, key: str, body: dict[str, Any]) -> str:
    answer = client.post(path, json={key: body})
    assert answer.status_code == 201, answer.text
    return str(answer.json()[key]["id"])


def _seed(client: TestClient) -> dict[str, list[str]]:
    """One object of each kind; the ids fuzzed path parameters may take."""
    net = _post(client, "/v2.0/networks", "network", {"name": "n"})
    subnet = _post(client, "/v2.0/subnets", "subnet",
                   {"network_id": net, "cidr": "10.9.0.0/24", "ip_version": 4})  # fmt: skip
    port = _post(client, "/v2.0/ports", "port", {"network_id": net})
    group = _post(client, "/v2.0/security-groups", "security_group", {"name": "g"})
    rule = _post(client, "/v2.0/security-group-rules", "security_group_rule",
                 {"security_group_id": group, "direction": "ingress"})  # fmt: skip
    policy = _post(client, "/v2.0/qos/policies", "policy", {"name": "p"})
    limit = _post(client, f"/v2.0/qos/policies/{policy}/bandwidth_limit_rules",
                  "bandwidth_limit_rule", {"max_kbps": 3000})  # fmt: skip
    ext = _post(client, "/v2.0/networks", "network", {"name": "ext", "router:external": True})
    _post(client, "/v2.0/subnets", "subnet",
          {"network_id": ext, "cidr": "172.24.9.0/24", "ip_version": 4})  # fmt: skip
    router = _post(client, "/v2.0/routers", "router",
                   {"name": "r", "external_gateway_info": {"network_id": ext}})  # fmt: skip
    fip = _post(client, "/v2.0/floatingips", "floatingip", {"floating_network_id": ext})
    return {
        "routers": [router], "floatingips": [fip],
        "networks": [net, ext], "subnets": [subnet], "ports": [port], "security-groups": [group],
        "security-group-rules": [rule], "policies": [policy], "rules": [limit],
        "tags": ["red"], "rule_type": ["bandwidth_limit"],
    }  # fmt: skip


def _known_ids(case: Any, ids: dict[str, list[str]], rng: random.Random) -> None:
    """Half the time, point path parameters at real objects of the right collection."""
    if not case.path_parameters or rng.random() < 0.5:
        return
    parts = case.path.split("/")
    for name in list(case.path_parameters):
        slot = parts.index("{" + name + "}")
        collection = parts[slot - 1]
        key = {"policy_id": "policies", "tag": "tags", "rule_type": "rule_type"}.get(name, "")
        if name == "rule_id":
            key = "rules"
        pool = ids.get(key or collection)
        if pool:
            case.path_parameters[name] = rng.choice(pool)


def _check(case: Any, status: int, text: str) -> None:
    where = f"{case.method} {case.formatted_path} query={case.query!r} body={case.body!r}"
    assert status < 500, f"{status} for {where}: {text[:300]}"
    if status >= 400 and status != 405:
        error = json.loads(text).get("NeutronError")
        assert isinstance(error, dict) and error.get("type") and error.get("message"), (
            f"{status} without a NeutronError body for {where}: {text[:300]}"
        )


def test_no_server_errors_for_generated_requests(
    seeded: tuple[FastAPI, dict[str, list[str]]],
) -> None:
    app, ids = seeded
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    rng = random.Random(5)
    sent = [0]
    for found in schema.get_all_operations():
        operation = found.ok()
        for mode in schemathesis.GenerationMode:

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=EXAMPLES_PER_MODE,
                deadline=None,
                database=None,
                derandomize=True,
                suppress_health_check=list(HealthCheck),
            )
            def fuzz(case: Any) -> None:
                _known_ids(case, ids, rng)
                response = case.call()
                sent[0] += 1
                _check(case, response.status_code, response.text)

            try:
                fuzz()
            except Unsatisfiable:
                # an operation with nothing to violate (no body, no typed parameter)
                assert mode is schemathesis.GenerationMode.NEGATIVE
    print(f"{sent[0]} generated requests, none answered 5xx")
    assert sent[0] >= MIN_REQUESTS, f"only {sent[0]} generated requests"
