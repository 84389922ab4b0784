"""Every API write is one NB transaction: journal entries, stored NB == build_nb, rollback."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from neutron import seed
from ovntwin.api import northbound
from ovntwin.api.app import create_app
from ovntwin.api.state import neutron_state, segment_id
from ovntwin.cli import twin_sources
from ovntwin.cli.chassis_file import load_chassis
from ovntwin.cli.commands import run_lflow_list, run_trace
from ovntwin.cli.export_nb import run_export_nb, source_tables
from ovntwin.cli.main import app as cli_app
from ovntwin.cli.twin_sources import nb_from_document
from ovntwin.compiler.compile import compile_nb
from ovntwin.errors import LoadError
from ovntwin.loaders.nb_tables import nb_tables
from ovntwin.neutron.ml2ovn.northbound import build_nb
from ovntwin.southbound.lflow_list import format_lflow_list, select_datapaths


@pytest.fixture
def api(db_url: str) -> Iterator[TestClient]:
    """The app on SQLite and on PostgreSQL (conftest's db_url), scheduling on the seed's chassis."""
    app = create_app(db_url, chassis=seed.chassis())
    with TestClient(app) as c:
        yield c
    app.state.sessions.kw["bind"].dispose()  # close the pool: PostgreSQL counts connections


def _post(client: TestClient, path: str, kind: str, **attrs: Any) -> dict[str, Any]:
    r = client.post(f"/v2.0/{path}", json={kind: attrs})
    assert r.status_code == 201, r.text
    return r.json()[kind]  # type: ignore[no-any-return]


def _put(client: TestClient, path: str, body: Any) -> dict[str, Any]:
    r = client.put(f"/v2.0/{path}", json=body)
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def _journal(client: TestClient, since: int = 0) -> list[dict[str, Any]]:
    r = client.get("/ovntwin/nb/transactions", params={"since": since})
    assert r.status_code == 200, r.text
    return r.json()["transactions"]  # type: ignore[no-any-return]


def _head(client: TestClient) -> int:
    return int(client.get("/ovntwin/nb").json()["nb_transaction"])


def _ops(entry: dict[str, Any], op: str, table: str) -> list[dict[str, Any]]:
    return [o for o in entry["ops"] if o["op"] == op and o["table"] == table]


def _vlan(client: TestClient, name: str, tag: int, physnet: str = "physnet1") -> dict[str, Any]:
    return _post(client, "networks", "network", name=name, **{
        "provider:network_type": "vlan", "provider:physical_network": physnet,
        "provider:segmentation_id": tag,
    })  # fmt: skip


def test_each_write_appends_exactly_one_nb_transaction(api: TestClient) -> None:
    net = _vlan(api, "A", 2011)
    [entry] = _journal(api)
    assert entry["method"] == "POST" and entry["path"] == "/v2.0/networks"
    [ls] = _ops(entry, "insert", "Logical_Switch")
    assert ls["columns"]["name"] == f"neutron-{net['id']}"
    localnet = next(
        o
        for o in _ops(entry, "insert", "Logical_Switch_Port")
        if o["columns"]["type"] == "localnet"
    )
    assert localnet["columns"]["name"] == f"provnet-{segment_id(net['id'])}"
    assert localnet["columns"]["tag"] == 2011
    assert localnet["columns"]["options"]["network_name"] == "physnet1"

    head = _head(api)
    sub = _post(api, "subnets", "subnet", network_id=net["id"], cidr="10.0.1.0/24", ip_version=4)
    port = _post(api, "ports", "port", network_id=net["id"], **{"binding:host_id": "comp1"})
    [e_sub, e_port] = _journal(api, head)
    assert (e_sub["id"], e_port["id"]) == (head + 1, head + 2)
    assert e_sub["path"] == "/v2.0/subnets"
    [lsp] = _ops(e_port, "insert", "Logical_Switch_Port")
    assert lsp["columns"]["name"] == port["id"]
    ip = port["fixed_ips"][0]["ip_address"]
    assert lsp["columns"]["addresses"] == [f"{port['mac_address']} {ip}"]
    [sw] = _ops(e_port, "update", "Logical_Switch")
    assert set(sw["columns"]) == {"ports"} and lsp["uuid"] in sw["columns"]["ports"]
    assert lsp["columns"]["external_ids"]["neutron:cidrs"] == f"{ip}/24" and sub["cidr"]

    _put(api, f"ports/{port['id']}", {"port": {"name": "vm1"}})
    [e_upd] = _journal(api, head + 2)
    [changed] = _ops(e_upd, "update", "Logical_Switch_Port")
    assert changed["uuid"] == lsp["uuid"] and set(changed["columns"]) == {"external_ids"}
    assert changed["columns"]["external_ids"]["neutron:port_name"] == "vm1"

    assert api.delete(f"/v2.0/ports/{port['id']}").status_code == 204
    [e_del] = _journal(api, head + 3)
    assert _ops(e_del, "delete", "Logical_Switch_Port") == [
        {"op": "delete", "table": "Logical_Switch_Port", "uuid": lsp["uuid"]}
    ]


def test_reads_write_no_transaction_and_bad_since_is_a_neutron_error(api: TestClient) -> None:
    _vlan(api, "A", 2011)
    head = _head(api)
    api.get("/v2.0/networks")
    api.get("/v2.0/ports")
    assert _head(api) == head
    bad = api.get("/ovntwin/nb/transactions", params={"since": "x"})
    assert bad.status_code == 400 and "since" in bad.json()["NeutronError"]["message"]


def seed_workflow(client: TestClient) -> dict[str, Any]:
    """The seed through the API: A vlan 2011, B vlan 2010, ext flat, router with gateway and
    interfaces, VMs on computes, SSH + ICMP rules, bw-limiter on vm1."""
    a, b = _vlan(client, "A", 2011), _vlan(client, "B", 2010)
    ext = _post(client, "networks", "network", name="ext", **{
        "router:external": True, "provider:network_type": "flat",
        "provider:physical_network": "external"})  # fmt: skip
    sub_a = _post(client, "subnets", "subnet", network_id=a["id"], cidr="10.0.1.0/24",
                  ip_version=4)  # fmt: skip
    sub_b = _post(client, "subnets", "subnet", network_id=b["id"], cidr="10.0.2.0/24",
                  ip_version=4)  # fmt: skip
    _post(client, "subnets", "subnet", network_id=ext["id"], cidr="172.24.4.0/24",
          ip_version=4, enable_dhcp=False)  # fmt: skip
    router = _post(client, "routers", "router", name="R1",
                   external_gateway_info={"network_id": ext["id"]})  # fmt: skip
    for sub in (sub_a, sub_b):
        _put(client, f"routers/{router['id']}/add_router_interface", {"subnet_id": sub["id"]})
    sg = client.get("/v2.0/security-groups").json()["security_groups"][0]
    for proto, extra in (("tcp", {"port_range_min": 22, "port_range_max": 22}), ("icmp", {})):
        _post(client, "security-group-rules", "security_group_rule", direction="ingress",
              security_group_id=sg["id"], protocol=proto, remote_ip_prefix="0.0.0.0/0",
              **extra)  # fmt: skip
    vms = {
        name: _post(client, "ports", "port", network_id=net["id"], name=name,
                    device_owner="compute:nova", **{"binding:host_id": host})
        for name, net, host in (("vm1", a, "comp1"), ("vm2", a, "comp2"), ("vm4", b, "comp2"))
    }  # fmt: skip
    policy = _post(client, "qos/policies", "policy", name="bw-limiter")
    _post(client, f"qos/policies/{policy['id']}/bandwidth_limit_rules", "bandwidth_limit_rule",
          max_kbps=3000, max_burst_kbps=300, direction="egress")  # fmt: skip
    _put(client, f"ports/{vms['vm1']['id']}", {"port": {"qos_policy_id": policy["id"]}})
    return {"router": router, "vms": vms, "policy": policy, "ext": ext}


def test_stored_nb_equals_build_nb_of_the_neutron_state(api: TestClient) -> None:
    done = seed_workflow(api)
    doc = api.get("/ovntwin/nb").json()
    factory: sessionmaker[Session] = api.app.state.sessions  # type: ignore[attr-defined]
    with factory.begin() as session:
        state = neutron_state(session)
    expected = build_nb(state, seed.chassis())
    assert doc["OVN_Northbound"] == nb_tables(expected)
    qos = list(doc["OVN_Northbound"]["QoS"].values())
    assert [(q["priority"], q["direction"], q["bandwidth"]) for q in qos] == [
        (2002, "from-lport", {"burst": 300, "rate": 3000})
    ]
    gcs = sorted((g["chassis_name"], g["priority"])
                 for g in doc["OVN_Northbound"]["Gateway_Chassis"].values())  # fmt: skip
    assert gcs == [("gw1", 2), ("gw2", 1)]
    # the published document loads back into the same NB and the same logical flows
    loaded = nb_from_document(doc)
    assert nb_tables(loaded) == doc["OVN_Northbound"]
    assert loaded.runtime.ports[done["vms"]["vm1"]["id"]].chassis == "comp1"
    assert {ch.name for ch in loaded.runtime.chassis} == {ch.name for ch in seed.chassis()}
    ours = compile_nb(expected)
    theirs = compile_nb(loaded)
    assert format_lflow_list(theirs, select_datapaths(theirs, None)) == format_lflow_list(
        ours, select_datapaths(ours, None)
    )


def test_gateway_schedule_survives_later_calls(api: TestClient) -> None:
    done = seed_workflow(api)
    doc = api.get("/ovntwin/nb").json()["OVN_Northbound"]
    first = {u: (g["chassis_name"], g["priority"]) for u, g in doc["Gateway_Chassis"].items()}
    # a second router: least-loaded scheduling puts gw2 first for it ...
    r2 = _post(api, "routers", "router", name="R2",
               external_gateway_info={"network_id": done["ext"]["id"]})  # fmt: skip
    after = api.get("/ovntwin/nb").json()["OVN_Northbound"]["Gateway_Chassis"]
    assert {u: (g["chassis_name"], g["priority"]) for u, g in after.items() if u in first} == first
    second = sorted((g["chassis_name"], g["priority"])
                    for u, g in after.items() if u not in first)  # fmt: skip
    assert second == [("gw1", 1), ("gw2", 2)]
    # ... and deleting the first router leaves R2's schedule alone (no reshuffle)
    api.put(f"/v2.0/routers/{done['router']['id']}", json={"router": {"name": "R1b"}})
    again = api.get("/ovntwin/nb").json()["OVN_Northbound"]["Gateway_Chassis"]
    assert again == after, r2


def test_failed_nb_build_rolls_the_call_back(
    api: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    _vlan(api, "A", 2011)
    head = _head(api)

    def broken(*_args: Any, **_kw: Any) -> Any:
        raise ValueError("no such OVN row")

    monkeypatch.setattr(northbound, "build_nb", broken)
    r = api.post("/v2.0/networks", json={"network": {"name": "B"}})
    assert r.status_code == 409, r.text
    err = r.json()["NeutronError"]
    assert err["type"] == "NorthboundError" and "no such OVN row" in err["message"]
    monkeypatch.undo()
    assert [n["name"] for n in api.get("/v2.0/networks").json()["networks"]] == ["A"]
    assert _head(api) == head and _journal(api, head) == []


def test_cli_reads_the_same_nb_from_the_database(api: TestClient, db_url: str) -> None:
    done = seed_workflow(api)
    doc = api.get("/ovntwin/nb").json()
    via_db = run_lflow_list(None, None, None, neutron_db=db_url)
    loaded = nb_from_document(doc)
    sb = compile_nb(loaded)
    assert via_db == format_lflow_list(sb, select_datapaths(sb, None))
    vm1, vm2 = done["vms"]["vm1"], done["vms"]["vm2"]
    flow = (
        f'inport == "{vm1["id"]}" && eth.src == {vm1["mac_address"]} && '
        f"eth.dst == {vm2['mac_address']} && ip4.src == {vm1['fixed_ips'][0]['ip_address']} && "
        f"ip4.dst == {vm2['fixed_ips'][0]['ip_address']} && ip.ttl == 64 && icmp4.type == 8"
    )
    out = run_trace(None, None, None, flow, neutron_db=db_url, mode="minimal")
    assert 'output("vm2");' in str(out), out  # friendly name: neutron:port_name
    assert source_tables(None, None, db_url) == doc["OVN_Northbound"]


def test_export_to_a_file_and_unreachable_remote(api: TestClient, tmp_path: Path) -> None:
    _vlan(api, "A", 2011)
    tables = api.get("/ovntwin/nb").json()["OVN_Northbound"]
    out = tmp_path / "nb.json"
    assert "wrote a transaction" in run_export_nb(tables, None, str(out))
    params = json.loads(out.read_text())
    assert params[0] == "OVN_Northbound"
    inserts = [op for op in params[1:] if op["op"] == "insert"]
    assert {op["uuid"] for op in inserts} == {u for rows in tables.values() for u in rows}
    from ovntwin.cli.ovsdb_rpc import ExportError

    with pytest.raises(ExportError, match="cannot connect"):
        run_export_nb(tables, f"unix:{tmp_path / 'nothing.sock'}", None)
    with pytest.raises(ExportError, match="exactly one"):
        run_export_nb(tables, None, None)


def test_chassis_file_list_and_fabric_scenario(tmp_path: Path) -> None:
    listed = tmp_path / "chassis.yaml"
    listed.write_text(
        "chassis:\n"
        "  - {name: gw1, gateway: true, bridge_mappings: {physnet1: br-vlan}}\n"
        "  - {name: comp1, encap_ip: 192.168.0.11}\n"
    )
    gw1, comp1 = load_chassis(listed)
    assert gw1.other_config["ovn-cms-options"] == "enable-chassis-as-gw"
    assert gw1.other_config["ovn-bridge-mappings"] == "physnet1:br-vlan"
    assert "ovn-cms-options" not in comp1.other_config and comp1.encaps[0].ip == "192.168.0.11"
    fabric = load_chassis(Path(__file__).parents[2] / "examples" / "l3ha-failover.yaml")
    assert any("enable-chassis-as-gw" in c.other_config.get("ovn-cms-options", "") for c in fabric)
    bad = tmp_path / "bad.yaml"
    bad.write_text("chassis:\n  - {name: x, colour: red}\n")
    with pytest.raises(LoadError, match="colour"):
        load_chassis(bad)


def test_api_source_reads_a_running_server(
    api: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed_workflow(api)

    def urlopen(request: Any, timeout: float) -> Any:
        assert request.full_url == "http://twin:9696/ovntwin/nb"
        assert request.get_header("X-auth-token") == "admin-token"
        return io.BytesIO(api.get("/ovntwin/nb").content)

    monkeypatch.setenv("OS_TOKEN", "admin-token")

    monkeypatch.setattr(twin_sources.urllib.request, "urlopen", urlopen)
    ours = run_lflow_list(None, None, None, api="http://twin:9696/v2.0/")
    doc = api.get("/ovntwin/nb").json()
    sb = compile_nb(nb_from_document(doc))
    assert ours == format_lflow_list(sb, select_datapaths(sb, None))
    assert source_tables(None, "http://twin:9696", None) == doc["OVN_Northbound"]
    monkeypatch.undo()
    with pytest.raises(LoadError, match="cannot reach the ovntwin API"):
        twin_sources.fetch_document("http://127.0.0.1:1")
    with pytest.raises(LoadError, match="exactly one"):
        run_lflow_list("x.yaml", None, None, api="http://twin:9696")


def test_tags_rules_and_router_actions_are_one_transaction_each(api: TestClient) -> None:
    done = seed_workflow(api)
    policy, vm1 = done["policy"], done["vms"]["vm1"]
    rule = api.get(f"/v2.0/qos/policies/{policy['id']}/bandwidth_limit_rules").json()[
        "bandwidth_limit_rules"
    ][0]
    head = _head(api)
    assert api.put(f"/v2.0/ports/{vm1['id']}/tags/blue").status_code == 201
    _put(
        api,
        f"qos/policies/{policy['id']}/bandwidth_limit_rules/{rule['id']}",
        {"bandwidth_limit_rule": {"max_kbps": 5000, "max_burst_kbps": 500}},
    )
    _put(api, f"ports/{vm1['id']}", {"port": {"qos_policy_id": None}})
    entries = _journal(api, head)
    assert [e["id"] for e in entries] == [head + 1, head + 2, head + 3]
    [qos] = _ops(entries[1], "update", "QoS")
    assert qos["columns"] == {"bandwidth": {"burst": 500, "rate": 5000}}
    assert [o["op"] for o in entries[2]["ops"] if o["table"] == "QoS"] == ["delete"]
    sub_b = next(
        s for s in api.get("/v2.0/subnets").json()["subnets"] if s["cidr"] == "10.0.2.0/24"
    )
    router = done["router"]["id"]
    _put(api, f"routers/{router}/remove_router_interface", {"subnet_id": sub_b["id"]})
    [e_rm] = _journal(api, head + 3)
    assert e_rm["path"].endswith("/remove_router_interface")
    assert {o["table"] for o in e_rm["ops"] if o["op"] == "delete"} >= {"Logical_Router_Port"}


def test_export_nb_command(api: TestClient, db_url: str, tmp_path: Path) -> None:
    _vlan(api, "A", 2011)
    runner = CliRunner()
    done = runner.invoke(cli_app, ["export-nb", "--neutron-db", db_url, "-o", "-"])
    assert done.exit_code == 0, done.output
    params = json.loads(done.stdout)
    assert params[0] == "OVN_Northbound" and any(op["op"] == "insert" for op in params[1:])
    sock = tmp_path / "none.sock"
    failed = runner.invoke(
        cli_app, ["export-nb", "--neutron-db", db_url, "--remote", f"unix:{sock}"]
    )
    assert failed.exit_code == 1 and "cannot connect" in failed.output
    missing = runner.invoke(cli_app, ["export-nb", "--neutron-db", "sqlite:///nope.db", "-o", "-"])
    assert missing.exit_code == 1 and "no such database file" in missing.output


def test_two_servers_on_one_database_keep_one_journal(api: TestClient, db_url: str) -> None:
    """A write by another process makes the cached NB stale: the next write reads the rows."""
    other_app = create_app(db_url, chassis=seed.chassis())
    with TestClient(other_app) as other:
        a = _vlan(api, "A", 2011)
        _vlan(other, "B", 2010)
        _post(api, "ports", "port", network_id=a["id"])
        entries = _journal(api)
        assert [e["id"] for e in entries] == [1, 2, 3]
        assert [o["op"] for o in entries[2]["ops"] if o["table"] == "Logical_Switch"] == ["update"]
        factory: sessionmaker[Session] = api.app.state.sessions  # type: ignore[attr-defined]
        with factory.begin() as session:
            expected = nb_tables(build_nb(neutron_state(session), seed.chassis()))
        assert other.get("/ovntwin/nb").json()["OVN_Northbound"] == expected
    other_app.state.sessions.kw["bind"].dispose()
