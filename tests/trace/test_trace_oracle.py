"""Real SB flows + our tracer must print exactly what real ovn-trace prints.

The SouthboundDB is read back from a real northd's database, so these tests isolate
the tracer (and the action formatter) from the compilers.
"""

from __future__ import annotations

import pytest
from real_sb import sb_from_remote
from seed_topology import build_seed

from oracle.harness import OvnOracle
from ovntwin.southbound.rows import SouthboundDB
from ovntwin.trace import render, to_json, trace, trace_text

pytestmark = pytest.mark.oracle

VM1 = 'inport == "vm1" && eth.src == fa:16:3e:00:00:01'
CASES = {
    "vm-vm-same-switch": f"{VM1} && eth.dst == fa:16:3e:00:00:02 && ip4.src == 10.0.1.11 && "
    "ip4.dst == 10.0.1.12 && ip.ttl == 64 && tcp && tcp.dst == 22",
    "vm-router-vm": f"{VM1} && eth.dst == fa:16:3e:00:01:01 && ip4.src == 10.0.1.11 && "
    "ip4.dst == 10.0.2.14 && ip.ttl == 64 && icmp4.type == 8",
    "arp-router-ip": f"{VM1} && eth.dst == ff:ff:ff:ff:ff:ff && arp.op == 1 && "
    "arp.sha == fa:16:3e:00:00:01 && arp.spa == 10.0.1.11 && arp.tha == 00:00:00:00:00:00 && "
    "arp.tpa == 10.0.1.1",
    "arp-broadcast": f"{VM1} && eth.dst == ff:ff:ff:ff:ff:ff && arp.op == 1 && "
    "arp.sha == fa:16:3e:00:00:01 && arp.spa == 10.0.1.11 && arp.tha == 00:00:00:00:00:00 && "
    "arp.tpa == 10.0.1.99",
    "ttl-expiry": f"{VM1} && eth.dst == fa:16:3e:00:01:01 && ip4.src == 10.0.1.11 && "
    "ip4.dst == 10.0.2.14 && ip.ttl == 1 && icmp4.type == 8",
    "ttl-zero": f"{VM1} && eth.dst == fa:16:3e:00:01:01 && ip4.src == 10.0.1.11 && "
    "ip4.dst == 10.0.2.14 && icmp4.type == 8",
    "unknown-ip-behind-router": f"{VM1} && eth.dst == fa:16:3e:00:01:01 && "
    "ip4.src == 10.0.1.11 && ip4.dst == 10.0.2.99 && ip.ttl == 64 && udp && udp.dst == 53",
    "port-security-drop": 'inport == "vm1" && eth.src == fa:16:3e:00:00:09 && '
    "eth.dst == fa:16:3e:00:00:02 && ip4.src == 10.0.1.11 && ip4.dst == 10.0.1.12 && ip.ttl == 64",
    "from-localnet": 'inport == "ln-A" && eth.src == fa:16:3e:00:00:77 && '
    "eth.dst == fa:16:3e:00:00:02 && ip4.src == 10.0.1.77 && ip4.dst == 10.0.1.12 && ip.ttl == 64",
    "ipv6-multicast": f"{VM1} && eth.dst == 33:33:00:00:00:01 && ip6.src == fe80::1 && "
    "ip6.dst == ff02::1 && ip.ttl == 64",
}
OPTIONS = {"default": (), "ct-new": ("new",), "ct-new-est": ("new", "est,rpl")}


@pytest.fixture(scope="module")
def seed(ovn_oracle: OvnOracle) -> tuple[OvnOracle, SouthboundDB]:
    build_seed(ovn_oracle)
    return ovn_oracle, sb_from_remote(ovn_oracle.sb_remote)


@pytest.mark.parametrize("friendly", [True, False], ids=["friendly", "no-friendly"])
@pytest.mark.parametrize("ct", OPTIONS, ids=list(OPTIONS))
@pytest.mark.parametrize("case", CASES)
def test_all_modes_identical(
    seed: tuple[OvnOracle, SouthboundDB], case: str, ct: str, friendly: bool
) -> None:
    oracle, sb = seed
    args = ["--all", *(f"--ct={c}" for c in OPTIONS[ct])]
    if not friendly:
        args.append("--no-friendly-names")
    expected = oracle.trace(CASES[case], *args)
    result = trace(sb, CASES[case], ct=OPTIONS[ct], friendly_names=friendly)
    assert render(result, "all") == expected


@pytest.mark.parametrize("mode", ["detailed", "summary", "minimal"])
def test_single_modes(seed: tuple[OvnOracle, SouthboundDB], mode: str) -> None:
    oracle, sb = seed
    flow = CASES["vm-router-vm"]
    assert trace_text(sb, flow, mode) == oracle.trace(flow, f"--{mode}")


def test_explicit_datapath(seed: tuple[OvnOracle, SouthboundDB]) -> None:
    oracle, sb = seed
    flow = CASES["vm-vm-same-switch"]
    assert trace_text(sb, flow, datapath="A") == oracle.trace(flow, datapath="A")


@pytest.mark.parametrize(
    "flow",
    [
        'inport == "nope" && eth.src == 00:00:00:00:00:01',
        "inport == ",
        "eth.src == 00:00:00:00:00:01",
    ],
)
def test_errors_like_ovn_trace(seed: tuple[OvnOracle, SouthboundDB], flow: str) -> None:
    oracle, sb = seed
    real = oracle.trace(flow)
    ours = trace_text(sb, flow)
    assert ours.split(":")[0] == real.split(":")[0]


def test_json_disposition(seed: tuple[OvnOracle, SouthboundDB]) -> None:
    _oracle, sb = seed
    out = to_json(trace(sb, CASES["vm-router-vm"]))
    assert [d["kind"] for d in out["disposition"]] == ["delivered"]
    assert out["disposition"][0]["port"] == "vm4"
    dropped = to_json(trace(sb, CASES["ttl-expiry"]))["disposition"]
    assert any(d["kind"] == "delivered" and d["port"] == "vm1" for d in dropped)
    arp = to_json(trace(sb, CASES["unknown-ip-behind-router"]))["disposition"]
    assert any(d.get("packet") == "arp" for d in arp)
