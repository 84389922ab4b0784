"""Token buckets: the OVS meter / ingress policer invariants, as properties."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ovntwin.errors import InvalidValue
from ovntwin.fabric.tokenbucket import (
    METER_TICK_US,
    BucketSpec,
    TokenBucket,
    ingress_policer,
    ovn_qos_meter,
)

specs = st.builds(
    BucketSpec,
    rate_kbps=st.integers(0, 100_000),
    burst_bits=st.integers(0, 10_000_000),
    tick_us=st.sampled_from([1, METER_TICK_US]),
    uncounted_bytes=st.sampled_from([0, 14]),
    min_bytes=st.sampled_from([0, 60]),
)
arrivals = st.lists(
    st.tuples(st.integers(0, 50_000), st.integers(42, 9000)), min_size=1, max_size=200
)


def _run(bucket: TokenBucket, gaps: list[tuple[int, int]]) -> list[tuple[int, int, bool]]:
    """Feed (gap_us, size) arrivals from t=0; return (time, size, admitted)."""
    now, out = 0, []
    for gap, size in gaps:
        now += gap
        out.append((now, size, bucket.admit(now, size)))
    return out


@given(specs, arrivals)
def test_tokens_never_exceed_burst(spec: BucketSpec, gaps: list[tuple[int, int]]) -> None:
    bucket = TokenBucket.from_spec(spec)
    assert bucket.tokens_bits == spec.burst_bits  # starts full
    now = 0
    for gap, size in gaps:
        now += gap
        bucket.admit(now, size)
        assert 0 <= bucket.tokens_bits <= spec.burst_bits


@given(specs, arrivals)
def test_admitted_bits_bounded_by_burst_plus_rate(
    spec: BucketSpec, gaps: list[tuple[int, int]]
) -> None:
    bucket = TokenBucket.from_spec(spec)
    log = _run(bucket, gaps)
    end = log[-1][0]
    admitted = sum(spec.cost_bits(size) for _, size, ok in log if ok)
    # milli-bits on both sides: no rounding in the bound
    assert admitted * 1000 <= spec.burst_bits * 1000 + spec.rate_kbps * end


@settings(max_examples=200)
@given(
    rate=st.integers(100, 50_000),
    burst_pkts=st.integers(2, 20),  # a burst of 1 packet loses tokens to the cap
    size=st.integers(64, 1514),
    tick=st.sampled_from([1, METER_TICK_US]),
    data=st.data(),
)
def test_long_run_rate_under_overload(
    rate: int, burst_pkts: int, size: int, tick: int, data: st.DataObject
) -> None:
    spec = BucketSpec(rate, burst_pkts * size * 8, tick_us=tick)
    cost = spec.cost_bits(size)
    # overload by at least 5 %: one gap (plus one tick of clock rounding) earns < 95 % of a packet
    max_gap = (cost * 950) // rate - tick - 1
    if max_gap < 1:
        return
    gap = data.draw(st.integers(1, max_gap))
    # milli-bits lost per packet; send enough packets to empty the burst, then 2000 more
    deficit = cost * 1000 - rate * (gap + tick)
    bucket = TokenBucket.from_spec(spec)
    log = _run(bucket, [(gap, size)] * (spec.burst_bits * 1000 // deficit + 2000))
    first_drop = next((i for i, (_, _, ok) in enumerate(log) if not ok), None)
    assert first_drop is not None
    t1, t2 = log[first_drop][0], log[-1][0]
    admitted = sum(cost for t, _, ok in log[first_drop + 1 :] if ok)
    expected = rate * (t2 - t1) / 1000
    # within one packet (plus what one clock tick earns) of rate x window
    assert abs(admitted - expected) <= cost + rate * tick / 1000


@given(burst=st.integers(0, 100_000), sizes=arrivals)
def test_rate_zero_admits_at_most_the_burst(burst: int, sizes: list[tuple[int, int]]) -> None:
    spec = BucketSpec(0, burst)
    log = _run(TokenBucket.from_spec(spec), sizes)
    admitted = sum(spec.cost_bits(s) for _, s, ok in log if ok)
    assert admitted <= burst
    if burst == 0:
        assert not any(ok for *_, ok in log)


def test_dropped_packet_takes_no_tokens() -> None:
    bucket = TokenBucket(1000, 10)  # 10,000 bits
    assert bucket.admit(0, 1000)  # 8000 bits
    assert not bucket.admit(0, 1000)  # 8000 > 2000 left: dropped, bucket untouched
    assert bucket.tokens_bits == 2000
    assert bucket.admit(0, 250)  # exactly 2000 bits fit
    assert bucket.tokens_bits == 0


def test_meter_refills_per_whole_millisecond() -> None:
    meter = ovn_qos_meter(8000, 8)  # earns 8000 bits per ms; holds 8000 bits
    assert meter.admit(0, 1000)
    assert not meter.admit(999, 1000)  # same millisecond: nothing earned yet
    assert meter.admit(1000, 1000)  # one ms = 8000 bits


def test_meter_without_burst_uses_one_second_of_rate() -> None:
    meter = ovn_qos_meter(3000)
    assert meter.capacity_bits == 3_000_000
    assert ovn_qos_meter(3000, 300).capacity_bits == 300_000
    with pytest.raises(InvalidValue):
        ovn_qos_meter(0)


def test_ingress_policer_defaults() -> None:
    assert ingress_policer(0) is None
    policer = ingress_policer(1000)
    assert policer is not None
    assert policer.capacity_bits == 8000 * 1024
    assert ingress_policer(1000, 100).capacity_bits == 102_400  # type: ignore[union-attr]
    # tc ingress does not see the Ethernet header; tiny frames cost the 60-byte mpu
    assert policer.spec.cost_bits(1514) == 1500 * 8
    assert policer.spec.cost_bits(42) == 60 * 8


def test_invalid_specs() -> None:
    with pytest.raises(InvalidValue):
        BucketSpec(-1, 0)
    with pytest.raises(InvalidValue):
        BucketSpec(1, 1, tick_us=0)
