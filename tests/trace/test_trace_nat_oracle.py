"""Gateway / NAT / QoS pipelines: our tracer on REAL southbound flows vs real ovn-trace.

Real northd builds each topology of nat_topologies.py; the SouthboundDB is read back
from it, so these tests isolate the tracer (ct_snat/ct_dnat forks, chassisredirect
outports, is_chassis_resident, check_pkt_larger, icmp errors, QoS marks and meters)
from the compilers. Every mode (--all), --ct default / new / new then est,rpl / est,rpl / rel,
friendly names on (and off for --ct=new on two topologies).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from nat_topologies import TOPOLOGIES
from nat_topologies import build as build_topology
from real_sb import sb_from_remote

from oracle.harness import OvnOracle
from ovntwin.southbound.rows import SouthboundDB
from ovntwin.trace import render, to_json, trace, trace_text
from ovntwin.trace.idlorder import idl_rank

pytestmark = pytest.mark.oracle

CT = {
    "default": (), "new": ("new",), "new-est": ("new", "est,rpl"), "est": ("est,rpl",),
    "rel": ("rel",),
}  # fmt: skip
# Names only change text: names off runs with one --ct setting, on two topologies.
_NAMES_OFF = ("dgp", "gateway-router")
PARAMS = [
    pytest.param(topo, case, ct, friendly, id=f"{topo}-{case}-{ct}-{'f' if friendly else 'nof'}")
    for topo, (_cmds, flows) in TOPOLOGIES.items()
    for case in flows
    for ct, friendly in [*((c, True) for c in CT), ("new", False)]
    if ct != "rel" or topo == "ha-reside"  # the one topology with ACLs (ct_commit_nat)
    if friendly or topo in _NAMES_OFF
]


@dataclass
class Built:
    oracle: OvnOracle
    sb: SouthboundDB
    flows: dict[str, str]


@pytest.fixture(scope="module")
def build(ovn_oracle: OvnOracle) -> Callable[[str], Built]:
    """Builds a topology on the shared oracle, rebuilding only when the topology changes."""
    current: dict[str, Built] = {}

    def get(topo: str) -> Built:
        if topo not in current:
            current.clear()
            commands, flows = TOPOLOGIES[topo]
            build_topology(ovn_oracle, commands)
            current[topo] = Built(ovn_oracle, sb_from_remote(ovn_oracle.sb_remote), flows)
        return current[topo]

    return get


@pytest.mark.parametrize(("topo", "case", "ct", "friendly"), PARAMS)
def test_all_modes_identical(
    build: Callable[[str], Built], topo: str, case: str, ct: str, friendly: bool
) -> None:
    b = build(topo)
    args = ["--all", *(f"--ct={c}" for c in CT[ct])]
    if not friendly:
        args.append("--no-friendly-names")
    expected = b.oracle.trace(b.flows[case], *args)
    result = trace(b.sb, b.flows[case], ct=CT[ct], friendly_names=friendly)
    assert render(result, "all") == expected


@pytest.mark.parametrize("mode", ["detailed", "summary", "minimal"])
@pytest.mark.parametrize("case", ["ext-fip-central", "snat", "big-in", "arp-fip-dist"])
def test_single_modes(build: Callable[[str], Built], case: str, mode: str) -> None:
    b = build("dgp")
    flow = b.flows[case]
    assert trace_text(b.sb, flow, mode, ct=("new",)) == b.oracle.trace(
        flow, f"--{mode}", "--ct=new"
    )


def _walk(node: dict[str, object]) -> list[dict[str, object]]:
    kids = node.get("children", [])
    assert isinstance(kids, list)
    return [node, *(n for k in kids for n in _walk(k))]


def test_json_nat(build: Callable[[str], Built]) -> None:
    b = build("dgp")
    out = to_json(trace(b.sb, b.flows["ext-fip-central"], ct=("new",)))
    delivered = [d for d in out["disposition"] if d["kind"] == "delivered"]
    assert delivered == [
        {
            "kind": "delivered", "datapath": "A", "port": "vm1", "nat": ["ip4.dst=10.0.1.11"],
            "text": "delivered to port vm1 (A)",
        }
    ]  # fmt: skip
    infos = [n["info"] for n in _walk(out["tree"]) if isinstance(n.get("info"), dict)]
    dnat = [i for i in infos if i.get("nat") == "dnat" and "set" in i]
    assert dnat and dnat[0]["set"] == "ip4.dst=10.0.1.11" and "dnat" in dnat[0]["ct_state"]

    snat = to_json(trace(b.sb, b.flows["snat"]))
    infos = [n["info"] for n in _walk(snat["tree"]) if isinstance(n.get("info"), dict)]
    assert {"redirect": "cr-r1-ext", "distributed_port": "r1-ext"} in infos
    assert any(d.get("nat") == ["ip4.src=172.24.4.10"] for d in snat["disposition"])


@pytest.mark.parametrize("topo", list(TOPOLOGIES))
def test_idl_row_order(build: Callable[[str], Built], topo: str) -> None:
    """Our replay of the IDL's row order is the order ovn-sbctl (same IDL) lists rows in."""
    b = build(topo)
    listed = b.oracle.sbctl("--bare", "--columns=_uuid", "list", "Logical_Flow").split()
    rank = idl_rank(listed)
    assert sorted(listed, key=rank.__getitem__) == listed
