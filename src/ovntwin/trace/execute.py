"""Execution of individual actions on a Flow, adding trace nodes as ovn-trace does."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ovntwin.expr.flow import Flow
from ovntwin.expr.symtab import FieldRef
from ovntwin.southbound.rows import DatapathBinding
from ovntwin.trace import effects
from ovntwin.trace.actions import ast as A
from ovntwin.trace.flowfmt import ETH_IP, ETH_IPV6, ct_flags, ip4, ip6, mac
from ovntwin.trace.tree import Node, NodeKind

if TYPE_CHECKING:
    from ovntwin.trace.interp import Tracer

# OVS storage keys that are registers (changes to them are not "visible" modifications).
REGISTER_STORAGE = frozenset({"xxreg0", "xxreg1", "xreg4", "reg10", "inport", "outport"})
_MAC_FIELDS = frozenset({"dl_src", "dl_dst", "arp_sha", "arp_tha"})
_IP6_FIELDS = frozenset({"ipv6_src", "ipv6_dst", "nd_target"})
_DECIMAL_FIELDS = frozenset({"nw_ttl", "nw_proto", "nw_tos", "nw_ecn", "tp_src", "tp_dst"})
CS_SNAT, CS_DNAT, CS_TRACKED = 0x40, 0x80, 0x20
_CT_FIELDS = ("ct_state", "ct_mark", "ct_label")


def resolve(tracer: Tracer, f: A.Field) -> FieldRef:
    return tracer.symtab.resolve(f.format())


def run(
    tracer: Tracer, act: A.Action, dp: DatapathBinding, flow: Flow, table: int,
    pipeline: str, parent: Node, stack: list[tuple[int, int]],
) -> None:  # fmt: skip
    if isinstance(act, A.Load):
        _load(tracer, act, dp, flow, parent)
    elif isinstance(act, A.Move):
        _move(tracer, act, flow, parent)
    elif isinstance(act, A.PushPop):
        _push_pop(tracer, act, flow, parent, stack)
    elif isinstance(act, A.Simple):
        _simple(tracer, act, dp, flow, pipeline, parent)
    elif isinstance(act, A.CtNat):
        _ct_nat(tracer, act, dp, flow, pipeline, parent)
    elif isinstance(act, A.CtLb):
        _ct_lb(tracer, act, dp, flow, pipeline, parent)
    elif isinstance(act, A.Select):
        _select(tracer, act, dp, flow, pipeline, parent)
    elif isinstance(act, A.Nested):
        effects.nested(tracer, act, dp, flow, table, pipeline, parent)
    elif isinstance(act, A.Call):
        effects.call(tracer, act, dp, flow, parent)
    elif isinstance(act, A.Text):
        effects.text_action(tracer, act, flow, pipeline, parent)
    # CtCommitV1 and the remaining actions have no effect on a trace.


def format_value(ref: FieldRef, value: int) -> str:
    """mf_format() of a whole OVS field, or a hex dump of a subfield."""
    storage = ref.storage
    whole = ref.storage_ofs == 0 and ref.n_bits >= _storage_width(ref)
    if not whole:
        return f"0x{value:x}" if value else "0"
    if storage in _MAC_FIELDS:
        return mac(value)
    if storage in ("nw_src", "nw_dst"):
        return ip4(value)
    if storage in _IP6_FIELDS:
        return ip6(value)
    if storage in _DECIMAL_FIELDS:
        return str(value)
    return f"0x{value:x}"


def _storage_width(ref: FieldRef) -> int:
    from ovntwin.expr.symtab import STORAGE_WIDTHS

    return STORAGE_WIDTHS.get(ref.storage, ref.n_bits)


def _load(tracer: Tracer, act: A.Load, dp: DatapathBinding, flow: Flow, parent: Node) -> None:
    ref = resolve(tracer, act.dst)
    if act.dst.name in ("icmp4.frag_mtu", "icmp6.frag_mtu"):
        parent.add(NodeKind.MODIFY, act.format().removesuffix(";"))
        return
    if ref.symbol.is_string:
        name = str(act.value.value)
        known = tracer.index.port_in(dp, name) or tracer.index.group(dp, name) is not None
        flow.write_ref(ref, name if known else "")  # unknown names (and "none") load key 0
        return
    if ref.storage not in REGISTER_STORAGE:
        parent.add(NodeKind.MODIFY, tracer.index.friendly_text(act.format().removesuffix(";")))
    assert isinstance(act.value.value, int)
    value, mask = act.value.value, act.value.mask
    if mask is None:
        flow.write_ref(ref, value)
    else:
        old = flow.read_ref(ref)
        assert isinstance(old, int)
        flow.write_ref(ref, (old & ~mask) | (value & mask))


def _summarize_move(tracer: Tracer, dst: A.Field, dref: FieldRef, value: int | str, sref: FieldRef,
                    parent: Node) -> None:  # fmt: skip
    if dref.storage in REGISTER_STORAGE:
        return
    shown = value if isinstance(value, str) else format_value(sref, value)
    parent.add(NodeKind.MODIFY, f"{dst.format()} = {shown}")


def _move(tracer: Tracer, act: A.Move, flow: Flow, parent: Node) -> None:
    dref, sref = resolve(tracer, act.dst), resolve(tracer, act.src)
    dval, sval = flow.read_ref(dref), flow.read_ref(sref)
    _summarize_move(tracer, act.dst, dref, sval, sref, parent)
    if act.exchange:
        _summarize_move(tracer, act.src, sref, dval, dref, parent)
        flow.write_ref(sref, dval)
    flow.write_ref(dref, sval)


def _push_pop(tracer: Tracer, act: A.PushPop, flow: Flow, parent: Node,
              stack: list[tuple[int, int]]) -> None:  # fmt: skip
    ref = resolve(tracer, act.field)
    if act.push:
        value = flow.read_ref(ref)
        assert isinstance(value, int)
        stack.append((value, ref.n_bits))
        parent.add(NodeKind.MODIFY, f"push({act.field.format()}) -> {_hex(value)}")
        return
    if not stack:
        parent.add(NodeKind.MODIFY, f"pop({act.field.format()}) <- /* empty stack */")
        return
    value, _bits = stack.pop()
    value &= (1 << ref.n_bits) - 1
    flow.write_ref(ref, value)
    parent.add(NodeKind.MODIFY, f"pop({act.field.format()}) <- {_hex(value)}")


def _hex(value: int) -> str:
    return f"0x{value:x}" if value else "0"


def _simple(tracer: Tracer, act: A.Simple, dp: DatapathBinding, flow: Flow, pipeline: str,
            parent: Node) -> None:  # fmt: skip
    if act.name == "ip.ttl--":
        if flow.get("dl_type") not in (ETH_IP, ETH_IPV6):
            parent.add(NodeKind.ERROR, "*** TTL decrement of non-IP packet")
            tracer.outcome("dropped", dp, reason="TTL decrement of non-IP packet")
        elif flow.get("nw_ttl"):
            flow.set("nw_ttl", flow.get("nw_ttl") - 1)
            parent.add(NodeKind.MODIFY, "ip.ttl--")
        else:
            parent.add(NodeKind.ERROR, "*** TTL underflow")
            tracer.outcome("dropped", dp, reason="TTL underflow")
    elif act.name == "ct_next":
        state, comment = tracer.next_ct_state()
        text = f"ct_next(ct_state={ct_flags(state)}{comment})"
        node = parent.add(NodeKind.TRANSFORMATION, text, ct_state=ct_flags(state))
        forked = flow.copy()
        forked.set("ct_state", state)
        tracer.table(dp, forked, act.table, pipeline, node)
    elif act.name == "ct_commit_nat":
        forked = flow.copy()
        text = "ct_commit_nat /* assuming no un-nat entry, so no change */"
        text += _track(tracer, forked)
        node = parent.add(
            NodeKind.TRANSFORMATION, text, nat="commit", ct_state=ct_flags(forked.get("ct_state"))
        )
        tracer.table(dp, forked, act.table, pipeline, node)
    elif act.name == "ct_clear":
        for key in _CT_FIELDS:
            flow.set(key, 0)


def _ct_nat(tracer: Tracer, act: A.CtNat, dp: DatapathBinding, flow: Flow, pipeline: str,
            parent: Node) -> None:  # fmt: skip
    is_dst = act.name.startswith("ct_dnat")
    if not is_dst and act.ip is None and dp.uuid in tracer.index.l3gateway_dps:
        return  # ovn-trace: "ct_snat;" in a gateway router ends the path here
    forked = flow.copy()
    czone = "in_czone" if act.name.endswith("_in_czone") else ""
    text = f"ct_{'d' if is_dst else 's'}nat{czone}"  # sic: no underscore, as ovn-trace prints
    direction = "dst" if is_dst else "src"
    info: dict[str, object] = {"nat": f"{direction[0]}nat", "czone": bool(czone)}
    translation = ""
    if act.ip is not None:
        family = "ip6" if act.ipv6 else "ip4"
        translation = f"{family}.{direction}={act.ip}"
        text += f"({translation})"
        forked.write(tracer.symtab, f"{family}.{direction}", _ip_value(act.ip, act.ipv6))
        forked.set("ct_state", forked.get("ct_state") | (CS_DNAT if is_dst else CS_SNAT))
        info["set"] = translation
    else:
        text += f" /* assuming no un-{direction[0]}nat entry, so no change */"
    text += _track(tracer, forked)
    info["ct_state"] = ct_flags(forked.get("ct_state"))
    node = parent.add(NodeKind.TRANSFORMATION, text, **info)
    if translation:
        tracer.nat.append(translation)
    try:
        tracer.table(dp, forked, act.table, pipeline, node)
    finally:
        if translation:
            tracer.nat.pop()


def _track(tracer: Tracer, flow: Flow) -> str:
    """NAT on an untracked packet takes the next --ct state; returns the note to print."""
    if flow.get("ct_state") & CS_TRACKED:
        return ""
    state, comment = tracer.next_ct_state()
    flow.set("ct_state", flow.get("ct_state") | state)
    return comment


def _ip_value(text: str, v6: bool) -> int:
    import socket

    family = socket.AF_INET6 if v6 else socket.AF_INET
    return int.from_bytes(socket.inet_pton(family, text), "big")


def _ct_lb(tracer: Tracer, act: A.CtLb, dp: DatapathBinding, flow: Flow, pipeline: str,
           parent: Node) -> None:  # fmt: skip
    forked = flow.copy()
    comment = ""
    dl_type = flow.get("dl_type")
    if dl_type in (ETH_IP, ETH_IPV6):
        v6 = dl_type == ETH_IPV6
        candidates = [b for b in act.backends if b.ipv6 == v6]
        chosen = next((b for b in candidates if b.ip == tracer.lb_dst), None)
        # ovn-trace picks a random backend here; we take the first, to be deterministic.
        chosen = chosen or (candidates[0] if candidates else None)
        if act.backends and chosen is None:
            parent.add(NodeKind.ERROR, "*** no load balancing destination (use --lb-dst)")
        if chosen is not None:
            family = "ip6" if v6 else "ip4"
            forked.write(tracer.symtab, f"{family}.dst", _ip_value(chosen.ip, v6))
            if chosen.port:
                forked.set("tp_dst", chosen.port)
            forked.set("ct_state", forked.get("ct_state") | CS_DNAT)
        state, comment = tracer.next_ct_state()
        forked.set("ct_state", forked.get("ct_state") | state)
    node = parent.add(NodeKind.TRANSFORMATION, f"{'ct_lb_mark' if act.mark else 'ct_lb'}{comment}")
    tracer.table(dp, forked, act.table, pipeline, node)


def _select(tracer: Tracer, act: A.Select, dp: DatapathBinding, flow: Flow, pipeline: str,
            parent: Node) -> None:  # fmt: skip
    ids = [i for i, _w in act.members]
    user = tracer.select_id in ids
    # ovn-trace picks a random member without --select-id; we take the first.
    chosen = tracer.select_id if user and tracer.select_id is not None else ids[0]
    forked = flow.copy()
    forked.write_ref(resolve(tracer, act.dst), chosen)
    note = "" if user else " /* Randomly selected. Use --select-id to specify. */"
    node = parent.add(NodeKind.TRANSFORMATION, f"select: {act.dst.format()} = {chosen}{note}")
    tracer.table(dp, forked, act.table, pipeline, node)
