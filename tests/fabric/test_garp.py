"""ovn-controller's GARP/RARP announcement schedule (OVN v23.03.1 pinctrl.c)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ovntwin.errors import InvalidValue
from ovntwin.fabric.garp import (
    Announcement,
    garp_schedule,
    nat_announcements,
    vif_announcements,
)

S = 1_000_000


def test_v23_03_1_sends_five_with_doubling_backoff() -> None:
    assert garp_schedule(10 * S) == [11 * S, 13 * S, 17 * S, 25 * S, 41 * S]


def test_until_cuts_the_schedule() -> None:
    assert garp_schedule(0, until_us=7 * S) == [1 * S, 3 * S, 7 * S]
    assert garp_schedule(0, until_us=S - 1) == []


def test_max_timeout_is_endless_and_capped() -> None:
    times = garp_schedule(0, max_timeout_s=4, until_us=20 * S)
    assert times == [1 * S, 2 * S, 4 * S, 8 * S, 12 * S, 16 * S, 20 * S]
    with pytest.raises(InvalidValue):
        garp_schedule(0, max_timeout_s=4)
    with pytest.raises(InvalidValue):
        garp_schedule(0, max_timeout_s=0, until_us=S)


@given(start=st.integers(0, 10**12), cap=st.integers(1, 600))
def test_capped_gaps_double_then_stay_at_the_cap(start: int, cap: int) -> None:
    times = garp_schedule(start, max_timeout_s=cap, until_us=start + 3000 * S)
    assert times[0] == start + S
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    for i, gap in enumerate(gaps):
        assert gap == min(cap * S, (2**i) * S)


def test_vif_announces_its_first_ipv4_or_rarp() -> None:
    garps = vif_announcements(0, "vm1", "fa:16:3e:00:00:01", ("10.0.0.5", "10.0.0.6"))
    assert [a.ipv4 for a in garps] == ["10.0.0.5"] * 5
    rarps = vif_announcements(0, "vm6", "fa:16:3e:00:00:06", ())
    assert all(a.rarp for a in rarps) and len(rarps) == 5


def test_gateway_takeover_announces_every_nat_address() -> None:
    out = nat_announcements(
        5 * S, "lsp-ext-r1", "fa:16:3e:aa:00:01", ("172.24.4.10", "172.24.4.20"), until_us=9 * S
    )
    assert out == [
        Announcement(6 * S, "fa:16:3e:aa:00:01", "172.24.4.10", "lsp-ext-r1"),
        Announcement(6 * S, "fa:16:3e:aa:00:01", "172.24.4.20", "lsp-ext-r1"),
        Announcement(8 * S, "fa:16:3e:aa:00:01", "172.24.4.10", "lsp-ext-r1"),
        Announcement(8 * S, "fa:16:3e:aa:00:01", "172.24.4.20", "lsp-ext-r1"),
    ]
