"""The tracer proper: tables, `next`, `output` and the action loop (ovn-trace semantics)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ovntwin.expr.flow import Flow
from ovntwin.expr.symtab import SymbolTable
from ovntwin.southbound.rows import DatapathBinding
from ovntwin.trace import execute
from ovntwin.trace.actions import ast as A
from ovntwin.trace.outcome import Outcome
from ovntwin.trace.sbindex import CompiledFlow, Port, SbIndex
from ovntwin.trace.tree import Node, NodeKind

MAX_TABLES = 32  # beyond every 23.03 pipeline; stops a runaway table scan
REGISTERS = ("xxreg0", "xxreg1", "xreg4", "reg10")  # OVS reg0..reg10 (flags included)
_LOOPBACK_BIT = 0  # flags.loopback = reg10[0]


@dataclass
class Tracer:
    index: SbIndex
    symtab: SymbolTable
    ct_states: list[int]
    lb_dst: str | None = None
    select_id: int | None = None
    outcomes: list[Outcome] = field(default_factory=list)
    _ct_used: int = 0
    synthetic: list[str] = field(default_factory=list)  # e.g. ["arp"] inside arp { }
    nat: list[str] = field(default_factory=list)  # translations on the current path

    # --- conntrack states from --ct --------------------------------------------
    def next_ct_state(self) -> tuple[int, str]:
        if self._ct_used < len(self.ct_states):
            self._ct_used += 1
            return self.ct_states[self._ct_used - 1], ""
        return 0x22, " /* default (use --ct to customize) */"  # est|trk

    def port_key(self, name: str) -> int:
        """The tunnel key a logical port or multicast group name stands for (0 = none)."""
        port = self.index.ports.get(name)
        if port is not None:
            return port.pb.tunnel_key
        groups = (g.tunnel_key for g in self.index.sb.multicast_groups if g.name == name)
        return next(groups, 0)

    def outcome(self, kind: str, dp: DatapathBinding, **info: str) -> None:
        self.outcomes.append(
            Outcome(
                kind,
                self.index.dp_names[dp.uuid],
                packet="/".join(self.synthetic),
                nat=tuple(self.nat),
                **info,
            )  # fmt: skip
        )

    # --- tables ------------------------------------------------------------------
    def table(
        self, dp: DatapathBinding, flow: Flow, table: int, pipeline: str, parent: Node
    ) -> None:
        found: CompiledFlow | None = None
        while table < MAX_TABLES:
            found = self.index.lookup(dp, pipeline, table, flow)
            if not _may_omit(found, table):
                break
            table += 1
        if found is None:
            stage = self.index.stage_name(dp, pipeline, table)
            text = f"{table:2d}. {stage + ': ' if stage else ''}no match (implicit drop)"
            parent.add(NodeKind.TABLE, text, pipeline=pipeline, table=table, stage=stage)
            self.outcome("dropped", dp, stage=stage, reason="no match (implicit drop)")
            return
        lf = found.lflow
        head = f"{lf.stage_name} ({lf.source}): " if lf.source else f"{lf.stage_name}: "
        text = f"{table:2d}. {head}{found.match_text}, priority {lf.priority}, uuid {lf.uuid[:8]}"
        node = parent.add(
            NodeKind.TABLE, text, pipeline=pipeline, table=table, stage=lf.stage_name,
            priority=lf.priority, uuid=lf.uuid, source=lf.source,
        )  # fmt: skip
        before = len(self.outcomes)
        self.actions(found.actions.actions, dp, flow, table, pipeline, node)
        if len(self.outcomes) == before and not _continues(node):
            self.outcome("stopped", dp, stage=lf.stage_name, reason="no further processing")

    def actions(
        self, acts: Sequence[A.Action], dp: DatapathBinding, flow: Flow, table: int,
        pipeline: str, parent: Node,
    ) -> None:  # fmt: skip
        if not acts:
            parent.add(NodeKind.ACTION, "drop;")
            stage = self.index.stage_name(dp, pipeline, table)
            self.outcome("dropped", dp, stage=stage, reason="drop action")
            return
        stack: list[tuple[int, int]] = []
        for act in acts:
            parent.add(NodeKind.ACTION, self.index.friendly_text(act.format()))
            if isinstance(act, A.Output):
                self.output(dp, flow, pipeline, parent)
            elif isinstance(act, A.Next):
                self.next(act, dp, flow, pipeline, parent)
            else:
                execute.run(self, act, dp, flow, table, pipeline, parent, stack)

    def next(
        self, act: A.Next, dp: DatapathBinding, flow: Flow, pipeline: str, parent: Node
    ) -> None:
        if act.pipeline != pipeline:
            ingress = act.pipeline == A.INGRESS
            port = flow.inport if ingress else flow.outport
            text = (
                f'{act.pipeline}(dp="{self.index.dp_names[dp.uuid]}", '
                f'{"inport" if ingress else "outport"}="{self.port_label(dp, port)}")'
            )
            parent = parent.add(NodeKind.PIPELINE, text, datapath=self.index.dp_names[dp.uuid])
        self.table(dp, flow, act.table, act.pipeline, parent)

    def port_label(self, dp: DatapathBinding, name: str) -> str:
        port = self.index.port_in(dp, name)
        return port.friendly if port else ("" if not name else "(unnamed)")

    # --- output ------------------------------------------------------------------
    def output(self, dp: DatapathBinding, flow: Flow, pipeline: str, parent: Node) -> None:
        name = flow.outport
        if not name:
            parent.add(NodeKind.ERROR, "*** output to null logical port")
            self.outcome("dropped", dp, reason="output to null logical port")
            return
        port = self.index.port_in(dp, name)
        members = self.index.group(dp, name)
        out_name = port.friendly if port else name if members is not None else "(unnamed)"
        if port is None and members is None:
            parent.add(NodeKind.ERROR, f"*** unknown port or multicast group {name}")
        if pipeline == A.EGRESS:
            self.egress_output(dp, flow, port, out_name, parent)
            return
        egress = flow.copy()
        for reg in REGISTERS:
            egress.set(reg, 0)
        in_label = self.port_label(dp, flow.inport)
        loopback = bool(flow.get_bits("reg10", _LOOPBACK_BIT, 1))
        dp_name = self.index.dp_names[dp.uuid]
        if members is not None:
            mc = parent.add(NodeKind.PIPELINE, f'multicast(dp="{dp_name}", mcgroup="{name}")')
            for member in members:
                p = self.index.ports[member]
                sub = mc.add(
                    NodeKind.PIPELINE,
                    f'egress(dp="{dp_name}", inport="{in_label}", outport="{p.friendly}")',
                )
                if member != flow.inport or loopback:
                    sub.always_indent = True
                    egress.outport = member  # ovn-trace reuses one flow for all members
                    self.table(dp, egress, 0, A.EGRESS, sub)
                else:
                    sub.add(NodeKind.OUTPUT, _OMIT)
            return
        if port is not None and port.type == "chassisredirect":
            port, out_name = self.redirect(dp, port, parent)
            if port is None:
                return
            egress.outport = port.name
        if (port is not None and port.name != flow.inport) or loopback:
            text = f'egress(dp="{dp_name}", inport="{in_label}", outport="{out_name}")'
            self.table(dp, egress, 0, A.EGRESS, parent.add(NodeKind.PIPELINE, text))
        else:
            parent.add(NodeKind.OUTPUT, _OMIT)
            self.outcome("dropped", dp, reason="inport == outport && !flags.loopback")

    def redirect(self, dp: DatapathBinding, port: Port, parent: Node) -> tuple[Port | None, str]:
        target = self.index.port_in(dp, port.pb.options.get("distributed-port", ""))
        if target is None:
            parent.add(
                NodeKind.ERROR,
                f'*** output to type "{port.type}" port "{port.friendly}" '
                "with no or invalid distributed port",
            )
            return None, ""
        parent.add(
            NodeKind.OUTPUT,
            f'/* Replacing type "{port.type}" outport "{port.friendly}" with distributed '
            f'port "{target.friendly}". */',
            redirect=port.name, distributed_port=target.name,
        )  # fmt: skip
        return target, target.friendly

    def egress_output(
        self, dp: DatapathBinding, flow: Flow, port: Port | None, out_name: str, parent: Node
    ) -> None:
        ptype = port.type if port is not None else ""
        parent.add(NodeKind.OUTPUT, f'/* output to "{out_name}", type "{ptype}" */')
        if port is not None and port.peer and port.peer in self.index.ports:
            peer = self.index.ports[port.peer]
            text = f'ingress(dp="{self.index.dp_names[peer.dp.uuid]}", inport="{peer.friendly}")'
            node = parent.add(NodeKind.PIPELINE, text)
            moved = flow.copy()
            moved.inport, moved.outport = peer.name, ""
            self.table(peer.dp, moved, 0, A.INGRESS, node)
            return
        parent.add(NodeKind.MODIFY, f'output("{out_name}")')
        kind = {"localnet": "localnet", "": "delivered"}.get(ptype, "output")
        self.outcome(kind, dp, port=out_name, type=ptype)


_OMIT = "/* omitting output because inport == outport && !flags.loopback */"


def _may_omit(found: CompiledFlow | None, table: int) -> bool:
    """ovn-trace silently skips `1 => next;` flows that just go to the next table."""
    if found is None or not found.always or len(found.actions.actions) != 1:
        return False
    act = found.actions.actions[0]
    return isinstance(act, A.Next) and act.table == table + 1


def _continues(node: Node) -> bool:
    """True when the subtree went on to another table or pipeline (no outcome needed)."""
    for child in node.children:
        if child.kind in (NodeKind.TABLE, NodeKind.PIPELINE, NodeKind.TRANSFORMATION):
            return True
        if _continues(child):
            return True
    return False
