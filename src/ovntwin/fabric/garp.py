"""When ovn-controller announces addresses with gratuitous ARP (or RARP) after a claim.

ovn-controller's pinctrl keeps one announcement entry per address to announce: a VIF
bound on this chassis that reaches a localnet network (its first IPv4 address, or a RARP
when it has none), and, for a gateway port resident here (l3gateway port or the patch
port peering a distributed gateway port whose cr- port is here), one entry per NAT /
router IPv4 address of `nat-addresses` (a RARP when there is none). An entry is created
when the port becomes local (port claim, gateway takeover) and announced on the backoff
schedule below (OVN v23.03.1 controller/pinctrl.c add_garp_rarp / send_garp_rarp).

OVN v23.03.1: first announcement 1 s after the entry is created, then the wait doubles
(2, 4, 8, 16 s) and the 16 s wait is the last: five announcements at +1, +3, +7, +15, +31 s.
Later releases (v23.03.3, v23.09) changed the backoff to 1, 2, 4, 8 s waits and added
Open_vSwitch external_ids:garp-max-timeout-sec: when set, announcements never stop and
the wait is capped at that many seconds. `max_timeout_s` models that newer behaviour;
leave it None for the pinned v23.03.1.
"""

from __future__ import annotations

from dataclasses import dataclass

from ovntwin.errors import InvalidValue

US_PER_S = 1_000_000
FIRST_DELAY_US = 1 * US_PER_S  # first GARP 1 s after the entry is added (add_garp_rarp)
LAST_BACKOFF_S = 16  # v23.03.1: no announcement after the one that set a 16 s backoff
DEFAULT_MAX_TIMEOUT_S = 16  # v23.03.3+: GARP_RARP_DEF_MAX_TIMEOUT (16000 ms) without the knob


def garp_schedule(
    start_us: int, *, max_timeout_s: int | None = None, until_us: int | None = None
) -> list[int]:
    """Send times (µs) of the announcements of one entry created at `start_us`.

    `max_timeout_s` (garp-max-timeout-sec, not in v23.03.1) makes the schedule endless,
    so it needs `until_us`; times after `until_us` are never returned.
    """
    if max_timeout_s is None:
        return _v23_03_1(start_us, until_us)
    if max_timeout_s < 1:
        raise InvalidValue(f"garp-max-timeout-sec must be >= 1: {max_timeout_s}")
    if until_us is None:
        raise InvalidValue("garp-max-timeout-sec announces forever: give until_us")
    return _capped(start_us, max_timeout_s * US_PER_S, until_us)


def _v23_03_1(start_us: int, until_us: int | None) -> list[int]:
    times, now, backoff_s = [], start_us + FIRST_DELAY_US, 1
    while until_us is None or now <= until_us:
        times.append(now)
        if backoff_s >= LAST_BACKOFF_S:
            break
        backoff_s *= 2
        now += backoff_s * US_PER_S
    return times


def _capped(start_us: int, cap_us: int, until_us: int) -> list[int]:
    times, now, backoff = [], start_us + FIRST_DELAY_US, US_PER_S
    while now <= until_us:
        times.append(now)
        now += backoff
        backoff = min(cap_us, backoff * 2)
    return times


@dataclass(frozen=True)
class Announcement:
    """One GARP (ARP request, sender = target = `ipv4`) or, without an IPv4, a RARP."""

    time_us: int
    mac: str
    ipv4: str | None
    port: str  # the logical port the packet is injected on

    @property
    def rarp(self) -> bool:
        return self.ipv4 is None


def vif_announcements(
    start_us: int,
    port: str,
    mac: str,
    ipv4s: tuple[str, ...],
    *,
    max_timeout_s: int | None = None,
    until_us: int | None = None,
) -> list[Announcement]:
    """A claimed VIF: one entry, its first IPv4 address (pinctrl send_garp_rarp_update)."""
    return nat_announcements(
        start_us, port, mac, ipv4s[:1], max_timeout_s=max_timeout_s, until_us=until_us
    )


def nat_announcements(
    start_us: int,
    port: str,
    mac: str,
    ipv4s: tuple[str, ...],
    *,
    max_timeout_s: int | None = None,
    until_us: int | None = None,
) -> list[Announcement]:
    """A gateway port's nat-addresses: one entry per IPv4 address, all on one schedule."""
    times = garp_schedule(start_us, max_timeout_s=max_timeout_s, until_us=until_us)
    addresses: tuple[str | None, ...] = ipv4s or (None,)
    return sorted(
        (Announcement(t, mac, ip, port) for t in times for ip in addresses),
        key=lambda a: a.time_us,
    )
