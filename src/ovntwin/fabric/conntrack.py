"""Connection tracking of one chassis, for concrete packets (with SNAT / DNAT).

ovn-controller gives each local logical switch port its own conntrack zone (ACLs run
in the zone of the inport in ingress and of the outport in egress) and each router a
DNAT zone and an SNAT zone; `ct_dnat_in_czone` / `ct_snat_in_czone` share the SNAT one
(the router's "common" zone). Zones here are names: `ct:<port>`, `dnat:<router>`,
`snat:<router>`.

A connection is keyed by its original 5-tuple and, once committed, also by its reply
tuple (after NAT). A packet that matches no connection is `new`; one that matches the
original direction is `est` (the userspace datapath's view: committed means established,
so a one-way flow stays stable), the reply direction `est|rpl`. NAT on a match rewrites
the packet the way the connection says (forward NAT on the original direction, the
reverse on replies); `commit` with a NAT spec creates the translated connection.
Entries live for the run (no expiry); `flush()` empties the table (chassis crash).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

CtTuple = tuple[int, str, str, int, int]  # (ip proto, src, dst, sport, dport)
NatKind = Literal["", "snat", "dnat"]

# OVS ct_state bits (lib/packets.h CS_*), as the tracer's Flow stores them.
CS_NEW, CS_EST, CS_RPL, CS_TRK, CS_SNAT, CS_DNAT = 0x01, 0x02, 0x08, 0x20, 0x40, 0x80


def reverse(t: CtTuple) -> CtTuple:
    proto, src, dst, sport, dport = t
    return (proto, dst, src, dport, sport)


@dataclass(slots=True)
class Conn:
    """One tracked connection (mutable: a later commit may change mark / label)."""

    serial: int
    zone: str
    orig: CtTuple
    reply: CtTuple  # the tuple replies carry (after NAT)
    nat: NatKind = ""
    mark: int = 0
    label: int = 0


@dataclass(frozen=True, slots=True)
class CtResult:
    """What one pass through conntrack found and did to the packet."""

    state: int  # ct_state bits (trk always set)
    mark: int
    label: int
    src: str  # addresses after NAT
    dst: str
    sport: int
    dport: int
    fingerprint: tuple[int, bool, int, int]  # for cache validation (serial, reply, mark, label)


@dataclass(slots=True)
class Conntrack:
    """The conntrack table of one chassis."""

    chassis: str = ""
    _table: dict[tuple[str, CtTuple], tuple[Conn, bool]] = field(default_factory=dict)
    _serial: int = 0

    def __len__(self) -> int:
        return len({id(c) for c, _r in self._table.values()})

    def flush(self) -> None:
        """Forget every connection (the chassis crashed or its datapath restarted)."""
        self._table.clear()

    def find(self, zone: str, t: CtTuple) -> tuple[Conn | None, bool]:
        conn, is_reply = self._table.get((zone, t), (None, False))
        return conn, is_reply

    def fingerprint(self, zone: str, t: CtTuple) -> tuple[int, bool, int, int]:
        conn, is_reply = self.find(zone, t)
        if conn is None:
            return (0, False, 0, 0)
        return (conn.serial, is_reply, conn.mark, conn.label)

    def process(self, zone: str, t: CtTuple, *, nat: bool) -> CtResult:
        """ct(zone[, nat]): the state of `t`; with `nat`, the translation applied."""
        conn, is_reply = self.find(zone, t)
        proto, src, dst, sport, dport = t
        if conn is None:
            return CtResult(CS_TRK | CS_NEW, 0, 0, src, dst, sport, dport, (0, False, 0, 0))
        state = CS_TRK | CS_EST | (CS_RPL if is_reply else 0)
        if nat and conn.nat:
            # Original direction: translate to what the reply tuple expects; reply: undo.
            target = reverse(conn.orig) if is_reply else reverse(conn.reply)
            _p, src, dst, sport, dport = target
            state |= CS_SNAT if (conn.nat == "snat") != is_reply else CS_DNAT
        fp = (conn.serial, is_reply, conn.mark, conn.label)
        return CtResult(state, conn.mark, conn.label, src, dst, sport, dport, fp)

    def commit(
        self, zone: str, t: CtTuple, *, nat: NatKind = "", nat_ip: str = "",
        mark: int | None = None, label: int | None = None,
    ) -> Conn:  # fmt: skip
        """ct(commit[, nat(src|dst=nat_ip)]): create the connection (or update mark/label)."""
        conn, _is_reply = self.find(zone, t)
        if conn is None:
            proto, src, dst, sport, dport = t
            translated = t
            if nat == "snat" and nat_ip:
                translated = (proto, nat_ip, dst, sport, dport)
            elif nat == "dnat" and nat_ip:
                translated = (proto, src, nat_ip, sport, dport)
            self._serial += 1
            conn = Conn(self._serial, zone, t, reverse(translated), nat if nat_ip else "")
            self._table[(zone, t)] = (conn, False)
            self._table.setdefault((zone, conn.reply), (conn, True))
        if mark is not None:
            conn.mark = mark
        if label is not None:
            conn.label = label
        return conn

    def connections(self) -> list[Conn]:
        seen: dict[int, Conn] = {}
        for conn, _r in self._table.values():
            seen.setdefault(conn.serial, conn)
        return [seen[k] for k in sorted(seen)]
