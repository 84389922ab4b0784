"""/v2.0/agents (one ovn-controller agent per chassis, as ML2/OVN reports them) and
/v2.0/segments (a network's segment): read-only, admin-only, with filters and fields."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from types import MappingProxyType

import pytest
from fastapi.testclient import TestClient

from ovntwin.api.app import create_app
from ovntwin.api.state import segment_id
from ovntwin.model.runtime import Chassis


def _chassis(name: str, cms: str = "") -> Chassis:
    config = {"ovn-bridge-mappings": "physnet1:br-ex"}
    if cms:
        config["ovn-cms-options"] = cms
    return Chassis(name=name, hostname=f"{name}.example", other_config=MappingProxyType(config))


CHASSIS = (_chassis("compute1"), _chassis("gw1", "enable-chassis-as-gw"))


@pytest.fixture
def api(db_url: str) -> Iterator[TestClient]:
    app = create_app(db_url, chassis=CHASSIS)
    with TestClient(app) as c:
        yield c
    app.state.sessions.kw["bind"].dispose()


def test_one_agent_per_chassis_typed_by_gateway_capability(api: TestClient) -> None:
    agents = {a["id"]: a for a in api.get("/v2.0/agents").json()["agents"]}
    assert set(agents) == {"compute1", "gw1"}
    assert agents["gw1"]["agent_type"] == "OVN Controller Gateway agent"
    assert agents["compute1"]["agent_type"] == "OVN Controller agent"
    assert agents["gw1"]["host"] == "gw1.example" and agents["gw1"]["alive"] is True
    assert agents["gw1"]["configurations"]["bridge-mappings"] == "physnet1:br-ex"
    only = api.get("/v2.0/agents?agent_type=OVN Controller agent&fields=host").json()
    assert only == {"agents": [{"host": "compute1.example"}]}
    assert api.get("/v2.0/agents/gw1").json()["agent"]["binary"] == "ovn-controller"
    missing = api.get("/v2.0/agents/nope")
    assert missing.status_code == 404 and missing.json()["NeutronError"]["type"] == "AgentNotFound"
    bad = api.get("/v2.0/agents?colour=red")
    assert bad.status_code == 400 and "colour" in bad.json()["NeutronError"]["message"]


def test_each_network_has_its_segment(api: TestClient) -> None:
    body = {"network": {"name": "A", "provider:network_type": "vlan",
                        "provider:physical_network": "physnet1",
                        "provider:segmentation_id": 2011}}  # fmt: skip
    net = api.post("/v2.0/networks", json=body).json()["network"]
    segments = api.get(f"/v2.0/segments?network_id={net['id']}").json()["segments"]
    assert len(segments) == 1
    seg = segments[0]
    assert seg["id"] == segment_id(net["id"])
    assert (seg["network_type"], seg["physical_network"], seg["segmentation_id"]) == (
        "vlan", "physnet1", 2011,
    )  # fmt: skip
    assert api.get(f"/v2.0/segments/{seg['id']}").json()["segment"] == seg
    assert api.get("/v2.0/segments?segmentation_id=2010").json()["segments"] == []


def test_agents_and_segments_are_admin_only(tmp_path: Path) -> None:
    tokens = tmp_path / "tokens.json"
    tokens.write_text(json.dumps({"t-member": {"project_id": "p", "roles": ["member"]}}))
    app = create_app(f"sqlite:///{tmp_path / 'n.db'}", tokens, chassis=CHASSIS)
    with TestClient(app) as api:
        for path in ("/v2.0/agents", "/v2.0/segments", "/v2.0/agents/gw1"):
            answer = api.get(path, headers={"X-Auth-Token": "t-member"})
            assert answer.status_code == 403
            assert "is disallowed by policy" in answer.json()["NeutronError"]["message"]
