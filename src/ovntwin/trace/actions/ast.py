"""Action syntax tree. Every node formats itself exactly as OVN's action formatter.

Constants keep the token they were written as, so `arp.op = 2` stays decimal and
`eth.src = fa:16:3e:00:00:01` stays Ethernet; comments are gone after parsing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ovntwin.expr.lexer import Token, TokenKind, format_token

INGRESS, EGRESS = "ingress", "egress"


@dataclass(frozen=True, slots=True)
class Field:
    """`name`, `name[lo]` or `name[lo..hi]`; `whole` = the slice covers the symbol."""

    name: str
    lo: int | None = None
    hi: int | None = None
    whole: bool = False

    def format(self) -> str:
        if self.lo is None or self.hi is None or self.whole:
            return self.name
        if self.lo == self.hi:
            return f"{self.name}[{self.lo}]"
        return f"{self.name}[{self.lo}..{self.hi}]"


@dataclass(frozen=True, slots=True)
class Action:
    def format(self) -> str:
        raise NotImplementedError


def format_actions(actions: Sequence[Action]) -> str:
    """ovnacts_format: actions joined by one space, `drop;` when empty."""
    return " ".join(a.format() for a in actions) if actions else "drop;"


@dataclass(frozen=True, slots=True)
class Output(Action):
    def format(self) -> str:
        return "output;"


@dataclass(frozen=True, slots=True)
class Next(Action):
    pipeline: str
    table: int
    src_pipeline: str
    src_table: int

    def format(self) -> str:
        if self.pipeline != self.src_pipeline:
            return f"next(pipeline={self.pipeline}, table={self.table});"
        if self.table != self.src_table + 1:
            return f"next({self.table});"
        return "next;"


@dataclass(frozen=True, slots=True)
class Load(Action):
    dst: Field
    value: Token  # INTEGER, MASKED_INTEGER or STRING

    def format(self) -> str:
        if self.dst.name in ("icmp4.frag_mtu", "icmp6.frag_mtu"):
            return f"{self.dst.name} = {self.value.value};"
        return f"{self.dst.format()} = {format_token(self.value)};"

    @property
    def is_string(self) -> bool:
        return self.value.kind is TokenKind.STRING


@dataclass(frozen=True, slots=True)
class Move(Action):
    dst: Field
    src: Field
    exchange: bool = False

    def format(self) -> str:
        op = "<->" if self.exchange else "="
        return f"{self.dst.format()} {op} {self.src.format()};"


@dataclass(frozen=True, slots=True)
class PushPop(Action):
    field: Field
    push: bool

    def format(self) -> str:
        return f"{'push' if self.push else 'pop'}({self.field.format()});"


@dataclass(frozen=True, slots=True)
class Simple(Action):
    """Argument-less actions: ip.ttl--, ct_next, ct_clear, ct_commit_nat, igmp, ..."""

    name: str  # the formatted text without the semicolon
    table: int = 0  # continuation table for ct_next / ct_commit_nat

    def format(self) -> str:
        return f"{self.name};"


@dataclass(frozen=True, slots=True)
class Nested(Action):
    """clone/arp/nd_*/icmp*/tcp_reset/sctp_abort/reject/ct_commit { ... }."""

    name: str
    actions: tuple[Action, ...]

    def format(self) -> str:
        if self.name == "ct_commit" and not self.actions:
            return "ct_commit;"
        return f"{self.name} {{ {format_actions(self.actions)} }};"


@dataclass(frozen=True, slots=True)
class CtCommitV1(Action):
    mark: int | None = None
    mark_mask: int | None = None
    label: int | None = None
    label_mask: int | None = None

    def format(self) -> str:
        parts = []
        if self.mark is not None:
            text = f"ct_mark={_hexc(self.mark)}"
            if self.mark_mask is not None and self.mark_mask != 0xFFFFFFFF:
                text += f"/{_hexc(self.mark_mask)}"
            parts.append(text)
        if self.label is not None:
            text = f"ct_label={_hex(self.label)}"
            if self.label_mask is not None and self.label_mask != (1 << 128) - 1:
                text += f"/{_hex(self.label_mask)}"
            parts.append(text)
        return f"ct_commit({', '.join(parts)});" if parts else "ct_commit;"


def _hexc(v: int) -> str:
    return f"{v:#x}" if v else "0"


def _hex(v: int) -> str:
    return f"0x{v:x}" if v else "0"


@dataclass(frozen=True, slots=True)
class CtNat(Action):
    name: str  # ct_dnat | ct_snat | ct_dnat_in_czone | ct_snat_in_czone
    table: int
    ip: str | None = None  # canonical text
    ipv6: bool = False
    port_lo: int | None = None
    port_hi: int | None = None

    def format(self) -> str:
        text = self.name
        if self.ip is not None:
            text += f"({self.ip})"
        if self.port_lo is not None:
            text = text.removesuffix(")") + f",{self.port_lo}"
            if self.port_hi:
                text += f"-{self.port_hi}"
            text += ")"
        return text + ";"


@dataclass(frozen=True, slots=True)
class Backend:
    ip: str  # canonical text
    ipv6: bool
    port: int = 0


@dataclass(frozen=True, slots=True)
class CtLb(Action):
    mark: bool
    table: int
    backends: tuple[Backend, ...] = ()
    hash_fields: str | None = None
    flag: str | None = None  # skip_snat | force_snat

    def format(self) -> str:
        text = "ct_lb_mark" if self.mark else "ct_lb"
        if self.backends:
            items = []
            for b in self.backends:
                if not b.ipv6:
                    items.append(f"{b.ip}:{b.port}" if b.port else b.ip)
                else:
                    items.append(f"[{b.ip}]:{b.port}" if b.port else b.ip)
            text += "(backends=" + ",".join(items)
            if self.hash_fields is not None:
                text += f'; hash_fields="{self.hash_fields}"'
            if self.flag:
                text += f"; {self.flag}"
            text += ")"
        return text + ";"


@dataclass(frozen=True, slots=True)
class Select(Action):
    dst: Field
    members: tuple[tuple[int, int], ...]  # (id, weight)
    table: int

    def format(self) -> str:
        body = ", ".join(f"{i}={w}" for i, w in self.members)
        return f"{self.dst.format()} = select({body});"


@dataclass(frozen=True, slots=True)
class Call(Action):
    """`[dst = ]name(arg, ...)` whose arguments are fields (get_arp, lookup_*, put_fdb...)."""

    name: str
    args: tuple[Field, ...] = ()
    dst: Field | None = None

    def format(self) -> str:
        args = ", ".join(a.format() for a in self.args)
        head = f"{self.dst.format()} = " if self.dst is not None else ""
        return f"{head}{self.name}({args});"


@dataclass(frozen=True, slots=True)
class Text(Action):
    """Actions that are only printed (already canonical text without the semicolon)."""

    text: str
    kind: str = ""  # action name, for the interpreter
    dst: Field | None = None  # result field of put_*_opts / check_pkt_larger
    info: tuple[tuple[str, str], ...] = ()

    def format(self) -> str:
        return f"{self.text};"

    def get(self, key: str, default: str = "") -> str:
        return dict(self.info).get(key, default)
