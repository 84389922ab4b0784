"""The chassis tracer, made concrete: real conntrack, meters, and a stop at the wire.

`PhysTracer` is the `ovntwin trace --chassis` tracer (trace/chassis.py) with these
hooks, for one run of one frame on one chassis:

* conntrack actions (ct_next, ct_commit {...}, ct_dnat/ct_snat[_in_czone], ct_lb*,
  ct_commit_nat) go through the chassis' `Conntrack` in the zone ovn-controller would
  use, and NAT rewrites the packet; nothing is assumed (no --ct states);
* `set_meter` records a meter hit (the engine's token bucket decides the fate);
* a tunnel to another chassis, a frame leaving through a localnet port or a frame for a
  local VIF becomes a physical output: the run stops there (the receiving chassis runs
  its own pipelines when the frame arrives).

Every conntrack lookup and commit is recorded so the executor can cache the run.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from ovntwin.expr.flow import Flow
from ovntwin.fabric.conntrack import CS_DNAT, CS_NEW, CS_SNAT, CS_TRK, Conntrack, CtTuple
from ovntwin.fabric.packet import PROTO_ICMP, PROTO_ICMP6, Frame, mac_text
from ovntwin.southbound.rows import DatapathBinding
from ovntwin.trace import crossing
from ovntwin.trace.actions import ast as A
from ovntwin.trace.chassis import ChassisTracer
from ovntwin.trace.flowfmt import ETH_IP, ETH_IPV6, ct_flags
from ovntwin.trace.sbindex import Port
from ovntwin.trace.tree import Node, NodeKind

_VIF_TYPES = frozenset({"", "localport", "virtual"})  # delivered to an OVS interface here
_CT_SIMPLE = frozenset({"ct_next", "ct_commit_nat"})
Commit = tuple[str, CtTuple, str, str, int | None, int | None]  # zone, tuple, nat, ip, mark, lbl


@dataclass(frozen=True, slots=True)
class RawOut:
    """A physical output before the executor wraps it: kind + facts + the flow."""

    kind: str  # vif | localnet | tunnel
    facts: tuple[tuple[str, Any], ...]
    frame: Frame


@dataclass
class PhysTracer(ChassisTracer):
    conntrack: Conntrack = field(default_factory=Conntrack)
    frame: Frame | None = None  # the frame that entered (ICMP id, accounting fields)
    raw: list[RawOut] = field(default_factory=list)
    meters: list[tuple[str, int, int | None]] = field(default_factory=list)  # lflow, rate, burst
    lookups: list[tuple[str, CtTuple, tuple[int, bool, int, int]]] = field(default_factory=list)
    commits: list[Commit] = field(default_factory=list)

    # --- action hooks ------------------------------------------------------------------
    def actions(
        self, acts: Sequence[A.Action], dp: DatapathBinding, flow: Flow, table: int,
        pipeline: str, parent: Node,
    ) -> None:  # fmt: skip
        for i, act in enumerate(acts):
            if not _ours(act):
                continue
            if i:
                super().actions(acts[:i], dp, flow, table, pipeline, parent)
            parent.add(NodeKind.ACTION, act.format())
            self._ct_or_meter(act, dp, flow, table, pipeline, parent)
            if i + 1 < len(acts):
                self.actions(acts[i + 1 :], dp, flow, table, pipeline, parent)
            return
        super().actions(acts, dp, flow, table, pipeline, parent)

    def _ct_or_meter(
        self, act: A.Action, dp: DatapathBinding, flow: Flow, table: int, pipeline: str,
        parent: Node,
    ) -> None:  # fmt: skip
        if isinstance(act, A.Text):
            rate, burst = _meter_args(act.text)
            self.meters.append((str(parent.info.get("uuid", "")), rate, burst))
        elif isinstance(act, A.Simple):
            commit = act.name == "ct_commit_nat"
            self._ct_pass(dp, flow, pipeline, parent, act.table, "ct", nat=commit, commit=commit)
        elif isinstance(act, A.CtNat):
            self._ct_nat(act, dp, flow, pipeline, parent)
        elif isinstance(act, A.CtLb):
            self._ct_lb(act, dp, flow, pipeline, parent)
        elif isinstance(act, A.Nested):
            scratch = flow.copy()
            super().actions(act.actions, dp, scratch, table, pipeline, Node(NodeKind.ACTION, ""))
            self._commit(dp, flow, pipeline, "ct", mark=scratch.get("ct_mark"),
                         label=scratch.get("ct_label"))  # fmt: skip
        elif isinstance(act, A.CtCommitV1):
            mark = None if act.mark is None else act.mark & (act.mark_mask or 0xFFFFFFFF)
            self._commit(dp, flow, pipeline, "ct", mark=mark, label=act.label)

    # --- conntrack ---------------------------------------------------------------------
    def zone(self, dp: DatapathBinding, flow: Flow, pipeline: str, kind: str) -> str:
        """ct = the default zone of the pipeline; dnat / snat = a router's NAT zones."""
        if dp.kind != "router":
            return f"ct:{flow.inport if pipeline == A.INGRESS else flow.outport}"
        name = dp.name or dp.uuid
        return f"{'dnat' if kind in ('ct', 'dnat') else 'snat'}:{name}"

    def ct_tuple(self, flow: Flow) -> CtTuple | None:
        dl_type = flow.get("dl_type")
        if dl_type == ETH_IP:
            src, dst = _ip4(flow.get("nw_src")), _ip4(flow.get("nw_dst"))
        elif dl_type == ETH_IPV6:
            src = str(ipaddress.IPv6Address(flow.get("ipv6_src")))
            dst = str(ipaddress.IPv6Address(flow.get("ipv6_dst")))
        else:
            return None
        proto = flow.get("nw_proto")
        if proto in (PROTO_ICMP, PROTO_ICMP6):
            ident = self.frame.icmp_id if self.frame is not None else 0
            return (proto, src, dst, ident, ident)
        return (proto, src, dst, flow.get("tp_src"), flow.get("tp_dst"))

    def _lookup(self, zone: str, t: CtTuple, nat: bool) -> Any:
        res = self.conntrack.process(zone, t, nat=nat)
        self.lookups.append((zone, t, res.fingerprint))
        return res

    def _ct_pass(
        self, dp: DatapathBinding, flow: Flow, pipeline: str, parent: Node, table: int,
        kind: str, *, nat: bool, commit: bool = False, nat_ip: str = "", nat_kind: str = "",
    ) -> None:  # fmt: skip
        """One recirculation through conntrack, then on to `table` (ovn-trace's fork)."""
        forked = flow.copy()
        zone = self.zone(dp, flow, pipeline, kind)
        t = self.ct_tuple(flow)
        note = ""
        if t is None:
            forked.set("ct_state", CS_TRK | CS_NEW)  # non-IP: conntrack marks it untracked-new
        else:
            res = self._lookup(zone, t, nat)
            state, src, dst, sport, dport = res.state, res.src, res.dst, res.sport, res.dport
            if res.state & CS_NEW and (commit or nat_ip):
                self.conntrack.commit(zone, t, nat=nat_kind, nat_ip=nat_ip)  # type: ignore[arg-type]
                self.commits.append((zone, t, nat_kind, nat_ip, None, None))
                if nat_ip:
                    state |= CS_SNAT if nat_kind == "snat" else CS_DNAT
                    src, dst = (nat_ip, dst) if nat_kind == "snat" else (src, nat_ip)
            forked.set("ct_state", state)
            forked.set("ct_mark", res.mark)
            forked.set("ct_label", res.label)
            _write_addrs(forked, src, dst, sport, dport)
            note = f" zone={zone} {src}->{dst}"
        text = f"ct(ct_state={ct_flags(forked.get('ct_state'))}{note})"
        node = parent.add(NodeKind.TRANSFORMATION, text, zone=zone)
        self.table(dp, forked, table, pipeline, node)

    def _ct_nat(self, act: A.CtNat, dp: DatapathBinding, flow: Flow, pipeline: str,
                parent: Node) -> None:  # fmt: skip
        snat = act.name.startswith("ct_snat")
        kind = "snat" if snat or act.name.endswith("_in_czone") else "dnat"
        self._ct_pass(dp, flow, pipeline, parent, act.table, kind, nat=True,
                      nat_ip=act.ip or "", nat_kind="snat" if snat else "dnat")  # fmt: skip

    def _ct_lb(self, act: A.CtLb, dp: DatapathBinding, flow: Flow, pipeline: str,
               parent: Node) -> None:  # fmt: skip
        v6 = flow.get("dl_type") == ETH_IPV6
        chosen = next((b for b in act.backends if b.ipv6 == v6), None)  # first, deterministic
        ip = chosen.ip if chosen is not None else ""
        self._ct_pass(dp, flow, pipeline, parent, act.table, "ct", nat=True, nat_ip=ip,
                      nat_kind="dnat")  # fmt: skip

    def _commit(self, dp: DatapathBinding, flow: Flow, pipeline: str, kind: str,
                mark: int | None, label: int | None) -> None:  # fmt: skip
        t = self.ct_tuple(flow)
        if t is None:
            return
        zone = self.zone(dp, flow, pipeline, kind)
        self.conntrack.commit(zone, t, mark=mark, label=label)
        self.commits.append((zone, t, "", "", mark, label))

    # --- physical outputs: stop at the wire ----------------------------------------------
    def current(self, flow: Flow) -> Frame:
        assert self.frame is not None
        return self.frame.with_flow(flow)

    def egress_output(
        self, dp: DatapathBinding, flow: Flow, port: Port | None, out_name: str, parent: Node
    ) -> None:
        if port is None or port.type not in _VIF_TYPES or port.peer:
            super().egress_output(dp, flow, port, out_name, parent)
            return
        parent.add(NodeKind.OUTPUT, f'/* deliver to VIF "{port.name}" on {self.here} */')
        frame = self.current(flow).tagged(None)
        self.raw.append(RawOut("vif", (("vif", port.name),), frame))
        self.outcome("delivered", dp, port=port.name, type=port.type)

    def _run_egress(
        self, dp: DatapathBinding, flow: Flow, parent: Node, chassis: str, out_key: int = 0
    ) -> None:
        if chassis == self.here:
            super()._run_egress(dp, flow, parent, chassis, out_key)
            return
        in_key = self.port_key(flow.inport)
        out_key = out_key or self.port_key(flow.outport)
        facts = (("chassis", chassis), ("datapath_key", dp.tunnel_key),
                 ("inport_key", in_key), ("outport_key", out_key))  # fmt: skip
        parent.add(NodeKind.OUTPUT, f"/* tunnel to {chassis} {dict(facts)} */")
        self.raw.append(RawOut("tunnel", facts, self.current(flow).tagged(None)))
        self.outcome("output", dp, port=flow.outport, type="tunnel")

    def _leave_localnet(
        self, dp: DatapathBinding, flow: Flow, port: Port, target: str | None, parent: Node
    ) -> None:
        if flow.inport == port.name:
            # Came in from this localnet port: OpenFlow never sends it back (in_port check).
            self._drop(dp, parent, f'arrived on "{port.name}", not for a port on this chassis')
            return
        view = self.placement.chassis.get(self.here)
        physnet = port.pb.options.get("network_name", "")
        if view is None or physnet not in view.bridges:
            self._drop(dp, parent, f"no ovn-bridge-mappings entry for physnet {physnet!r}")
            return
        wire, why = crossing.wire_src(self.index, self.placement, view, port, flow.get("dl_src"))
        frame = self.current(flow)
        frame = replace(frame, eth_src=mac_text(wire), vlan=port.pb.tag or None)
        receiver = target or self._mac_home(dp, flow.get("dl_dst"))
        facts = (("physnet", physnet), ("bridge", view.bridges[physnet]),
                 ("localnet", port.name), ("vlan", port.pb.tag or None),
                 ("toward", receiver if receiver not in (None, "*", self.here) else None),
                 ("why", why))  # fmt: skip
        parent.add(NodeKind.OUTPUT, f"/* out of {port.name} {dict(facts)} */")
        self.raw.append(RawOut("localnet", facts, frame))
        self.outcome("localnet", dp, port=port.name, type="localnet")


