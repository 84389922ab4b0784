"""What ML2/OVN writes into the NB for each step of the seed's workflow, checked on a live
server's `GET /ovntwin/nb`. The expectations are Neutron's documented behaviour, written
out here by hand, not computed by ovntwin's mapping code."""

from __future__ import annotations

import ipaddress
import subprocess
import sys
from typing import Any

import httpx

Tables = dict[str, dict[str, dict[str, Any]]]


def nb_tables(url: str) -> Tables:
    answer = httpx.get(f"{url}/ovntwin/nb", timeout=30)
    assert answer.status_code == 200, answer.text
    tables: Tables = answer.json()["OVN_Northbound"]
    return tables


def rows(nb: Tables, table: str, **match: Any) -> list[dict[str, Any]]:
    return [
        row for row in nb.get(table, {}).values() if all(row.get(k) == v for k, v in match.items())
    ]


def one(nb: Tables, table: str, **match: Any) -> dict[str, Any]:
    found = rows(nb, table, **match)
    assert len(found) == 1, f"{table} {match}: {len(found)} rows"
    return found[0]


def by_uuid(nb: Tables, table: str, uuids: list[str]) -> list[dict[str, Any]]:
    return [nb[table][u] for u in uuids]


def expect_provider_network(nb: Tables, net_id: str, name: str, physnet: str, tag: int | None):
    """neutron-<id> switch; one provnet-<segment> localnet port, tagged for VLAN."""
    switch = one(nb, "Logical_Switch", name=f"neutron-{net_id}")
    assert switch["external_ids"]["neutron:network_name"] == name
    ports = by_uuid(nb, "Logical_Switch_Port", switch["ports"])
    localnets = [p for p in ports if p["type"] == "localnet"]
    assert len(localnets) == 1
    localnet = localnets[0]
    assert localnet["name"].startswith("provnet-")
    assert localnet["options"]["network_name"] == physnet
    assert localnet["addresses"] == ["unknown"]
    assert localnet["tag"] == (tag if tag is not None else [])
    return switch


def expect_vm_port(nb: Tables, port: dict[str, Any], host: str, sg_ids: list[str]) -> None:
    """LSP named by the port id: MAC + IPs as addresses and port security, bound to host."""
    lsp = one(nb, "Logical_Switch_Port", name=port["id"])
    ips = " ".join(ip["ip_address"] for ip in port["fixed_ips"])
    assert lsp["addresses"] == [f"{port['mac_address']} {ips}"]
    assert lsp["port_security"] == [f"{port['mac_address']} {ips}"]
    assert lsp["options"]["requested-chassis"] == host
    assert lsp["external_ids"]["neutron:port_name"] == port["name"]
    assert sorted(lsp["external_ids"]["neutron:security_group_ids"].split()) == sorted(sg_ids)
    for sg in sg_ids:
        group = one(nb, "Port_Group", name="pg_" + sg.replace("-", "_"))
        assert lsp in by_uuid(nb, "Logical_Switch_Port", group["ports"])
    drop = one(nb, "Port_Group", name="neutron_pg_drop")
    assert lsp in by_uuid(nb, "Logical_Switch_Port", drop["ports"])


def expect_sg_acl(nb: Tables, sg_id: str, tail: str, remote: str | None = None) -> None:
    """An ingress IPv4 rule: to-lport, priority 1002, allow-related; the remote prefix
    (the CLI sends 0.0.0.0/0 unless told otherwise) only when the rule has one."""
    pg = "pg_" + sg_id.replace("-", "_")
    source = f" && ip4.src == {remote}" if remote else ""
    match = f"outport == @{pg} && ip4{source} && {tail}"
    acl = one(nb, "ACL", match=match)
    assert (acl["priority"], acl["direction"], acl["action"]) == (1002, "to-lport", "allow-related")
    assert acl in by_uuid(nb, "ACL", one(nb, "Port_Group", name=pg)["acls"])


def expect_port_qos(nb: Tables, port_id: str, rate: int | None, burst: int | None) -> None:
    """An egress limit is one from-lport QoS row at 2002 on the port's switch; none after unset."""
    found = [q for q in rows(nb, "QoS") if q["match"] == f'inport == "{port_id}"']
    if rate is None:
        assert found == []
        return
    assert len(found) == 1
    qos = found[0]
    assert (qos["priority"], qos["direction"]) == (2002, "from-lport")
    assert qos["bandwidth"] == {"rate": rate, "burst": burst}
    assert qos["external_ids"]["neutron:port_id"] == port_id
    lsp_uuid = next(u for u, p in nb["Logical_Switch_Port"].items() if p["name"] == port_id)
    switch = next(s for s in rows(nb, "Logical_Switch") if lsp_uuid in s["ports"])
    assert any(nb["QoS"][u] == qos for u in switch["qos_rules"])


def expect_router(
    nb: Tables, router: dict[str, Any], gw_port: dict[str, Any], interfaces: list[dict[str, Any]],
    gateways: list[str],
) -> None:  # fmt: skip
    """neutron-<id>, lrp-<port> per interface and for the gateway, gateway chassis
    priorities N..1 over the gateway-capable chassis, one SNAT row per interface subnet."""
    lr = one(nb, "Logical_Router", name=f"neutron-{router['id']}")
    lrps = by_uuid(nb, "Logical_Router_Port", lr["ports"])
    assert sorted(p["name"] for p in lrps) == sorted(
        f"lrp-{p['id']}" for p in [gw_port, *interfaces]
    )
    gw_lrp = one(nb, "Logical_Router_Port", name=f"lrp-{gw_port['id']}")
    chosen = by_uuid(nb, "Gateway_Chassis", gw_lrp["gateway_chassis"])
    assert sorted(g["chassis_name"] for g in chosen) == sorted(gateways)
    assert sorted(g["priority"] for g in chosen) == list(range(1, len(gateways) + 1))
    for gc in chosen:
        assert gc["name"] == f"lrp-{gw_port['id']}_{gc['chassis_name']}"
    gw_ip = gw_port["fixed_ips"][0]["ip_address"]
    nat = by_uuid(nb, "NAT", lr["nat"])
    snat = sorted((n["type"], n["external_ip"], n["logical_ip"]) for n in nat)
    cidrs = sorted(str(ipaddress.ip_interface(_lrp_net(nb, p)).network) for p in interfaces)
    assert snat == [("snat", gw_ip, c) for c in cidrs]
    for port in interfaces:
        lsp = one(nb, "Logical_Switch_Port", name=port["id"])
        assert lsp["type"] == "router" and lsp["addresses"] == ["router"]
        assert lsp["options"]["router-port"] == f"lrp-{port['id']}"


def _lrp_net(nb: Tables, port: dict[str, Any]) -> str:
    networks: list[str] = one(nb, "Logical_Router_Port", name=f"lrp-{port['id']}")["networks"]
    return networks[0]


def trace(url: str, port: dict[str, Any], dst_ip: str) -> str:
    """`ovntwin trace --api URL` of a UDP packet from the port (our ovn-trace on its NB)."""
    ip = port["fixed_ips"][0]["ip_address"]
    flow = (
        f'inport == "{port["id"]}" && eth.src == {port["mac_address"]} && '
        f"eth.dst == ff:ff:ff:ff:ff:ff && ip4.src == {ip} && ip4.dst == {dst_ip} && "
        "ip.ttl == 64 && udp && udp.dst == 5001"
    )
    done = subprocess.run(
        [sys.executable, "-m", "ovntwin", "trace", "--api", url, flow],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout
