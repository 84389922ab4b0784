"""`trace --chassis`: pipelines placed on chassis, tunnel / VLAN crossings (issue #3).

The E/W tests run on our compiler's flows. The gateway tests (cr- redirect, failover,
reside-on-redirect-chassis) also run on real northd's flows (oracle), so the tracer's
chassis logic is checked independently of the compiler.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
from real_sb import sb_from_remote

from oracle.harness import OvnOracle
from ovntwin.compiler.compile import compile_lazy
from ovntwin.errors import TraceError
from ovntwin.loaders import load_topology
from ovntwin.model.db import NorthboundDB
from ovntwin.model.rows import LogicalRouterPort
from ovntwin.southbound.rows import SouthboundDB
from ovntwin.trace import render, with_nb_sets
from ovntwin.trace.chassis_api import ChassisTrace, trace_on_chassis
from ovntwin.trace.placement import build_placement

FIXTURE = Path(__file__).parent / "fixtures" / "chassis_seed.yaml"
R1_B_MAC, HV_A_MAC, R1_EXT_MAC = "fa:16:3e:00:01:02", "0a:cc:00:00:00:0a", "fa:16:3e:00:01:03"


def _nb() -> NorthboundDB:
    return load_topology(FIXTURE).nb


def _flow(name: str) -> str:
    named = load_topology(FIXTURE).trace(name)
    assert named is not None
    return named.microflow


VM1_VM4 = "vm1-to-vm4-icmp-east-west"
VM1_EXT = "vm1-to-internet-centralized-fip"


def with_chassis(nb: NorthboundDB, name: str, **changes: Any) -> NorthboundDB:
    """`nb` with chassis `name` changed (other_config entries are added to the existing)."""
    extra = changes.pop("other_config", {})
    chassis = tuple(
        dataclasses.replace(c, other_config={**c.other_config, **extra}, **changes)
        if c.name == name
        else c
        for c in nb.runtime.chassis
    )
    return NorthboundDB(nb.tables, dataclasses.replace(nb.runtime, chassis=chassis))


def with_reside(nb: NorthboundDB, *lrps: str) -> NorthboundDB:
    return with_lrp_options(nb, {"reside-on-redirect-chassis": "true"}, *lrps)


def with_lrp_options(nb: NorthboundDB, options: dict[str, str], *lrps: str) -> NorthboundDB:
    tables = dict(nb.tables)
    rows = dict(tables[LogicalRouterPort])
    for uuid, row in rows.items():
        assert isinstance(row, LogicalRouterPort)
        if row.name in lrps:
            rows[uuid] = dataclasses.replace(row, options={**row.options, **options})
    tables[LogicalRouterPort] = rows
    return NorthboundDB(tables, nb.runtime)


def ours(nb: NorthboundDB) -> SouthboundDB:
    return with_nb_sets(compile_lazy(nb), nb)


def run(sb: SouthboundDB, nb: NorthboundDB, name: str, chassis: str) -> ChassisTrace:
    return trace_on_chassis(
        sb, _flow(name), placement=build_placement(nb), chassis=chassis, ct=["new"]
    )


def hops(done: ChassisTrace) -> list[tuple[str, str, str]]:
    return [(h["chassis"], h["pipeline"], h["datapath"]) for h in done.chassis["hops"]]


# --- E/W over VLAN: routed on hv-a, out on VLAN 2010 ------------------------------------
def test_vm1_to_vm4_routes_on_hv_a_and_leaves_on_vlan_2010_with_the_router_mac() -> None:
    nb = _nb()
    done = run(ours(nb), nb, VM1_VM4, "hv-a")
    assert ("hv-a", "ingress", "R1") in hops(done)
    assert hops(done)[-2:] == [("hv-b", "ingress", "B"), ("hv-b", "egress", "B")]
    [vlan] = done.chassis["crossings"]
    assert (vlan["via"], vlan["from"], vlan["to"], vlan["vlan"]) == ("vlan", "hv-a", "hv-b", 2010)
    assert (vlan["localnet"], vlan["bridge"], vlan["eth.src"]) == ("ln-B", "br-ex", R1_B_MAC)
    assert [o.describe() for o in done.result.outcomes] == ["delivered to port vm4 (B)"]
    text = render(done.result, "detailed")
    assert 'egress(dp="B", inport="B-r1", outport="ln-B", chassis="hv-a")' in text
    assert 'ingress(dp="B", inport="ln-B", chassis="hv-b")' in text
    assert 'vlan(from="hv-a", to="hv-b"' in text


def test_vm1_to_vm4_leaves_with_hv_a_chassis_mac_when_mappings_are_set() -> None:
    nb = with_chassis(
        _nb(), "hv-a", other_config={"ovn-chassis-mac-mappings": f"physnet1:{HV_A_MAC}"}
    )
    done = run(ours(nb), nb, VM1_VM4, "hv-a")
    [vlan] = done.chassis["crossings"]
    assert vlan["eth.src"] == HV_A_MAC and vlan["replaced_eth.src"] == R1_B_MAC
    text = render(done.result, "detailed")
    assert (
        f"eth.src {HV_A_MAC} is a remote chassis MAC: restored to router port MAC {R1_B_MAC}"
        in text
    )
    assert [o.describe() for o in done.result.outcomes] == ["delivered to port vm4 (B)"]


def test_inport_bound_elsewhere_and_unknown_chassis_are_clear_errors() -> None:
    nb = _nb()
    with pytest.raises(TraceError, match='inport "vm1" is bound on chassis hv-a, not hv-b'):
        run(ours(nb), nb, VM1_VM4, "hv-b")
    with pytest.raises(TraceError, match='unknown chassis "hv-z"'):
        run(ours(nb), nb, VM1_VM4, "hv-z")


def test_unbound_outport_is_dropped_on_the_sending_chassis() -> None:
    nb = _nb()
    rt = dataclasses.replace(
        nb.runtime, ports={k: v for k, v in nb.runtime.ports.items() if k != "vm4"}
    )
    nb = NorthboundDB(nb.tables, rt)
    done = run(ours(nb), nb, VM1_VM4, "hv-a")
    assert "not bound to any chassis" in done.result.outcomes[-1].reason


def test_flooded_frame_leaves_the_vlan_once_whatever_the_remote_members() -> None:
    nb = _nb()
    ports = dict(nb.runtime.ports)
    for vm in ("vm2", "vm3"):  # both of vm1's neighbours on A live on hv-b
        ports[vm] = dataclasses.replace(ports[vm], chassis="hv-b")
    nb = NorthboundDB(nb.tables, dataclasses.replace(nb.runtime, ports=ports))
    arp = (
        'inport == "vm1" && eth.src == fa:16:3e:00:00:01 && eth.dst == ff:ff:ff:ff:ff:ff && '
        "arp.op == 1 && arp.sha == fa:16:3e:00:00:01 && arp.spa == 10.0.1.11 && "
        "arp.tpa == 10.0.1.99"
    )
    done = trace_on_chassis(ours(nb), arp, placement=build_placement(nb), chassis="hv-a")
    assert [(c["via"], c["localnet"], c["vlan"]) for c in done.chassis["crossings"]] == [
        ("vlan", "ln-A", 2011)
    ]
    text = render(done.result, "detailed")
    for vm in ("vm2", "vm3"):
        assert f'"{vm}" is on hv-b: the copy flooded out of localnet port "ln-A" reaches it' in text


# --- gateway paths: checked on real northd's flows and on ours ---------------------------
def gateway_cases(sb_of: Any) -> None:
    """The three gateway behaviours of the issue; `sb_of(nb)` gives the flows to trace."""
    nb = _nb()
    done = run(sb_of(nb), nb, VM1_EXT, "hv-a")
    tunnel = done.chassis["crossings"][0]
    assert (tunnel["via"], tunnel["from"], tunnel["to"]) == ("geneve", "hv-a", "gw1")
    assert (tunnel["remote_ip"], tunnel["local_ip"]) == ("192.0.2.21", "192.0.2.11")
    assert ("hv-a", "ingress", "R1") in hops(done) and ("gw1", "egress", "R1") in hops(done)
    assert done.chassis["crossings"][-1]["to"] == "physical network"
    assert [o.describe() for o in done.result.outcomes] == ["output to localnet port ln-ext (ext)"]

    down = with_chassis(nb, "gw1", alive=False)
    done = run(sb_of(down), down, VM1_EXT, "hv-a")
    assert done.chassis["crossings"][0]["to"] == "gw2"
    assert ("gw2", "egress", "R1") in hops(done)

    reside = with_reside(nb, "r1-A", "r1-B")
    done = run(sb_of(reside), reside, VM1_VM4, "hv-a")
    assert hops(done)[:2] == [("hv-a", "ingress", "A"), ("hv-a", "egress", "A")]
    assert ("gw1", "ingress", "R1") in hops(done) and ("hv-a", "ingress", "R1") not in hops(done)
    path = [(c["via"], c["from"], c["to"], c.get("vlan")) for c in done.chassis["crossings"]]
    assert path == [("vlan", "hv-a", "gw1", 2011), ("vlan", "gw1", "hv-b", 2010)]
    assert [o.describe() for o in done.result.outcomes] == ["delivered to port vm4 (B)"]


@pytest.mark.oracle
def test_gateway_paths_on_real_northd_flows(ovn_oracle: OvnOracle) -> None:
    def real(nb: NorthboundDB) -> SouthboundDB:
        ovn_oracle.reset()
        ovn_oracle.apply(nb)
        return sb_from_remote(ovn_oracle.sb_remote)

    gateway_cases(real)


def test_gateway_paths_on_our_flows() -> None:
    gateway_cases(ours)


def test_gateway_on_gw1_runs_the_dgp_flows_locally() -> None:
    nb = _nb()
    flow = _flow("internet-to-centralized-fip-ssh")
    done = trace_on_chassis(
        ours(nb), flow, placement=build_placement(nb), chassis="gw1", ct=["new"]
    )
    assert all(h["chassis"] == "gw1" for h in done.chassis["hops"][:3])
    with pytest.raises(TraceError, match="no ovn-bridge-mappings entry"):
        trace_on_chassis(ours(nb), flow, placement=build_placement(nb), chassis="hv-a")


def test_redirect_type_bridged_goes_over_the_external_vlan_not_a_tunnel() -> None:
    nb = with_lrp_options(_nb(), {"redirect-type": "bridged"}, "r1-ext")
    nb = with_chassis(
        nb, "hv-a", other_config={"ovn-bridge-mappings": "physnet1:br-ex,external:br-ext"}
    )
    done = run(ours(nb), nb, VM1_EXT, "hv-a")
    first = done.chassis["crossings"][0]
    assert (first["via"], first["from"], first["to"], first["localnet"]) == (
        "vlan",
        "hv-a",
        "gw1",
        "ln-ext",
    )
    assert first["eth.src"] == R1_EXT_MAC
    assert ("gw1", "ingress", "ext") in hops(done) and ("gw1", "egress", "R1") in hops(done)
    assert ("hv-a", "egress", "R1") not in hops(done)
