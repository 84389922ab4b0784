"""The IDL row-order replay against an order real ovn-sbctl printed (no OVN needed)."""

from __future__ import annotations

import json
import random
from pathlib import Path

from ovntwin.trace.idlorder import idl_rank, string_hash

FIXTURE = Path(__file__).parent / "fixtures" / "idl_row_order.json"


def test_matches_a_recorded_ovsdb_idl_order() -> None:
    listed = json.loads(FIXTURE.read_text())  # `ovn-sbctl --bare --columns=_uuid list Logical_Flow`
    shuffled = random.Random(7).sample(listed, len(listed))
    rank = idl_rank(shuffled)  # the input order does not matter
    assert sorted(listed, key=rank.__getitem__) == listed


def test_buckets_follow_the_first_uuid_word() -> None:
    listed = json.loads(FIXTURE.read_text())
    mask = (1 << (len(listed).bit_length() - 1)) - 1
    buckets = [int(u[:8], 16) & mask for u in listed]
    assert buckets == sorted(buckets)


def test_string_hash_is_32_bit_and_length_sensitive() -> None:
    assert 0 <= string_hash("a") < 1 << 32
    assert string_hash("abcd") != string_hash("abcd\0")
