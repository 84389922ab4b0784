"""The OVN 23.03 logical-field symbol table (lib/logical-fields.c, ovn_init_symtab).

Symbols are declared as data in `_DECLARATIONS` (in the same order as OVN adds
them); `default_symtab()` builds a fresh `SymbolTable` from it.

Kinds of symbols:
* FIELD     — a whole OVS field, stored in a Flow under `storage` (OVS name),
              possibly at a bit offset inside it (ip.dscp lives in nw_tos[2..7]).
* SUBFIELD  — bits `[parent_ofs, parent_ofs + width)` of another symbol.
* STRING    — inport / outport (logical port names; OVS reg14 / reg15).
* PREDICATE — a name for an expression (`expansion`), 1 bit wide.
* OVN_FIELD — icmp4.frag_mtu / icmp6.frag_mtu, writable pseudo-fields.

Levels follow OVN: a field OVS can mask bit by bit is ORDINAL, otherwise
NOMINAL; a predicate is NOMINAL when its expansion mentions a nominal field,
otherwise BOOLEAN (both allow only == and !=).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import Enum, IntEnum, IntFlag

from ovntwin.errors import ExprSyntaxError
from ovntwin.expr.lexer import Token, TokenKind, ValueFormat, syntax_error, tokenize

__all__ = [
    "FieldRef",
    "Level",
    "STORAGE_WIDTHS",
    "Symbol",
    "SymbolKind",
    "SymbolTable",
    "WriteScope",
    "default_symtab",
]


class SymbolKind(Enum):
    FIELD = "field"
    SUBFIELD = "subfield"
    STRING = "string"
    PREDICATE = "predicate"
    OVN_FIELD = "ovn field"


class Level(IntEnum):
    NOMINAL = 0
    BOOLEAN = 1
    ORDINAL = 2

    @property
    def label(self) -> str:
        return self.name.lower()


class WriteScope(IntFlag):
    NONE = 0
    DEFAULT = 1  # writable by ordinary actions
    CT_COMMIT = 2  # writable only inside ct_commit { }
    ANY = 3


@dataclass(frozen=True, slots=True)
class Symbol:
    name: str
    kind: SymbolKind
    width: int  # 0 for strings
    level: Level
    prereqs: str | None = None
    storage: str | None = None  # FIELD / STRING / OVN_FIELD
    storage_ofs: int = 0  # FIELD: bit offset inside `storage`
    parent: str | None = None  # SUBFIELD
    parent_ofs: int = 0
    expansion: str | None = None  # PREDICATE
    rw: WriteScope = WriteScope.NONE
    must_crossproduct: bool = False

    @property
    def is_string(self) -> bool:
        return self.kind == SymbolKind.STRING

    @property
    def is_predicate(self) -> bool:
        return self.kind == SymbolKind.PREDICATE


@dataclass(frozen=True, slots=True)
class FieldRef:
    """A field or subfield as written (`symbol[ofs..ofs+n_bits-1]`), resolved."""

    symbol: Symbol
    ofs: int
    n_bits: int  # 0 for string fields
    storage: str  # Flow storage key ("inport"/"outport" for strings)
    storage_ofs: int  # absolute bit offset inside storage

    @property
    def is_whole(self) -> bool:
        return self.ofs == 0 and self.n_bits == self.symbol.width

    def __str__(self) -> str:
        """Re-parseable text, as expr_field_format prints it."""
        if self.is_whole:
            return self.symbol.name
        if self.n_bits == 1:
            return f"{self.symbol.name}[{self.ofs}]"
        return f"{self.symbol.name}[{self.ofs}..{self.ofs + self.n_bits - 1}]"


# Bit widths of every Flow storage key (OVS field names; see flow.py).
STORAGE_WIDTHS: Mapping[str, int] = {
    "xxreg0": 128,
    "xxreg1": 128,
    "xreg4": 64,
    "reg10": 32,  # MFF_LOG_FLAGS
    "ct_state": 32,
    "ct_mark": 32,
    "ct_label": 128,
    "dl_src": 48,
    "dl_dst": 48,
    "dl_type": 16,
    "vlan_tci": 16,
    "nw_proto": 8,  # also arp_op, as in OVS
    "nw_tos": 8,  # DSCP in bits 2..7 (ECN kept apart in nw_ecn)
    "nw_ecn": 2,
    "nw_ttl": 8,
    "nw_frag": 2,
    "nw_src": 32,  # also arp.spa
    "nw_dst": 32,  # also arp.tpa
    "ipv6_src": 128,
    "ipv6_dst": 128,
    "ipv6_label": 20,
    "tp_src": 16,  # tcp/udp/sctp src, icmp type
    "tp_dst": 16,  # tcp/udp/sctp dst, icmp code
    "tcp_flags": 12,
    "arp_sha": 48,  # also nd.sll
    "arp_tha": 48,  # also nd.tll
    "nd_target": 128,
    "pkt_mark": 32,
    "icmp4.frag_mtu": 16,
    "icmp6.frag_mtu": 32,
}

_O, _N = Level.ORDINAL, Level.NOMINAL
_RO, _RW, _CT = WriteScope.NONE, WriteScope.DEFAULT, WriteScope.CT_COMMIT


def _field(
    name: str,
    storage: str,
    width: int,
    level: Level = _O,
    prereqs: str | None = None,
    rw: WriteScope = _RW,
    *,
    ofs: int = 0,
    cross: bool = False,
) -> Symbol:
    return Symbol(
        name, SymbolKind.FIELD, width, level, prereqs, storage, ofs, rw=rw, must_crossproduct=cross
    )


def _sub(name: str, parent: str, lo: int, hi: int, prereqs: str | None = None) -> Symbol:
    # Level and write scope are inherited from the parent when the table is built.
    return Symbol(name, SymbolKind.SUBFIELD, hi - lo + 1, _O, prereqs, parent=parent, parent_ofs=lo)


def _pred(name: str, level: Level, expansion: str) -> Symbol:
    return Symbol(name, SymbolKind.PREDICATE, 1, level, expansion=expansion)


_B = Level.BOOLEAN


def _registers() -> tuple[Symbol, ...]:
    """xxreg0-1 (128 bits), xreg0-4 (64), reg0-9 (32), overlaid as in OVN."""
    out = [_field(f"xxreg{i}", f"xxreg{i}", 128) for i in range(2)]
    for x in range(5):
        if x < 4:
            lo = 64 * (1 - x % 2)
            out.append(_sub(f"xreg{x}", f"xxreg{x // 2}", lo, lo + 63))
        else:
            out.append(_field("xreg4", "xreg4", 64))
    for r in range(10):
        if r < 8:
            lo = 32 * (3 - r % 4)
            out.append(_sub(f"reg{r}", f"xxreg{r // 4}", lo, lo + 31))
        else:
            lo = 32 * (1 - r % 2)
            out.append(_sub(f"reg{r}", f"xreg{r // 2}", lo, lo + 31))
    return tuple(out)


_CT_BITS = ("new", "est", "rel", "rpl", "inv", "trk", "snat", "dnat")
_TRK_BIT = 5

_DECLARATIONS: tuple[Symbol, ...] = (
    Symbol("inport", SymbolKind.STRING, 0, _N, storage="inport", rw=_RW),
    Symbol("outport", SymbolKind.STRING, 0, _N, storage="outport", rw=_RW),
    *_registers(),
    _field("flags", "reg10", 32),
    _sub("flags.loopback", "flags", 0, 0),
    _sub("flags.force_snat_for_dnat", "flags", 2, 2),
    _sub("flags.force_snat_for_lb", "flags", 3, 3),
    _sub("flags.skip_snat_for_lb", "flags", 9, 9),
    _sub("flags.use_snat_zone", "flags", 11, 11),
    _field("ct_mark", "ct_mark", 32, rw=_CT),
    _sub("ct_mark.blocked", "ct_mark", 0, 0),
    _sub("ct_mark.natted", "ct_mark", 1, 1),
    _sub("ct_mark.ecmp_reply_port", "ct_mark", 16, 31),
    _sub("ct_mark.skip_snat", "ct_mark", 2, 2),
    _sub("ct_mark.force_snat", "ct_mark", 3, 3),
    _field("ct_label", "ct_label", 128, rw=_CT),
    _sub("ct_label.blocked", "ct_label", 0, 0),
    _sub("ct_label.natted", "ct_label", 1, 1),
    _sub("ct_label.ecmp_reply_eth", "ct_label", 32, 79),
    _sub("ct_label.ecmp_reply_port", "ct_label", 80, 95),
    _sub("ct_label.label", "ct_label", 96, 127),
    _sub("ct_label.skip_snat", "ct_label", 2, 2),
    _sub("ct_label.force_snat", "ct_label", 3, 3),
    _field("ct_state", "ct_state", 32, rw=_RO),
    *(
        _sub(f"ct.{bit}", "ct_state", i, i, None if i == _TRK_BIT else "ct.trk")
        for i, bit in enumerate(_CT_BITS)
    ),
    _field("eth.src", "dl_src", 48),
    _field("eth.dst", "dl_dst", 48),
    _field("eth.type", "dl_type", 16, _N, rw=_RO, cross=True),
    _pred("eth.bcast", _B, "eth.dst == ff:ff:ff:ff:ff:ff"),
    _sub("eth.mcast", "eth.dst", 40, 40),
    _pred("eth.mcastv6", _B, "eth.dst[32..47] == 0x3333"),
    _field("vlan.tci", "vlan_tci", 16),
    _pred("vlan.present", _B, "vlan.tci[12]"),
    _sub("vlan.pcp", "vlan.tci", 13, 15, "vlan.present"),
    _sub("vlan.vid", "vlan.tci", 0, 11, "vlan.present"),
    _pred("ip4", _N, "eth.type == 0x800"),
    _pred("ip6", _N, "eth.type == 0x86dd"),
    _pred("ip", _N, "ip4 || ip6"),
    _field("ip.proto", "nw_proto", 8, _N, "ip", _RO, cross=True),
    _field("ip.dscp", "nw_tos", 6, _N, "ip", ofs=2),
    _field("ip.ecn", "nw_ecn", 2, _N, "ip"),
    _field("ip.ttl", "nw_ttl", 8, _N, "ip"),
    _field("ip4.src", "nw_src", 32, _O, "ip4"),
    _field("ip4.dst", "nw_dst", 32, _O, "ip4"),
    _pred("ip4.src_mcast", _B, "ip4.src[28..31] == 0xe"),
    _pred("ip4.mcast", _B, "eth.mcast && ip4.dst[28..31] == 0xe"),
    _pred("icmp4", _N, "ip4 && ip.proto == 1"),
    _field("icmp4.type", "tp_src", 8, _N, "icmp4"),
    _field("icmp4.code", "tp_dst", 8, _N, "icmp4"),
    _pred("igmp", _N, "ip4 && ip.proto == 2"),
    _field("ip6.src", "ipv6_src", 128, _O, "ip6"),
    _field("ip6.dst", "ipv6_dst", 128, _O, "ip6"),
    _field("ip6.label", "ipv6_label", 20, _O, "ip6"),
    _pred("ip6.mcast_rsvd", _B, "ip6.dst[116..127] == 0xff0 && ip6.dst[0..111] == 0x0"),
    _pred("ip6.mcast_all_nodes", _B, "ip6.dst == ff01::1 || ip6.dst == ff02::1"),
    _pred(
        "ip6.mcast_all_rtrs", _B, "ip6.dst == ff01::2 || ip6.dst == ff02::2 || ip6.dst == ff05::2"
    ),
    _pred("ip6.mcast_sol_node", _B, "ip6.dst == ff02::1:ff00:0000/104"),
    _pred(
        "ip6.mcast_flood",
        _B,
        "eth.mcastv6 && (ip6.mcast_rsvd || ip6.mcast_all_nodes || "
        "ip6.mcast_all_rtrs || ip6.mcast_sol_node)",
    ),
    _pred("ip6.mcast", _B, "eth.mcastv6 && ip6.dst[120..127] == 0xff"),
    _pred("icmp6", _N, "ip6 && ip.proto == 58"),
    _field("icmp6.type", "tp_src", 8, _N, "icmp6", cross=True),
    _field("icmp6.code", "tp_dst", 8, _N, "icmp6", cross=True),
    _pred("icmp", _N, "icmp4 || icmp6"),
    _field("ip.frag", "nw_frag", 2, _O, "ip", _RO),
    _pred("ip.is_frag", _B, "ip.frag[0]"),
    _pred("ip.later_frag", _B, "ip.frag[1]"),
    _pred("ip.first_frag", _B, "ip.is_frag && !ip.later_frag"),
    _pred("arp", _N, "eth.type == 0x806"),
    _field("arp.op", "nw_proto", 16, _N, "arp"),
    _field("arp.spa", "nw_src", 32, _O, "arp"),
    _field("arp.sha", "arp_sha", 48, _O, "arp"),
    _field("arp.tpa", "nw_dst", 32, _O, "arp"),
    _field("arp.tha", "arp_tha", 48, _O, "arp"),
    _pred("rarp", _N, "eth.type == 0x8035"),
    _field("rarp.op", "nw_proto", 16, _N, "rarp"),
    _field("rarp.spa", "nw_src", 32, _O, "rarp"),
    _field("rarp.sha", "arp_sha", 48, _O, "rarp"),
    _field("rarp.tpa", "nw_dst", 32, _O, "rarp"),
    _field("rarp.tha", "arp_tha", 48, _O, "rarp"),
    _pred("nd", _N, "icmp6.type == {135, 136} && icmp6.code == 0 && ip.ttl == 255"),
    _pred("nd_ns", _N, "icmp6.type == 135 && icmp6.code == 0 && ip.ttl == 255"),
    _pred("nd_na", _N, "icmp6.type == 136 && icmp6.code == 0 && ip.ttl == 255"),
    _pred("nd_rs", _N, "icmp6.type == 133 && icmp6.code == 0 && ip.ttl == 255"),
    _pred("nd_ra", _N, "icmp6.type == 134 && icmp6.code == 0 && ip.ttl == 255"),
    _field("nd.target", "nd_target", 128, _O, "nd"),
    _field("nd.sll", "arp_sha", 48, _O, "nd_ns"),
    _field("nd.tll", "arp_tha", 48, _O, "nd_na"),
    _pred("mldv1", _N, "ip6.src == fe80::/10 && icmp6.type == {130, 131, 132}"),
    _pred("mldv2", _N, "ip6.dst == ff02::16 && icmp6.type == 143"),
    _pred("tcp", _N, "ip.proto == 6"),
    _field("tcp.src", "tp_src", 16, _O, "tcp"),
    _field("tcp.dst", "tp_dst", 16, _O, "tcp"),
    _field("tcp.flags", "tcp_flags", 12, _O, "tcp", _RO),
    _pred("udp", _N, "ip.proto == 17"),
    _field("udp.src", "tp_src", 16, _O, "udp"),
    _field("udp.dst", "tp_dst", 16, _O, "udp"),
    _pred("sctp", _N, "ip.proto == 132"),
    _field("sctp.src", "tp_src", 16, _O, "sctp"),
    _field("sctp.dst", "tp_dst", 16, _O, "sctp"),
    _field("pkt.mark", "pkt_mark", 32),
    Symbol("icmp4.frag_mtu", SymbolKind.OVN_FIELD, 16, _N, storage="icmp4.frag_mtu", rw=_RW | _CT),
    Symbol("icmp6.frag_mtu", SymbolKind.OVN_FIELD, 32, _N, storage="icmp6.frag_mtu", rw=_RW | _CT),
)


class SymbolTable:
    """Name → Symbol, with subfield resolution down to Flow storage bits."""

    def __init__(self, declarations: tuple[Symbol, ...]) -> None:
        self._symbols: dict[str, Symbol] = {}
        for decl in declarations:
            self._add(decl)

    def _add(self, sym: Symbol) -> None:
        if sym.kind == SymbolKind.SUBFIELD:
            parent = self._symbols[sym.parent or ""]
            # A subfield inherits the level and the write scope of its parent.
            scope = sym.rw if sym.rw else (WriteScope.ANY if parent.rw else WriteScope.NONE)
            sym = Symbol(
                sym.name,
                sym.kind,
                sym.width,
                parent.level,
                sym.prereqs,
                parent=sym.parent,
                parent_ofs=sym.parent_ofs,
                rw=scope & parent.rw,
            )
        self._symbols[sym.name] = sym

    # --- lookup -------------------------------------------------------------

    def lookup(self, name: str) -> Symbol | None:
        return self._symbols.get(name)

    def __getitem__(self, name: str) -> Symbol:
        return self._symbols[name]

    def __contains__(self, name: object) -> bool:
        return name in self._symbols

    def __iter__(self) -> Iterator[Symbol]:
        return iter(self._symbols.values())

    def __len__(self) -> int:
        return len(self._symbols)

    # --- resolution ---------------------------------------------------------

    def base(self, sym: Symbol, ofs: int = 0) -> tuple[Symbol, int]:
        """Follow SUBFIELD parents: (field/string/ovn-field symbol, offset in it)."""
        while sym.kind == SymbolKind.SUBFIELD:
            ofs += sym.parent_ofs
            sym = self._symbols[sym.parent or ""]
        return sym, ofs

    def ref(self, sym: Symbol, ofs: int = 0, n_bits: int | None = None) -> FieldRef:
        """Resolve bits [ofs, ofs+n_bits) of `sym` to Flow storage."""
        width = sym.width if n_bits is None else n_bits
        if sym.is_predicate:  # predicates have no storage; only matches use them
            return FieldRef(sym, ofs, width, "", 0)
        base, base_ofs = self.base(sym, ofs)
        assert base.storage is not None
        return FieldRef(sym, ofs, width, base.storage, base.storage_ofs + base_ofs)

    def resolve(self, text: str) -> FieldRef:
        """Parse `name` or `name[lo]` or `name[lo..hi]` into a FieldRef.

        Raises ExprSyntaxError with OVN's messages for unknown names and bad ranges.
        """
        tokens = tokenize(text)
        ref, pos = self.parse_field_tokens(tokens, 0, text)
        if tokens[pos].kind != TokenKind.END:
            raise ExprSyntaxError(
                f"Syntax error at `{tokens[pos].text}' expecting end of input.",
                text,
                tokens[pos].column,
            )
        return ref

    def parse_field_tokens(self, tokens: list[Token], pos: int, text: str) -> tuple[FieldRef, int]:
        """Parse a (sub)field starting at tokens[pos]; returns (ref, next position)."""
        tok = tokens[pos]
        sym = self._symbols.get(tok.text) if tok.kind == TokenKind.ID else None
        if sym is None:
            raise syntax_error(tok, text, "expecting field name")
        pos += 1
        if tokens[pos].kind != TokenKind.LSQUARE:
            return self.ref(sym), pos
        if sym.is_string:
            raise ExprSyntaxError(
                f"Cannot select subfield of string field {sym.name}.", text, tokens[pos].column
            )
        low, pos = _small_int(tokens, pos + 1, text)
        high = low
        if tokens[pos].kind == TokenKind.ELLIPSIS:
            high, pos = _small_int(tokens, pos + 1, text)
        if tokens[pos].kind != TokenKind.RSQUARE:
            raise syntax_error(tokens[pos], text, "expecting `]'")
        column = tok.column
        if low > high:
            raise ExprSyntaxError(f"Invalid bit range {low} to {high}.", text, column)
        if high >= sym.width:
            raise ExprSyntaxError(
                f"Cannot select bits {low} to {high} of {sym.width}-bit field {sym.name}.",
                text,
                column,
            )
        if sym.level == Level.NOMINAL and (low != 0 or high != sym.width - 1):
            raise ExprSyntaxError(
                f"Cannot select subfield of nominal field {sym.name}.", text, column
            )
        return self.ref(sym, low, high - low + 1), pos + 1


_INT_MAX = 2**31 - 1


def _small_int(tokens: list[Token], pos: int, text: str) -> tuple[int, int]:
    tok = tokens[pos]
    if (
        tok.kind == TokenKind.INTEGER
        and tok.format == ValueFormat.DECIMAL
        and isinstance(tok.value, int)
        and tok.value <= _INT_MAX
    ):
        return tok.value, pos + 1
    raise syntax_error(tok, text, "expecting small integer")


def default_symtab() -> SymbolTable:
    """A fresh table with every symbol of OVN 23.03's ovn_init_symtab()."""
    return SymbolTable(_DECLARATIONS)
