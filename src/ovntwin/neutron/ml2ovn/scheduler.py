"""Gateway chassis scheduling for router gateway ports (ML2/OVN's least-loaded scheduler)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ovntwin.model.runtime import Chassis

MAX_GW_CHASSIS = 5  # neutron's MAX_GW_CHASSIS


def _options(ch: Chassis, key: str) -> str:
    return ch.other_config.get(key) or ch.external_ids.get(key, "")


def candidates(chassis: Sequence[Chassis], physnet: str | None) -> list[Chassis]:
    """Gateway-capable chassis (ovn-cms-options enable-chassis-as-gw) bridged to physnet."""
    if not physnet:
        return []
    out = []
    for ch in chassis:
        cms = _options(ch, "ovn-cms-options").split(",")
        bridges = {m.split(":")[0] for m in _options(ch, "ovn-bridge-mappings").split(",") if m}
        if "enable-chassis-as-gw" in cms and physnet in bridges:
            out.append(ch)
    return out


def schedule(
    cands: Sequence[Chassis], load: Mapping[tuple[str, int], int]
) -> list[tuple[str, int]]:
    """Up to 5 chassis with priorities N..1; for each priority, the chassis hosting the
    fewest gateway ports at that priority so far (ties: by name; neutron hashes instead)."""
    size = min(MAX_GW_CHASSIS, len(cands))
    chosen: list[tuple[str, int]] = []
    left = sorted(ch.name for ch in cands)
    for priority in range(size, 0, -1):
        best = min(left, key=lambda name: (load.get((name, priority), 0), name))
        left.remove(best)
        chosen.append((best, priority))
    return chosen
