"""Parsing of the function-style actions: `name(args);` and `dst = name(args);`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ovntwin.expr.lexer import TokenKind, format_token
from ovntwin.trace.actions import ast as A

if TYPE_CHECKING:
    from ovntwin.trace.actions.parser import ActionParser

# name -> number of field arguments, for calls without a result (get_arp(P, A); ...)
_PLAIN_FIELDS = {"get_arp": 2, "get_nd": 2, "put_arp": 3, "put_nd": 3, "put_fdb": 2,
                 "handle_svc_check": 1}  # fmt: skip
# name -> number of field arguments, for `dst = name(args)`
_RESULT_FIELDS = {
    "lookup_arp": 3, "lookup_nd": 3, "lookup_arp_ip": 2, "lookup_nd_ip": 2,
    "get_fdb": 1, "lookup_fdb": 2, "check_in_port_sec": 0, "check_out_port_sec": 0,
    "chk_lb_hairpin": 0, "chk_lb_hairpin_reply": 0, "chk_ecmp_nh_mac": 0, "chk_ecmp_nh": 0,
    "chk_lb_aff": 0, "dns_lookup": 0,
}  # fmt: skip
_RESULT_PREREQ = {"dns_lookup": "udp"}
_OPTS = ("put_dhcp_opts", "put_dhcpv6_opts", "put_nd_ra_opts")


def parse_named(p: ActionParser, name: str, dst: A.Field | None = None) -> A.Action:
    if dst is not None:
        return _with_result(p, name, dst)
    if name in _PLAIN_FIELDS:
        return A.Call(name, _field_args(p, _PLAIN_FIELDS[name]))
    if name == "set_queue":
        return A.Text(f"set_queue({_int_arg(p)})", name)
    if name == "set_meter":
        return _set_meter(p)
    if name == "log":
        return _log(p)
    if name == "bind_vport":
        p.expect(TokenKind.LPAREN)
        vport = str(p.advance().value)
        p.expect(TokenKind.COMMA)
        parent = p.field()
        p.expect(TokenKind.RPAREN)
        return A.Text(f'bind_vport("{vport}", {parent.format()})', name)
    if name == "handle_bfd_msg":
        p.expect(TokenKind.LPAREN)
        p.expect(TokenKind.RPAREN)
        return A.Text("handle_bfd_msg()", name)
    if name == "trigger_event":
        return A.Text(f"trigger_event({_options(p, ' = ')})", name)
    if name in ("fwd_group", "commit_ecmp_nh", "commit_lb_aff", "sample"):
        sep = "=" if name in ("fwd_group", "sample") else " = "
        return A.Text(f"{name}({_options(p, sep)})", name)
    raise p.error("expecting action")


def _with_result(p: ActionParser, name: str, dst: A.Field) -> A.Action:
    p.advance()  # the function name
    if name in _RESULT_FIELDS:
        if name in _RESULT_PREREQ:
            p.ctx.prereqs.append(_RESULT_PREREQ[name])
        return A.Call(name, _field_args(p, _RESULT_FIELDS[name]), dst)
    if name in _OPTS:
        if name == "put_nd_ra_opts":
            p.ctx.prereqs.append("ip6")
        return A.Text(f"{dst.format()} = {name}({_options(p, ' = ')})", name, dst)
    if name == "check_pkt_larger":
        return A.Text(f"{dst.format()} = check_pkt_larger({_int_arg(p)})", name, dst)
    raise p.error("expecting action")


def _field_args(p: ActionParser, n: int) -> tuple[A.Field, ...]:
    p.expect(TokenKind.LPAREN)
    args = []
    for i in range(n):
        if i:
            p.expect(TokenKind.COMMA)
        args.append(p.field())
    p.expect(TokenKind.RPAREN)
    return tuple(args)


def _int_arg(p: ActionParser) -> int:
    p.expect(TokenKind.LPAREN)
    value = p.integer()
    p.expect(TokenKind.RPAREN)
    return value


def _set_meter(p: ActionParser) -> A.Action:
    p.expect(TokenKind.LPAREN)
    rate = p.integer()
    burst = p.integer() if p.match(TokenKind.COMMA) else 0
    p.expect(TokenKind.RPAREN)
    text = f"set_meter({rate}, {burst})" if burst else f"set_meter({rate})"
    return A.Text(text, "set_meter")


def _log(p: ActionParser) -> A.Action:
    args: dict[str, str] = {"severity": "info"}
    if p.match(TokenKind.LPAREN):
        while not p.match(TokenKind.RPAREN):
            key = str(p.advance().value)
            p.expect(TokenKind.EQUALS)
            args[key] = str(p.advance().value)
            p.match(TokenKind.COMMA)
    text = "log("
    if "name" in args:
        text += f'name="{args["name"]}", '
    text += f"verdict={args.get('verdict', '')}, severity={args['severity']}"
    if "meter" in args:
        text += f', meter="{args["meter"]}"'
    return A.Text(text + ")", "log", info=tuple(sorted(args.items())))


def _options(p: ActionParser, sep: str) -> str:
    """`key = value, ...` with values as constant sets, printed canonically."""
    p.expect(TokenKind.LPAREN)
    items: list[str] = []
    while not p.match(TokenKind.RPAREN):
        key = p.advance()
        p.expect(TokenKind.EQUALS)
        items.append(f"{key.value}{sep}{_constset(p)}")
        p.match(TokenKind.COMMA)
    return ", ".join(items)


def _constset(p: ActionParser) -> str:
    if not p.match(TokenKind.LCURLY):
        return format_token(p.advance())
    values: list[str] = []
    while not p.match(TokenKind.RCURLY):
        values.append(format_token(p.advance()))
        p.match(TokenKind.COMMA)
    return "{" + ", ".join(values) + "}"
