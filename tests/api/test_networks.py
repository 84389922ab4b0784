from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa
from fastapi.testclient import TestClient

from ovntwin.api.app import create_app


def _net(client: TestClient, **attrs: Any) -> dict[str, Any]:
    r = client.post("/v2.0/networks", json={"network": attrs})
    assert r.status_code == 201, r.text
    return r.json()["network"]  # type: ignore[no-any-return]


def _error(r: Any, status: int) -> dict[str, Any]:
    assert r.status_code == status, r.text
    return r.json()["NeutronError"]  # type: ignore[no-any-return]


def test_migrations_create_schema(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'x.db'}"
    create_app(url)
    create_app(url)  # idempotent on an up-to-date database
    tables = set(sa.inspect(sa.create_engine(url)).get_table_names())
    assert {"networks", "subnets", "alembic_version"} <= tables


def test_versions_and_extensions(client: TestClient) -> None:
    root = client.get("/").json()
    assert root["versions"][0]["links"][0]["href"] == "http://testserver/v2.0/"
    assert {r["collection"] for r in client.get("/v2.0/").json()["resources"]} >= {"networks"}
    aliases = {e["alias"] for e in client.get("/v2.0/extensions").json()["extensions"]}
    assert {"provider", "pagination", "sorting", "standard-attr-tag"} <= aliases
    _error(client.get("/v2.0/extensions/nope"), 404)


def test_network_defaults_and_vlan(client: TestClient) -> None:
    net = _net(
        client,
        name="A",
        **{
            "provider:network_type": "vlan",
            "provider:physical_network": "physnet1",
            "provider:segmentation_id": "2011",
        },
    )
    assert net["provider:segmentation_id"] == 2011
    assert net["admin_state_up"] is True and net["status"] == "ACTIVE"
    assert net["project_id"] == net["tenant_id"] and net["revision_number"] == 0
    assert net["subnets"] == [] and net["tags"] == [] and net["mtu"] == 1500
    tenant = _net(client, name="t")
    assert tenant["provider:network_type"] == "geneve" and tenant["mtu"] == 1442
    dup = _error(
        client.post(
            "/v2.0/networks",
            json={
                "network": {
                    "provider:network_type": "vlan",
                    "provider:physical_network": "physnet1",
                    "provider:segmentation_id": 2011,
                }
            },
        ),
        409,
    )
    assert dup["type"] == "VlanIdInUse"


def test_bad_input_names_the_attribute(client: TestClient) -> None:
    cases = [
        ({"admin_state_up": "maybe"}, "admin_state_up"),
        ({"bogus": 1}, "bogus"),
        ({"status": "DOWN"}, "status"),
        (
            {
                "provider:network_type": "vlan",
                "provider:segmentation_id": 5000,
                "provider:physical_network": "p",
            },
            "segmentation_id",
        ),
        ({"provider:network_type": "flat"}, "physical_network"),
        ({"provider:network_type": "vxlan"}, "network_type"),
    ]
    for body, word in cases:
        err = _error(client.post("/v2.0/networks", json={"network": body}), 400)
        assert word in err["message"], err
    _error(client.post("/v2.0/networks", content=b"{not json"), 400)
    _error(client.post("/v2.0/networks", json=[1]), 400)


def test_show_update_delete_if_match(client: TestClient) -> None:
    net = _net(client, name="a")
    nid = net["id"]
    assert _error(client.get("/v2.0/networks/not-a-uuid"), 404)["type"] == "NetworkNotFound"
    r = client.put(
        f"/v2.0/networks/{nid}",
        json={"network": {"name": "b"}},
        headers={"If-Match": "revision_number=0"},
    )
    assert r.json()["network"]["revision_number"] == 1
    r = client.put(
        f"/v2.0/networks/{nid}",
        json={"network": {"name": "c"}},
        headers={"If-Match": "revision_number=0"},
    )
    assert _error(r, 412)["type"] == "RevisionNumberConstraintFailed"
    _error(client.put(f"/v2.0/networks/{nid}", json={"network": {"id": "x"}}), 400)
    assert client.get(f"/v2.0/networks/{nid}?fields=name").json() == {"network": {"name": "b"}}
    _error(client.delete(f"/v2.0/networks/{nid}", headers={"If-Match": "revision_number=7"}), 412)
    assert client.delete(f"/v2.0/networks/{nid}").status_code == 204
    _error(client.delete(f"/v2.0/networks/{nid}"), 404)


