"""ChassisExecutor: the seed network's paths, one chassis at a time, up to the wire."""

from __future__ import annotations

import dataclasses
from functools import cache
from pathlib import Path

import pytest

from ovntwin.compiler.compile import compile_nb
from ovntwin.fabric.conntrack import Conntrack
from ovntwin.fabric.load import load_scenario
from ovntwin.fabric.packet import Frame, arp_request, icmp_echo, udp
from ovntwin.fabric.pipeline import ChassisExecutor, Execution, ToLocalnet, ToTunnel, ToVif
from ovntwin.fabric.scenario import QoSEvent, with_qos
from ovntwin.model.db import NorthboundDB
from ovntwin.trace.placement import Placement, build_placement

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
CHASSIS = ("hv-a", "hv-b", "gw1", "gw2")
R1_A, R1_B, R1_EXT = "fa:16:3e:00:01:01", "fa:16:3e:00:01:02", "fa:16:3e:00:01:03"
VM = {n: f"fa:16:3e:00:00:0{n}" for n in range(1, 7)}
UPSTREAM = "52:54:00:00:99:01"


@cache
def _nb(name: str, variant: str | None) -> NorthboundDB:
    return load_scenario(EXAMPLES / f"{name}.yaml", variant).nb


def fabric(
    variant: str | None = None, name: str = "vlan-dvr-flapping", nb: NorthboundDB | None = None,
    placement: Placement | None = None,
) -> dict[str, ChassisExecutor]:  # fmt: skip
    nb = nb or _nb(name, variant)
    sb, pl = compile_nb(nb), placement or build_placement(nb)
    return {c: ChassisExecutor(sb, pl, c, Conntrack(c)) for c in CHASSIS}


def only(run: Execution) -> ToVif | ToLocalnet | ToTunnel:
    assert run.drop_reason is None, run.drop_reason
    assert len(run.outputs) == 1, run.outputs
    return run.outputs[0]


def ping(src: int, dst_mac: str, ip_src: str, ip_dst: str, **kw: object) -> Frame:
    return icmp_echo(VM[src], dst_mac, ip_src, ip_dst, **kw)  # type: ignore[arg-type]


def test_vm1_to_vm4_routed_on_hv_a_leaves_on_vlan_2010_with_r1_mac() -> None:
    ex = fabric()
    out = only(ex["hv-a"].from_vif("vm1", ping(1, R1_A, "10.0.1.11", "10.0.2.14")))
    assert isinstance(out, ToLocalnet)
    assert (out.physnet, out.bridge, out.vlan, out.toward) == ("physnet1", "br-ex", 2010, "hv-b")
    assert (out.frame.eth_src, out.frame.eth_dst, out.frame.ttl) == (R1_B, VM[4], 63)
    assert out.frame.vlan == 2010
    got = only(ex["hv-b"].from_localnet("physnet1", 2010, out.frame))
    assert isinstance(got, ToVif) and got.vif == "vm4" and got.frame.vlan is None
    # the frame reaches the other chassis too (flooded by the ToR): nothing comes out there
    for other in ("gw1", "gw2"):
        assert not ex[other].from_localnet("physnet1", 2010, out.frame).outputs


def test_vm6_to_vm3_leaves_hv_a_on_vlan_2011_with_r1_a_mac() -> None:
    ex = fabric()
    out = only(ex["hv-a"].from_vif("vm6", ping(6, R1_B, "10.0.2.16", "10.0.1.13")))
    assert isinstance(out, ToLocalnet) and out.vlan == 2011 and out.frame.eth_src == R1_A
    got = only(ex["hv-b"].from_localnet("physnet1", 2011, out.frame))
    assert isinstance(got, ToVif) and got.vif == "vm3"


def test_chassis_mac_mappings_rewrite_the_wire_source_and_back() -> None:
    ex = fabric("with-chassis-mac-mappings")
    out = only(ex["hv-a"].from_vif("vm1", ping(1, R1_A, "10.0.1.11", "10.0.2.14")))
    assert isinstance(out, ToLocalnet) and out.frame.eth_src == "0e:00:00:00:00:0a"
    got = only(ex["hv-b"].from_localnet("physnet1", 2010, out.frame))
    assert isinstance(got, ToVif) and got.vif == "vm4" and got.frame.eth_src == R1_B
    back = only(ex["hv-b"].from_vif("vm4", ping(4, R1_B, "10.0.2.14", "10.0.1.11", reply=True)))
    assert isinstance(back, ToLocalnet) and back.frame.eth_src == "0e:00:00:00:00:0b"


