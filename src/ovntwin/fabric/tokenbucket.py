"""Token-bucket policers as Open vSwitch runs them: drop, never shape.

Two users in the fabric:

- OVN QoS `bandwidth` rules become `set_meter(rate, burst)` actions; ovn-controller installs
  an OpenFlow meter `kbps [burst] stats bands=type=drop rate=R [burst_size=B]`
  (OVN lib/actions.c encode_SET_METER). Both OVS datapaths run it as one bucket of bits:
  it starts full, refills rate_kbps bits per whole elapsed millisecond, holds at most
  burst_size * 1000 bits, and a packet that does not fit is dropped without taking tokens
  (OVS lib/dpif-netdev.c dp_netdev_run_meter; Linux net/openvswitch/meter.c
  ovs_meter_execute). A packet costs its frame length in bits (dp_packet_size / skb->len:
  the Ethernet frame without FCS).
- OVS `Interface` ingress_policing_rate/burst on a VIF: a tc police action on the tap's
  ingress (OVS lib/netdev-linux.c netdev_linux_set_policing).

State is integer: tokens are kept in milli-bits, so a refill of rate_kbps over dt_us
microseconds is exactly rate_kbps * dt_us milli-bits (1 kbps = 1 milli-bit per µs).
A changed QoS rule is a new logical flow, hence a new meter: callers build a new bucket
(which starts full) rather than mutating one.
"""

from __future__ import annotations

from dataclasses import dataclass

from ovntwin.errors import InvalidValue

MILLI = 1000  # milli-bits per bit
BITS_PER_KBIT = 1000  # meter bucket = burst_size * 1000 bits (dpif-netdev.c, linux meter.c)
TC_BITS_PER_KBIT = 1024  # OVS writes the policing burst as kbits * 1024 / 8 bytes (netdev-linux.c)
METER_TICK_US = 1000  # both meter datapaths refill per whole millisecond (now_ms deltas)
POLICER_TICK_US = 1  # tc police keeps nanosecond time; 1 µs is our clock's resolution
DEFAULT_POLICING_BURST_KBITS = 8000  # OVS uses 8000 kbits when ingress_policing_burst is 0
ETH_HEADER_BYTES = 14  # tc ingress sees skb->len after eth_type_trans pulled the MAC header
TC_MPU_BYTES = 60  # OVS sets the police rate's mpu to ETH_TOTAL_MIN (netdev-linux.c)


@dataclass(frozen=True)
class BucketSpec:
    """What a bucket enforces: rate, depth and how a packet is charged."""

    rate_kbps: int
    burst_bits: int
    tick_us: int = POLICER_TICK_US  # refill granularity of the clock the datapath reads
    uncounted_bytes: int = 0  # bytes of the frame the policer does not see
    min_bytes: int = 0  # every packet costs at least this many bytes

    def __post_init__(self) -> None:
        if self.rate_kbps < 0 or self.burst_bits < 0:
            raise InvalidValue(f"token bucket rate/burst must be >= 0: {self}")
        if self.tick_us < 1:
            raise InvalidValue(f"token bucket tick must be >= 1 us: {self.tick_us}")

    def cost_bits(self, size_bytes: int) -> int:
        """Bits charged for a frame of `size_bytes` (Ethernet frame without FCS)."""
        return max(size_bytes - self.uncounted_bytes, self.min_bytes, 0) * 8


class TokenBucket:
    """One drop-band bucket. `admit` is the whole interface; time must not go backwards
    (a clock step back is treated as no elapsed time, as the datapaths do)."""

    def __init__(self, rate_kbps: int, burst_kbits: int, *, spec: BucketSpec | None = None) -> None:
        self.spec = spec or BucketSpec(rate_kbps, burst_kbits * BITS_PER_KBIT)
        self._capacity = self.spec.burst_bits * MILLI
        self._tokens = self._capacity  # both datapaths start with a full bucket
        self._last_tick: int | None = None

    @classmethod
    def from_spec(cls, spec: BucketSpec) -> TokenBucket:
        return cls(spec.rate_kbps, 0, spec=spec)

    @property
    def tokens_bits(self) -> int:
        """Whole bits currently in the bucket (as of the last `admit`)."""
        return self._tokens // MILLI

    @property
    def capacity_bits(self) -> int:
        return self.spec.burst_bits

    def refill(self, now_us: int) -> None:
        """Credit the tokens earned since the last call (idempotent for the same now)."""
        tick = now_us // self.spec.tick_us
        if self._last_tick is not None and tick > self._last_tick:
            earned = self.spec.rate_kbps * (tick - self._last_tick) * self.spec.tick_us
            self._tokens = min(self._capacity, self._tokens + earned)
        if self._last_tick is None or tick > self._last_tick:
            self._last_tick = tick

    def admit(self, now_us: int, size_bytes: int) -> bool:
        """True if the frame passes; False if it is dropped (and then costs nothing)."""
        self.refill(now_us)
        cost = self.spec.cost_bits(size_bytes) * MILLI
        if cost > self._tokens:
            return False
        self._tokens -= cost
        return True


def ovn_qos_meter(rate_kbps: int, burst_kbits: int | None = None) -> TokenBucket:
    """The meter of an OVN QoS bandwidth rule (NB QoS bandwidth: rate kbps, burst kbits).

    Without a burst OVN omits the OFPMF13_BURST flag; OVS then uses the rate as the burst,
    i.e. one second of traffic (dpif-netlink.c dpif_netlink_meter_set__, dpif-netdev.c
    dpif_netdev_meter_set). Since Linux 5.13 the kernel bucket is burst * 1000 bits;
    older kernels added the rate on top (commit "openvswitch: meter: remove rate from the
    bucket size calculation", 2021) - we model the fixed behaviour.
    """
    if rate_kbps < 1:
        raise InvalidValue(f"meter rate must be >= 1 kbps (the kernel refuses 0): {rate_kbps}")
    burst = burst_kbits if burst_kbits else rate_kbps
    spec = BucketSpec(rate_kbps, burst * BITS_PER_KBIT, tick_us=METER_TICK_US)
    return TokenBucket.from_spec(spec)


def ingress_policer(rate_kbps: int, burst_kbits: int = 0) -> TokenBucket | None:
    """OVS Interface ingress_policing_rate/burst (kbps, kbits); None when rate is 0 (off).

    OVS installs `tc ... police rate <R>kbit burst <B>k mtu 65535 drop`: the rate is
    R * 1000 bit/s, the burst B * 1024 bits, B defaults to 8000 when 0
    (netdev-linux.c netdev_linux_set_policing, tc_policer_init / tc_matchall_fill_police).
    """
    if rate_kbps <= 0:
        return None
    burst = burst_kbits if burst_kbits > 0 else DEFAULT_POLICING_BURST_KBITS
    spec = BucketSpec(
        rate_kbps,
        burst * TC_BITS_PER_KBIT,
        tick_us=POLICER_TICK_US,
        uncounted_bytes=ETH_HEADER_BYTES,
        min_bytes=TC_MPU_BYTES,
    )
    return TokenBucket.from_spec(spec)
