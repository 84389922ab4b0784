"""export-nb into a real OVN NB: real ovn-northd accepts the NB the API built through the
seed workflow (plus a floating IP on vm2), its lflow-list equals ours, and real ovn-trace
agrees with our trace."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from neutron import seed
from oracle.adapters import ours_compile, ours_lflow_list, ours_trace
from oracle.harness import OvnOracle
from oracle.masking import mask
from ovntwin.api.app import create_app
from ovntwin.cli.export_nb import run_export_nb
from ovntwin.cli.twin_sources import nb_from_document
from ovntwin.loaders.nbctl import join_batch, sbctl_commands

from .test_northbound import seed_workflow


def _same(ours: str, real: str, what: str) -> None:
    if mask(ours) != mask(real):
        diff = difflib.unified_diff(
            mask(real).splitlines(), mask(ours).splitlines(), "real", "ovntwin", lineterm=""
        )
        pytest.fail(f"{what} differs from real OVN (masked):\n" + "\n".join(list(diff)[:80]))


def _flow(src: dict[str, Any], dst_mac: str, dst_ip: str) -> str:
    ip = src["fixed_ips"][0]["ip_address"]
    return (
        f'inport == "{src["id"]}" && eth.src == {src["mac_address"]} && eth.dst == {dst_mac}'
        f" && ip4.src == {ip} && ip4.dst == {dst_ip} && ip.ttl == 64 && icmp4.type == 8"
    )


@pytest.mark.oracle
def test_export_nb_of_the_seed_workflow_into_real_ovn(
    ovn_oracle: OvnOracle, tmp_path: Path
) -> None:
    with TestClient(create_app(f"sqlite:///{tmp_path / 'n.db'}", chassis=seed.chassis())) as api:
        done = seed_workflow(api)
        fip = api.post(
            "/v2.0/floatingips",
            json={
                "floatingip": {
                    "floating_network_id": done["ext"]["id"],
                    "port_id": done["vms"]["vm2"]["id"],
                }
            },
        )
        assert fip.status_code == 201, fip.text
        doc = api.get("/ovntwin/nb").json()
        rif = [
            p
            for p in api.get("/v2.0/ports").json()["ports"]
            if p["device_owner"] == "network:router_interface"
            and p["network_id"] == done["vms"]["vm1"]["network_id"]
        ]
    nb = nb_from_document(doc)
    oracle = ovn_oracle
    oracle.reset()
    sb_commands = sbctl_commands(nb.runtime)
    chassis = [c for c in sb_commands if c[0] == "chassis-add" or c[:2] == ["set", "Chassis"]]
    oracle.sbctl(*join_batch(chassis))
    tables = doc["OVN_Northbound"]
    run_export_nb(tables, oracle.nb_remote, None)
    # a second export replaces the same rows (same UUIDs) in one transaction
    summary = run_export_nb(tables, oracle.nb_remote, None)
    assert summary.startswith(f"exported {sum(len(t) for t in tables.values())} NB rows")
    rest = [c for c in sb_commands if c not in chassis]
    if rest:
        oracle.sbctl(*join_batch(rest))
    oracle.sync()
    ours = ours_compile(nb)
    _same(ours_lflow_list(ours), oracle.lflow_list(), "lflow-list")

    vms = done["vms"]
    vm2 = vms["vm2"]
    ping = _flow(vms["vm1"], vm2["mac_address"], vm2["fixed_ips"][0]["ip_address"])
    external = _flow(vms["vm1"], rif[0]["mac_address"], "172.24.4.1")
    # --detailed names the ACL that matched; vm2's ingress has two equal-priority ACLs that
    # both match a ping (remote group, ICMP), and which one ovn-trace prints follows the
    # run-dependent SB lflow uuids: the ping is compared in --minimal only.
    cases = (
        ("VM->VM ping", ping, ("minimal",)),
        ("VM->external", external, ("minimal", "detailed")),
    )
    for name, flow, modes in cases:
        for mode in modes:
            real = oracle.trace(flow, f"--{mode}")
            _same(ours_trace(ours, None, flow, mode), real, f"{name} ovn-trace --{mode}")
    assert 'output("vm2");' in oracle.trace(ping, "--minimal")
    # the router forwards towards the external gateway: ARP for 172.24.4.1 on the localnet
    assert "arp.tpa = 0xac180401;" in oracle.trace(external, "--minimal")
    nat = {n["type"] for n in tables["NAT"].values()}
    assert nat == {"snat", "dnat_and_snat"}, nat
