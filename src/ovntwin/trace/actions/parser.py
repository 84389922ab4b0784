"""Parser for OVN logical-flow actions (the grammar of lib/actions.c, our own code).

`parse_actions(text, pipeline, table)` returns the action list plus the
prerequisites the actions add to the flow's match: explicit predicates (`ip` for
`ip.ttl--`, `ip4` for `arp {...}`, ...) and every field the actions touch (whose
own prerequisites come from the symbol table).
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from dataclasses import dataclass, field

from ovntwin.errors import ExprSyntaxError
from ovntwin.expr.lexer import Token, TokenKind, ValueFormat, format_token, tokenize
from ovntwin.trace.actions import ast as A
from ovntwin.trace.actions.calls import parse_named

Widths = Callable[[str], int | None]

# Nested actions and the predicate each adds to the match (None: inner prereqs bubble up).
NESTED: dict[str, str | None] = {
    "clone": None, "reject": None, "arp": "ip4", "icmp4": "ip4", "icmp4_error": "ip4",
    "icmp6": "ip6", "icmp6_error": "ip6", "tcp_reset": "tcp", "sctp_abort": "sctp",
    "nd_na": "nd_ns", "nd_na_router": "nd_ns", "nd_ns": "ip6",
}  # fmt: skip
_SIMPLE = {"ct_clear", "igmp", "ct_snat_to_vip", "handle_dhcpv6_reply"}
_CT_NAT = ("ct_dnat", "ct_snat", "ct_dnat_in_czone", "ct_snat_in_czone")


@dataclass(frozen=True, slots=True)
class ParsedActions:
    actions: tuple[A.Action, ...]
    prereqs: tuple[str, ...] = ()  # predicate expressions to AND into the match
    fields: tuple[str, ...] = ()  # symbols referenced (their prerequisites apply too)

    def format(self) -> str:
        return A.format_actions(self.actions)


@dataclass
class _Ctx:
    pipeline: str
    table: int
    prereqs: list[str] = field(default_factory=list)
    fields: list[str] = field(default_factory=list)


class ActionParser:
    def __init__(self, text: str, ctx: _Ctx, widths: Widths | None) -> None:
        self.text = text
        self.toks = tokenize(text)
        self.i = 0
        self.ctx = ctx
        self.widths = widths

    # -- token helpers -----------------------------------------------------
    @property
    def tok(self) -> Token:
        return self.toks[self.i]

    def peek(self, n: int = 1) -> Token:
        return self.toks[min(self.i + n, len(self.toks) - 1)]

    def advance(self) -> Token:
        tok = self.toks[self.i]
        self.i = min(self.i + 1, len(self.toks) - 1)
        return tok

    def error(self, message: str) -> ExprSyntaxError:
        return ExprSyntaxError(
            f"Syntax error at `{self.tok.text}' {message}.", self.text, self.tok.column
        )

    def match(self, kind: TokenKind) -> bool:
        if self.tok.kind is kind:
            self.advance()
            return True
        return False

    def expect(self, kind: TokenKind) -> None:
        if not self.match(kind):
            raise self.error(f"expecting `{kind.value}'")

    def is_id(self, name: str) -> bool:
        return self.tok.kind is TokenKind.ID and self.tok.value == name

    def match_id(self, name: str) -> bool:
        if self.is_id(name):
            self.advance()
            return True
        return False

    def integer(self) -> int:
        tok = self.tok
        if tok.kind is not TokenKind.INTEGER or not isinstance(tok.value, int):
            raise self.error("expecting integer")
        self.advance()
        return tok.value

    def field(self) -> A.Field:
        tok = self.tok
        if tok.kind is not TokenKind.ID:
            raise self.error("expecting field name")
        self.advance()
        name = str(tok.value)
        self.ctx.fields.append(name)
        if not self.match(TokenKind.LSQUARE):
            return A.Field(name)
        lo = self.integer()
        hi = self.integer() if self.match(TokenKind.ELLIPSIS) else lo
        self.expect(TokenKind.RSQUARE)
        width = self.widths(name) if self.widths else None
        return A.Field(name, lo, hi, whole=(lo == 0 and width is not None and hi == width - 1))

    # -- grammar -----------------------------------------------------------
    def actions(self, sentinel: TokenKind) -> list[A.Action]:
        if self.is_id("drop") and self.peek().kind is TokenKind.SEMICOLON:
            self.advance()
            self.advance()
            self.expect(sentinel)
            return []
        out: list[A.Action] = []
        while not self.match(sentinel):
            out.append(self.action())
            self.expect(TokenKind.SEMICOLON)
        return out

    def action(self) -> A.Action:
        tok = self.tok
        if tok.kind is TokenKind.TEMPLATE:
            raise ExprSyntaxError("Unexpanded template.", self.text, tok.column)
        if tok.kind is not TokenKind.ID:
            raise self.error("expecting action")
        if self.peek().kind in (TokenKind.EQUALS, TokenKind.EXCHANGE, TokenKind.LSQUARE):
            return self.set_action()
        name = str(tok.value)
        self.advance()
        if name == "next":
            return self.next_action()
        if name in ("push", "pop"):
            self.expect(TokenKind.LPAREN)
            f = self.field()
            self.expect(TokenKind.RPAREN)
            return A.PushPop(f, name == "push")
        if name == "ip.ttl":
            self.expect(TokenKind.DECREMENT)
            self.ctx.prereqs.append("ip")
            return A.Simple("ip.ttl--")
        if name in ("ct_next", "ct_commit_nat"):
            self.ctx.prereqs.append("ip")
            return A.Simple(name, self.ctx.table + 1)
        if name == "ct_commit":
            return self.ct_commit()
        if name in _CT_NAT:
            return self.ct_nat(name)
        if name in ("ct_lb", "ct_lb_mark"):
            return self.ct_lb(name == "ct_lb_mark")
        if name in NESTED:
            return A.Nested(name, tuple(self.nested(NESTED[name])))
        if name == "output":
            return A.Output()
        if name in _SIMPLE:
            return A.Simple(name)
        return parse_named(self, name)

    def next_action(self) -> A.Action:
        pipeline, table = self.ctx.pipeline, self.ctx.table + 1
        if self.match(TokenKind.LPAREN):
            if self.tok.kind is TokenKind.INTEGER:
                table = self.integer()
            else:
                while True:
                    if self.match_id("pipeline"):
                        self.expect(TokenKind.EQUALS)
                        if self.tok.kind is not TokenKind.ID or self.tok.value not in (
                            A.INGRESS,
                            A.EGRESS,
                        ):
                            raise self.error('expecting "ingress" or "egress"')
                        pipeline = str(self.advance().value)
                    elif self.match_id("table"):
                        self.expect(TokenKind.EQUALS)
                        table = self.integer()
                    else:
                        raise self.error('expecting "pipeline" or "table"')
                    if not self.match(TokenKind.COMMA):
                        break
            self.expect(TokenKind.RPAREN)
        return A.Next(pipeline, table, self.ctx.pipeline, self.ctx.table)

    def set_action(self) -> A.Action:
        lhs = self.field()
        if self.match(TokenKind.EXCHANGE):
            return A.Move(lhs, self.field(), exchange=True)
        self.expect(TokenKind.EQUALS)
        tok = self.tok
        if tok.kind in (TokenKind.INTEGER, TokenKind.MASKED_INTEGER, TokenKind.STRING):
            self.advance()
            return A.Load(lhs, tok)
        if tok.kind is TokenKind.ID and self.peek().kind is TokenKind.LPAREN:
            name = str(tok.value)
            if name == "select":
                return self.select(lhs)
            return parse_named(self, name, lhs)
        if tok.kind is TokenKind.ID:
            return A.Move(lhs, self.field())
        raise self.error("expecting constant or field")

    def nested(self, prereq: str | None) -> list[A.Action]:
        self.expect(TokenKind.LCURLY)
        outer_p, outer_f = self.ctx.prereqs, self.ctx.fields
        self.ctx.prereqs, self.ctx.fields = [], []
        inner = self.actions(TokenKind.RCURLY)
        if prereq is None:
            outer_p += self.ctx.prereqs
            outer_f += self.ctx.fields
        else:
            outer_p.append(prereq)
        self.ctx.prereqs, self.ctx.fields = outer_p, outer_f
        return inner

    def ct_commit(self) -> A.Action:
        if self.tok.kind is TokenKind.LCURLY:
            return A.Nested("ct_commit", tuple(self.nested("ip")))
        self.ctx.prereqs.append("ip")
        if not self.match(TokenKind.LPAREN):
            return A.Nested("ct_commit", ())
        args: dict[str, int] = {}
        while not self.match(TokenKind.RPAREN):
            key = str(self.advance().value)
            self.expect(TokenKind.EQUALS)
            tok = self.advance()
            if not isinstance(tok.value, int):
                raise self.error("expecting integer")
            args[key] = tok.value
            if tok.mask is not None:
                args[key + "_mask"] = tok.mask
            self.match(TokenKind.COMMA)
        return A.CtCommitV1(
            args.get("ct_mark"), args.get("ct_mark_mask"),
            args.get("ct_label"), args.get("ct_label_mask"),
        )  # fmt: skip

    def ip_token(self) -> tuple[str, bool]:
        tok = self.tok
        if tok.kind is not TokenKind.INTEGER or tok.format not in (
            ValueFormat.IPV4,
            ValueFormat.IPV6,
        ):
            raise self.error("expecting IPv4 or IPv6 address")
        self.advance()
        return format_token(tok), tok.format is ValueFormat.IPV6

    def ct_nat(self, name: str) -> A.Action:
        self.ctx.prereqs.append("ip")
        ip: str | None = None
        v6 = False
        lo = hi = None
        if self.match(TokenKind.LPAREN):
            ip, v6 = self.ip_token()
            if self.match(TokenKind.COMMA):
                lo = self.integer()
                hi = self.integer() if self.match(TokenKind.HYPHEN) else 0
            self.expect(TokenKind.RPAREN)
        return A.CtNat(name, self.ctx.table + 1, ip, v6, lo, hi)

    def ct_lb(self, mark: bool) -> A.Action:
        self.ctx.prereqs.append("ip")
        backends: list[A.Backend] = []
        hash_fields = flag = None
        if self.match(TokenKind.LPAREN) and not self.match(TokenKind.RPAREN):
            if not self.match_id("backends"):
                raise self.error("expecting backends")
            self.expect(TokenKind.EQUALS)
            while not (self.match(TokenKind.SEMICOLON) or self.match(TokenKind.RPAREN)):
                bracket = self.match(TokenKind.LSQUARE)
                ip, v6 = self.ip_token()
                if bracket:
                    self.expect(TokenKind.RSQUARE)
                port = self.integer() if self.match(TokenKind.COLON) else 0
                backends.append(A.Backend(ip, v6, port))
                self.match(TokenKind.COMMA)
            if self.match_id("hash_fields"):
                self.expect(TokenKind.EQUALS)
                hash_fields = str(self.advance().value)
                if not self.match(TokenKind.SEMICOLON):
                    self.advance()
            for word in ("skip_snat", "force_snat"):
                if self.match_id(word):
                    flag = word
                    self.advance()  # OVN skips one more token (the ')')
        return A.CtLb(mark, self.ctx.table + 1, tuple(backends), hash_fields, flag)

    def select(self, dst: A.Field) -> A.Action:
        self.advance()
        self.expect(TokenKind.LPAREN)
        members: list[tuple[int, int]] = []
        while not self.match(TokenKind.RPAREN):
            ident = self.integer()
            weight = self.integer() if self.match(TokenKind.EQUALS) else 100
            members.append((ident, weight))
            self.match(TokenKind.COMMA)
        return A.Select(dst, tuple(members), self.ctx.table + 1)


def parse_actions(
    text: str, pipeline: str = A.INGRESS, table: int = 0, widths: Widths | None = None
) -> ParsedActions:
    """Parse a flow's action string as seen from table `table` of `pipeline`."""
    ctx = _Ctx(pipeline, table)
    parser = ActionParser(text, ctx, widths)
    acts = parser.actions(TokenKind.END)
    return ParsedActions(
        tuple(acts), tuple(dict.fromkeys(ctx.prereqs)), tuple(dict.fromkeys(ctx.fields))
    )


def canonical_ip(text: str) -> str:
    family = socket.AF_INET6 if ":" in text else socket.AF_INET
    return socket.inet_ntop(family, socket.inet_pton(family, text))
