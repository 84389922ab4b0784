"""20 concurrent clients against a real `ovntwin serve` (uvicorn) lose no update; parallel
creates all succeed; one default security group per project. On SQLite and PostgreSQL."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.exc import StaleDataError

from ovntwin.api import resource

from .live import LiveServer, start_server

CLIENTS = 20
T = TypeVar("T")


@pytest.fixture
def server(db_url: str, tmp_path: Path) -> Iterator[LiveServer]:
    live = start_server(db_url, tmp_path / "serve.log")
    yield live
    live.stop()


def _parallel(n: int, work: Callable[[httpx.Client, int], T], url: str) -> list[T]:
    """Run work(client, i) for i < n, each on its own thread and connection."""

    def one(i: int) -> T:
        with httpx.Client(base_url=url, timeout=120.0) as c:
            return work(c, i)

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(one, range(n)))


def _ok(r: httpx.Response, status: int = 200) -> dict[str, Any]:
    assert r.status_code == status, r.text
    return r.json() if r.content else {}


def _network(url: str) -> dict[str, Any]:
    r = httpx.post(f"{url}/v2.0/networks", json={"network": {"name": "n"}})
    return _ok(r, 201)["network"]  # type: ignore[no-any-return]


def test_concurrent_tag_adds_lose_none(server: LiveServer) -> None:
    net = _network(server.url)
    base = f"/v2.0/networks/{net['id']}"

    def add(c: httpx.Client, i: int) -> int:
        return c.put(f"{base}/tags/client-{i}").status_code

    assert _parallel(CLIENTS, add, server.url) == [201] * CLIENTS
    final = _ok(httpx.get(server.url + base))["network"]
    assert sorted(final["tags"]) == sorted(f"client-{i}" for i in range(CLIENTS))
    assert final["revision_number"] == net["revision_number"] + CLIENTS


def test_concurrent_updates_without_if_match_all_apply(server: LiveServer) -> None:
    net = _network(server.url)
    base = f"/v2.0/networks/{net['id']}"

    def rename(c: httpx.Client, i: int) -> int:
        r = c.put(base, json={"network": {"name": f"n{i}"}})
        return int(_ok(r)["network"]["revision_number"])

    revisions = _parallel(CLIENTS, rename, server.url)
    # every update applied on its own revision: 1..20, no two saw the same one
    assert sorted(revisions) == list(range(1, CLIENTS + 1))
    assert _ok(httpx.get(server.url + base))["network"]["revision_number"] == CLIENTS


def test_if_match_read_modify_write_loses_nothing(server: LiveServer) -> None:
    net = _network(server.url)
    base = f"/v2.0/networks/{net['id']}"

    def append(c: httpx.Client, i: int) -> int:
        conflicts = 0
        while True:
            seen = _ok(c.get(base))["network"]
            desc = f"{seen['description']}[{i}]"
            match = {"If-Match": f"revision_number={seen['revision_number']}"}
            r = c.put(base, json={"network": {"description": desc}}, headers=match)
            if r.status_code == 200:
                return conflicts
            assert r.status_code == 412, r.text
            assert r.json()["NeutronError"]["type"] == "RevisionNumberConstraintFailed"
            conflicts += 1

    _parallel(CLIENTS, append, server.url)
    final = _ok(httpx.get(server.url + base))["network"]
    assert final["revision_number"] == net["revision_number"] + CLIENTS
    assert sorted(final["description"].strip("[]").split("][")) == sorted(
        str(i) for i in range(CLIENTS)
    )


def test_concurrent_qos_rule_updates_bump_the_policy_once_each(server: LiveServer) -> None:
    pol = _ok(httpx.post(f"{server.url}/v2.0/qos/policies", json={"policy": {"name": "bw"}}), 201)
    pid = pol["policy"]["id"]
    rules = f"/v2.0/qos/policies/{pid}/bandwidth_limit_rules"
    rule = _ok(
        httpx.post(server.url + rules, json={"bandwidth_limit_rule": {"max_kbps": 3000}}), 201
    )
    rid = rule["bandwidth_limit_rule"]["id"]
    before = _ok(httpx.get(f"{server.url}/v2.0/qos/policies/{pid}"))["policy"]["revision_number"]

    def update(c: httpx.Client, i: int) -> int:
        body = {"bandwidth_limit_rule": {"max_kbps": 5000 + i, "max_burst_kbps": 500}}
        return c.put(f"{rules}/{rid}", json=body).status_code

    assert _parallel(CLIENTS, update, server.url) == [200] * CLIENTS
    after = _ok(httpx.get(f"{server.url}/v2.0/qos/policies/{pid}"))["policy"]["revision_number"]
    assert after == before + CLIENTS


def test_parallel_port_creates_all_succeed_with_distinct_addresses(server: LiveServer) -> None:
    net = _network(server.url)
    subnet = {"network_id": net["id"], "ip_version": 4, "cidr": "10.9.0.0/24"}
    _ok(httpx.post(f"{server.url}/v2.0/subnets", json={"subnet": subnet}), 201)
    count = 60

    def create(c: httpx.Client, i: int) -> dict[str, Any]:
        r = c.post("/v2.0/ports", json={"port": {"network_id": net["id"], "name": f"p{i}"}})
        return _ok(r, 201)["port"]  # type: ignore[no-any-return]

    ports = _parallel(count, create, server.url)
    ips = {p["fixed_ips"][0]["ip_address"] for p in ports}
    macs = {p["mac_address"] for p in ports}
    assert len(ips) == count and len(macs) == count
    listed = _ok(httpx.get(f"{server.url}/v2.0/ports", params={"network_id": net["id"]}))
    assert len(listed["ports"]) == count


def test_one_default_security_group_per_project_under_races(server: LiveServer) -> None:
    headers = {"X-Project-Id": "racer"}

    def first_sight(c: httpx.Client, _i: int) -> list[str]:
        groups = _ok(c.get("/v2.0/security-groups", headers=headers))["security_groups"]
        return [g["id"] for g in groups if g["name"] == "default"]

    seen = _parallel(CLIENTS, first_sight, server.url)
    assert all(len(ids) == 1 for ids in seen)
    assert len({ids[0] for ids in seen}) == 1


def test_retriable_errors_rerun_then_answer_409(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    net = client.post("/v2.0/networks", json={"network": {"name": "n"}}).json()["network"]
    real_update, calls = resource.update, []

    def flaky(*args: Any) -> Any:
        calls.append(1)
        if len(calls) < 3:  # two lost races, then the re-run from scratch succeeds
            raise OperationalError("UPDATE", {}, sqlite3.OperationalError("database is locked"))
        return real_update(*args)

    monkeypatch.setattr(resource, "update", flaky)
    r = client.put(f"/v2.0/networks/{net['id']}", json={"network": {"name": "m"}})
    assert r.status_code == 200 and len(calls) == 3
    assert r.json()["network"]["revision_number"] == 1

    def stale(*_args: Any) -> Any:
        raise StaleDataError("UPDATE statement on table 'networks' expected to update 1 row")

    monkeypatch.setattr(resource, "update", stale)
    r = client.put(f"/v2.0/networks/{net['id']}", json={"network": {"name": "x"}})
    assert r.status_code == 409
    assert r.json()["NeutronError"]["type"] == "Conflict"
    assert "concurrent changes 11 times" in r.json()["NeutronError"]["message"]


def test_a_real_duplicate_is_not_retried_into_success(client: TestClient) -> None:
    net = client.post("/v2.0/networks", json={"network": {"name": "n"}}).json()["network"]
    subnet = {"network_id": net["id"], "ip_version": 4, "cidr": "10.8.0.0/24"}
    assert client.post("/v2.0/subnets", json={"subnet": subnet}).status_code == 201
    port = {"network_id": net["id"], "mac_address": "fa:16:3e:00:00:01"}
    assert client.post("/v2.0/ports", json={"port": port}).status_code == 201
    r = client.post("/v2.0/ports", json={"port": port})
    assert r.status_code == 409 and r.json()["NeutronError"]["type"] == "MacAddressInUse"
