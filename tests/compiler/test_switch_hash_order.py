"""OVS sset iteration order (switch/hash_order.py), on orders seen in real northd output."""

from __future__ import annotations

from ovntwin.compiler.switch.hash_order import hash_string, sset_order


def test_two_macs_in_northds_order() -> None:
    # ls_in_l2_lkup priority-75 sets printed by ovn-northd 23.03.1 for the seed network.
    assert sset_order(["fa:16:3e:00:01:01", "fa:16:3e:00:aa:02"]) == [
        "fa:16:3e:00:01:01",
        "fa:16:3e:00:aa:02",
    ]
    assert sset_order(["fa:16:3e:00:01:03", "fa:16:3e:00:aa:02"]) == [
        "fa:16:3e:00:aa:02",
        "fa:16:3e:00:01:03",
    ]


def test_duplicates_are_dropped_and_single_item_kept() -> None:
    assert sset_order(["x", "x"]) == ["x"]
    assert sset_order([]) == []


def test_empty_string_hash_is_zero() -> None:
    assert hash_string("") == 0


def test_same_bucket_newest_first_until_rechained() -> None:
    items = [f"fa:16:3e:00:bb:{i:02x}" for i in range(20, 27)]
    forward, backward = sset_order(items), sset_order(list(reversed(items)))
    assert sorted(forward) == sorted(backward) == sorted(items)
