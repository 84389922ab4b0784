"""Wall time of `simulate()` on the shipped scenarios (goal: 60 s of vlan-dvr-flapping < 2 s).

python3 benchmarks/simulate.py
"""

from __future__ import annotations

import time
from pathlib import Path

from ovntwin.fabric.engine import simulate
from ovntwin.fabric.load import load_scenario

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
CASES = [
    ("vlan-dvr-flapping.yaml", None),
    ("vlan-dvr-flapping.yaml", "with-chassis-mac-mappings"),
    ("vlan-dvr-flapping.yaml", "reside-on-redirect-chassis"),
    ("l3ha-failover.yaml", None),
    ("l3ha-failover.yaml", "bfd-100-100-3"),
    ("qos-bandwidth-limit.yaml", None),
]


def main() -> None:
    print(f"{'scenario':<28} {'variant':<28} {'sim s':>6} {'wall s':>7} {'packets':>8}")
    for name, variant in CASES:
        scenario = load_scenario(EXAMPLES / name, variant)
        started = time.perf_counter()
        res = simulate(scenario)
        wall = time.perf_counter() - started
        frames = sum(f.sent for f in res.flows)
        sim_s = res.until_us / 1_000_000
        print(f"{name:<28} {variant or '-':<28} {sim_s:>6.0f} {wall:>7.3f} {frames:>8}")


if __name__ == "__main__":
    main()
