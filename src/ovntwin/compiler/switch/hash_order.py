"""The iteration order of an OVS `sset` (string hash set), for flows that print one.

northd builds some match sets (e.g. the priority-75 `eth.src == {...}` of ls_in_l2_lkup)
by walking an sset, so the printed order is the hash-table order: buckets in index
order, newest entry first within a bucket, with the table doubling (and re-chaining
bucket by bucket) as it fills. `sset_order` replays that with OVS's string hash
(32-bit murmur3 mixing over little-endian words, basis 0).
"""

from __future__ import annotations

from collections.abc import Iterable

_M32 = 0xFFFFFFFF


def _rotl(x: int, k: int) -> int:
    return ((x << k) | (x >> (32 - k))) & _M32


def _mix(h: int, word: int) -> int:
    if word:  # a zero word leaves the state unmixed, as in OVS
        word = _rotl((word * 0xCC9E2D51) & _M32, 15)
        h ^= (word * 0x1B873593) & _M32
    return (_rotl(h, 13) * 5 + 0xE6546B64) & _M32


def _finish(h: int) -> int:
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & _M32
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & _M32
    return h ^ (h >> 16)


def hash_string(text: str, basis: int = 0) -> int:
    """OVS hash_string(): murmur3-style words of the UTF-8 bytes, length in the finish."""
    data = text.encode()
    h = basis
    whole = len(data) - len(data) % 4
    for i in range(0, whole, 4):
        h = _mix(h, int.from_bytes(data[i : i + 4], "little"))
    if whole < len(data):
        h = _mix(h, int.from_bytes(data[whole:].ljust(4, b"\0"), "little"))
    return _finish(h ^ len(data))


def _grown_mask(count: int) -> int:
    """The bucket mask an OVS hmap picks when it grows to hold `count` entries."""
    mask = count // 2
    for shift in (1, 2, 4, 8, 16):
        mask |= mask >> shift
    return mask | ((mask & 1) << 1)  # at least four buckets once allocated


def sset_order(items: Iterable[str]) -> list[str]:
    """`items` (duplicates dropped) in the order SSET_FOR_EACH visits them."""
    mask = 0
    buckets: list[list[tuple[int, str]]] = [[]]
    seen: set[str] = set()
    for item in items:
        if item in seen:
            continue
        seen.add(item)
        h = hash_string(item)
        buckets[h & mask].insert(0, (h, item))
        if len(seen) // 2 > mask:
            new_mask = _grown_mask(len(seen))
            if new_mask > mask:
                buckets = _rechain(buckets, new_mask)
                mask = new_mask
    return [item for bucket in buckets for _, item in bucket]


def _rechain(buckets: list[list[tuple[int, str]]], mask: int) -> list[list[tuple[int, str]]]:
    fresh: list[list[tuple[int, str]]] = [[] for _ in range(mask + 1)]
    for bucket in buckets:
        for h, item in bucket:
            fresh[h & mask].insert(0, (h, item))
    return fresh