def _ours(act: A.Action) -> bool:
    if isinstance(act, A.Simple):
        return act.name in _CT_SIMPLE
    if isinstance(act, A.Nested):
        return act.name == "ct_commit"
    if isinstance(act, A.Text):
        return act.kind == "set_meter"
    return isinstance(act, A.CtNat | A.CtLb | A.CtCommitV1)


def _meter_args(text: str) -> tuple[int, int | None]:
    """ "set_meter(3000, 300)" -> (3000, 300); "set_meter(3000)" -> (3000, None)."""
    inner = text[text.index("(") + 1 : text.rindex(")")]
    parts = [int(p) for p in inner.split(",")]
    return parts[0], parts[1] if len(parts) > 1 else None


def _ip4(value: int) -> str:
    return f"{value >> 24}.{(value >> 16) & 255}.{(value >> 8) & 255}.{value & 255}"


def _write_addrs(flow: Flow, src: str, dst: str, sport: int, dport: int) -> None:
    if flow.get("dl_type") == ETH_IP:
        flow.set("nw_src", int(ipaddress.IPv4Address(src)))
        flow.set("nw_dst", int(ipaddress.IPv4Address(dst)))
    else:
        flow.set("ipv6_src", int(ipaddress.IPv6Address(src)))
        flow.set("ipv6_dst", int(ipaddress.IPv6Address(dst)))
    if flow.get("nw_proto") not in (PROTO_ICMP, PROTO_ICMP6):
        flow.set("tp_src", sport)
        flow.set("tp_dst", dport)