def test_reside_on_redirect_chassis_routes_on_the_gateway() -> None:
    ex = fabric("reside-on-redirect-chassis")
    out = only(ex["hv-a"].from_vif("vm1", ping(1, R1_A, "10.0.1.11", "10.0.2.14")))
    assert isinstance(out, ToLocalnet)
    assert (out.vlan, out.toward, out.frame.eth_src, out.frame.ttl) == (2011, "gw1", VM[1], 64)
    assert not ex["hv-b"].from_localnet("physnet1", 2011, out.frame).outputs
    assert not ex["gw2"].from_localnet("physnet1", 2011, out.frame).outputs
    routed = only(ex["gw1"].from_localnet("physnet1", 2011, out.frame))
    assert isinstance(routed, ToLocalnet)
    assert (routed.vlan, routed.toward, routed.frame.eth_src) == (2010, "hv-b", R1_B)
    got = only(ex["hv-b"].from_localnet("physnet1", 2010, routed.frame))
    assert isinstance(got, ToVif) and got.vif == "vm4" and got.frame.ttl == 63


def _to_external(ex: dict[str, ChassisExecutor], gateway: str) -> ToLocalnet:
    first = only(ex["hv-a"].from_vif("vm1", ping(1, R1_A, "10.0.1.11", "172.24.4.1")))
    assert isinstance(first, ToTunnel) and first.dst_chassis == gateway
    assert first.frame.ip_src == "10.0.1.11"  # SNAT happens on the gateway
    out = only(ex[gateway].from_tunnel(first.meta, first.frame))
    assert isinstance(out, ToLocalnet)
    assert (out.physnet, out.bridge, out.vlan) == ("external", "br-ext", None)
    assert (out.frame.eth_src, out.frame.eth_dst) == (R1_EXT, UPSTREAM)
    return out


def test_vm1_to_external_snat_on_gw1() -> None:
    out = _to_external(fabric(), "gw1")
    assert out.frame.ip_src == "172.24.4.100"  # vm1's FIP


def test_vm1_to_external_on_gw2_when_gw1_is_down() -> None:
    nb = _nb("vlan-dvr-flapping", None)
    pl = build_placement(nb)
    views = dict(pl.chassis)
    views["gw1"] = dataclasses.replace(views["gw1"], alive=False)
    out = _to_external(fabric(placement=dataclasses.replace(pl, chassis=views)), "gw2")
    assert out.frame.ip_src == "172.24.4.100"


def test_snat_reply_is_unsnatted_and_sent_to_the_vm_chassis() -> None:
    ex = fabric()
    first = only(ex["hv-a"].from_vif("vm2", ping(2, R1_A, "10.0.1.12", "172.24.4.1", ident=7)))
    assert isinstance(first, ToTunnel)
    out = only(ex["gw1"].from_tunnel(first.meta, first.frame))
    assert out.frame.ip_src == "172.24.4.10"
    reply = icmp_echo(UPSTREAM, R1_EXT, "172.24.4.1", "172.24.4.10", ident=7, reply=True)
    back = only(ex["gw1"].from_localnet("external", None, reply))
    assert isinstance(back, ToLocalnet) and back.toward == "hv-a" and back.vlan == 2011
    assert (back.frame.ip_dst, back.frame.eth_dst, back.frame.eth_src) == ("10.0.1.12", VM[2], R1_A)
    # without the outbound connection, gw2's conntrack has nothing to un-SNAT
    assert not ex["gw2"].from_localnet("external", None, reply).outputs
    got = only(ex["hv-a"].from_localnet("physnet1", 2011, back.frame))
    assert isinstance(got, ToVif) and got.vif == "vm2"


def test_arp_for_fip_answered_by_the_active_gateway_only() -> None:
    ex = fabric()
    req = arp_request(UPSTREAM, "172.24.4.1", "172.24.4.100")
    out = only(ex["gw1"].from_localnet("external", None, req))
    assert isinstance(out, ToLocalnet) and out.frame.kind == "arp"
    assert (out.frame.arp_op, out.frame.arp_sha, out.frame.arp_spa) == (2, R1_EXT, "172.24.4.100")
    assert out.frame.eth_dst == UPSTREAM
    assert not ex["gw2"].from_localnet("external", None, req).outputs
    assert ex["hv-a"].from_localnet("external", None, req).drop_reason


