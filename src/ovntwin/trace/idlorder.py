"""The order in which an OVSDB IDL client (ovn-trace) walks a table's rows.

ovn-trace sorts each datapath's flows by table and priority with a stable sort, so
among equal-priority flows that all match, the first in the IDL's row order wins. That
order is the IDL's hash map of rows (keyed by the first 32 bits of the uuid), filled in
the order of the monitor reply's JSON object, itself a hash map keyed by a hash of the
uuid string. Both are OVS `hmap`s: buckets walked in index order, newest node first in a
bucket, and a doubling rehash (which reverses chains) whenever n / 2 exceeds the mask.
We replay both fills; the JSON text order only matters for uuids whose string hashes
share a bucket, which we take sorted.
"""

from __future__ import annotations

from collections.abc import Iterable

_M32 = 0xFFFFFFFF


def _rot(x: int, k: int) -> int:
    return ((x << k) | (x >> (32 - k))) & _M32


def _mix(h: int, data: int) -> int:
    """One murmur3 round (OVS mhash_add)."""
    if data:
        data = _rot((data * 0xCC9E2D51) & _M32, 15)
        h ^= (data * 0x1B873593) & _M32
    return (_rot(h, 13) * 5 + 0xE6546B64) & _M32


def string_hash(text: str) -> int:
    """OVS hash_string(text, 0): murmur3 over little-endian 32-bit words."""
    raw = text.encode()
    h = 0
    for i in range(0, len(raw), 4):
        h = _mix(h, int.from_bytes(raw[i : i + 4].ljust(4, b"\0"), "little"))
    h ^= len(raw)
    h = ((h ^ (h >> 16)) * 0x85EBCA6B) & _M32
    h = ((h ^ (h >> 13)) * 0xC2B2AE35) & _M32
    return h ^ (h >> 16)


def _grown_mask(n: int) -> int:
    """OVS calc_mask(n): a power of two minus one around n / 2, at least 3."""
    mask = n // 2
    for shift in (1, 2, 4, 8, 16, 32):
        mask |= mask >> shift
    return mask | (mask & 1) << 1


def _fill(items: Iterable[tuple[str, int]]) -> list[str]:
    """Insert (key, hash) pairs into a simulated hmap; return its iteration order."""
    mask, n = 0, 0
    buckets: list[list[tuple[str, int]]] = [[]]
    for key, h in items:
        buckets[h & mask].insert(0, (key, h))
        n += 1
        if n // 2 > mask and _grown_mask(n) > mask:
            mask = _grown_mask(n)
            old, buckets = buckets, [[] for _ in range(mask + 1)]
            for chain in old:
                for node in chain:
                    buckets[node[1] & mask].insert(0, node)
    return [key for chain in buckets for key, _h in chain]


def idl_rank(uuids: Iterable[str]) -> dict[str, int]:
    """Each distinct row uuid -> its position when the IDL iterates the table."""
    distinct = sorted(set(uuids))
    by_json = _fill((u, string_hash(u)) for u in distinct)
    by_row = _fill((u, _uuid_hash(u)) for u in by_json)
    return {u: i for i, u in enumerate(by_row)}


def _uuid_hash(uuid: str) -> int:
    try:
        return int(uuid[:8], 16)
    except ValueError:
        return string_hash(uuid)  # not a uuid (hand-written test flows)