def test_filters_sort_pagination(client: TestClient) -> None:
    ids = {_net(client, name=n, admin_state_up=(n != "c"))["id"]: n for n in "dbeac"}
    names = [
        n["name"]
        for n in client.get("/v2.0/networks?sort_key=name&sort_dir=desc").json()["networks"]
    ]
    assert names == list("edcba")
    down = client.get("/v2.0/networks?admin_state_up=False").json()["networks"]
    assert [n["name"] for n in down] == ["c"]
    both = client.get("/v2.0/networks?name=a&name=b&fields=name&sort_key=name").json()
    assert both["networks"] == [{"name": "a"}, {"name": "b"}]
    _error(client.get("/v2.0/networks?colour=red"), 400)
    _error(client.get("/v2.0/networks?sort_key=tags"), 400)
    _error(client.get("/v2.0/networks?limit=x"), 400)
    seen: list[str] = []
    url = "/v2.0/networks?limit=2&sort_key=name"
    while url:
        page = client.get(url).json()
        seen += [n["name"] for n in page["networks"]]
        nxt = [link["href"] for link in page.get("networks_links", []) if link["rel"] == "next"]
        url = nxt[0] if nxt else ""
    assert seen == list("abcde") and len(ids) == 5


def test_tags(client: TestClient) -> None:
    nid = _net(client, name="t")["id"]
    base = f"/v2.0/networks/{nid}/tags"
    assert client.put(base, json={"tags": ["red", "blue"]}).json() == {"tags": ["red", "blue"]}
    assert client.put(f"{base}/green").status_code == 201
    assert client.get(f"{base}/green").status_code == 204
    _error(client.get(f"{base}/pink"), 404)
    assert client.delete(f"{base}/red").status_code == 204
    assert client.get(base).json() == {"tags": ["blue", "green"]}
    assert client.get(f"/v2.0/networks/{nid}").json()["network"]["revision_number"] == 3
    other = _net(client, name="u")["id"]
    hits = client.get("/v2.0/networks?tags=blue,green").json()["networks"]
    assert [n["id"] for n in hits] == [nid]
    rest = client.get("/v2.0/networks?not-tags-any=blue").json()["networks"]
    assert [n["id"] for n in rest] == [other]
    assert client.delete(base).status_code == 204
    assert client.get(base).json() == {"tags": []}


def test_mtu_is_writable_up_to_the_segment_maximum(client: TestClient) -> None:
    net = client.post("/v2.0/networks", json={"network": {"name": "t"}}).json()["network"]
    assert net["mtu"] == 1442  # geneve: 1500 less the encapsulation
    changed = client.put(f"/v2.0/networks/{net['id']}", json={"network": {"mtu": 1400}})
    assert changed.status_code == 200 and changed.json()["network"]["mtu"] == 1400
    too_big = client.put(f"/v2.0/networks/{net['id']}", json={"network": {"mtu": 1500}})
    assert too_big.status_code == 400
    assert "maximum is 1442" in too_big.json()["NeutronError"]["message"]
    vlan = {"name": "v", "provider:network_type": "vlan", "provider:physical_network": "physnet1",
            "mtu": 9000}  # fmt: skip
    refused = client.post("/v2.0/networks", json={"network": vlan})
    assert refused.status_code == 400 and "mtu" in refused.json()["NeutronError"]["message"].lower()