def _qos_nb(event_index: int) -> NorthboundDB:
    sc = load_scenario(EXAMPLES / "qos-bandwidth-limit.yaml")
    event = sc.events[event_index]
    assert isinstance(event, QoSEvent)
    return with_qos(sc.nb, event)


def test_qos_bandwidth_rule_is_a_meter_hit_on_the_source_chassis() -> None:
    frame = udp(VM[2], VM[3], "10.0.1.12", "10.0.1.13", 40000, 5001)
    assert not fabric(name="qos-bandwidth-limit")["hv-a"].from_vif("vm2", frame).meters
    run = fabric(nb=_qos_nb(0))["hv-a"].from_vif("vm2", frame)
    assert [(m.rate_kbps, m.burst_kbits) for m in run.meters] == [(3000, 300)]
    assert run.meters[0].key.startswith("hv-a/")
    updated = fabric(nb=_qos_nb(1))["hv-a"].from_vif("vm2", frame)
    assert [(m.rate_kbps, m.burst_kbits) for m in updated.meters] == [(5000, 500)]
    assert updated.meters[0].key != run.meters[0].key
    out = only(run)
    assert isinstance(out, ToLocalnet) and (out.vlan, out.toward) == (2011, "hv-b")


def test_broadcast_arp_floods_once_out_of_the_localnet_and_to_local_vifs() -> None:
    ex = fabric()
    run = ex["hv-a"].from_vif("vm2", udp(VM[2], R1_A, "10.0.1.12", "10.0.2.13", 40000, 5001))
    kinds = sorted((type(o).__name__, o.frame.kind, o.frame.arp_tpa) for o in run.outputs)
    # R1 asks for the unknown 10.0.2.13: one copy on VLAN 2010, one to vm6 (B, on hv-a)
    assert kinds == [("ToLocalnet", "arp", "10.0.2.13"), ("ToVif", "arp", "10.0.2.13")]


def test_dscp_mark_is_visible_in_the_output_frame() -> None:
    sc = load_scenario(EXAMPLES / "qos-bandwidth-limit.yaml")
    event = sc.events[0]
    assert isinstance(event, QoSEvent) and event.row is not None
    marked = dataclasses.replace(event.row, action={"dscp": 26}, bandwidth={})
    nb = with_qos(sc.nb, dataclasses.replace(event, row=marked))
    frame = udp(VM[2], VM[3], "10.0.1.12", "10.0.1.13", 40000, 5001)
    out = only(fabric(nb=nb)["hv-a"].from_vif("vm2", frame))
    assert out.frame.dscp == 26


def test_repeated_frames_hit_the_cache_until_conntrack_changes() -> None:
    ex = fabric()["hv-a"]
    frame = ping(1, R1_A, "10.0.1.11", "10.0.2.14")
    first = ex.from_vif("vm1", frame)  # new connection: the ACLs commit it
    second = ex.from_vif("vm1", dataclasses.replace(frame, seq=2, count=5))
    assert not first.cached and not second.cached  # the commit changed what conntrack says
    third = ex.from_vif("vm1", dataclasses.replace(frame, seq=3, count=7))
    assert third.cached and third.outputs[0].frame.seq == 3 and third.outputs[0].frame.count == 7
    assert only(third).frame.eth_src == only(first).frame.eth_src
    ex.conntrack.flush()
    assert not ex.from_vif("vm1", frame).cached
    ex.invalidate()
    assert not ex.from_vif("vm1", frame).cached


def test_unbound_entry_is_refused() -> None:
    run = fabric()["hv-b"].from_vif("vm1", ping(1, R1_A, "10.0.1.11", "10.0.2.14"))
    assert run.drop_reason and "hv-a" in run.drop_reason


@pytest.mark.parametrize("n", [2000])
def test_cached_throughput(n: int) -> None:
    import time

    ex = fabric()["hv-a"]
    frame = ping(1, R1_A, "10.0.1.11", "10.0.2.14")
    for _ in range(3):
        ex.from_vif("vm1", frame)
    start = time.perf_counter()
    for i in range(n):
        ex.from_vif("vm1", dataclasses.replace(frame, seq=i))
    rate = n / (time.perf_counter() - start)
    assert rate > 5000, f"{rate:.0f} frames/s"
