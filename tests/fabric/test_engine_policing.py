"""OVS ingress policing on a VIF (Interface ingress_policing_rate/burst), end to end.

The policer drops what the VM sends above the rate, before any logical flow runs; tc
police counts a packet without its 14-byte Ethernet header, so the throughput measured
in Ethernet bits is rate x size / (size - 14).
"""

from __future__ import annotations

import re
from pathlib import Path

from ovntwin.fabric.engine import simulate

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SEC = 1_000_000
SIZE = 1400  # the example's UDP frame size


def _scenario(tmp_path: Path, vm2: str, events: bool) -> Path:
    text = (EXAMPLES / "qos-bandwidth-limit.yaml").read_text()
    text = text.replace("topology: seed-network.yaml", f"topology: {EXAMPLES}/seed-network.yaml")
    text = text.replace("rate_kbps: 10000000,", "rate_kbps: 10000,")  # the VM offers 10 Mbit/s
    text = re.sub(r"(?m)^  vm2: hv-a$", f"  vm2: {vm2}", text)
    if not events:
        text = text[: text.index("\nevents:")] + "\n"
    path = tmp_path / "policed.yaml"
    path.write_text(text)
    return path


def _mean_bps(throughput: list[tuple[int, float]], start_s: int, end_s: int) -> float:
    window = [bps for t, bps in throughput if start_s * SEC <= t < end_s * SEC]
    return sum(window) / len(window)


def test_policer_caps_the_vm_at_its_rate(tmp_path: Path) -> None:
    path = _scenario(
        tmp_path,
        "{chassis: hv-a, ingress_policing_rate: 2000, ingress_policing_burst: 200}",
        events=False,
    )
    [flow] = simulate(path, until_us=20 * SEC).flows
    expected = 2000 * 1000 * SIZE / (SIZE - 14)
    throughput = [(int(t), float(b)) for t, b in flow.throughput]
    assert abs(_mean_bps(throughput, 2, 20) - expected) <= 0.02 * expected
    assert flow.lost > 0


def test_without_policer_the_vm_sends_at_its_rate(tmp_path: Path) -> None:
    path = _scenario(tmp_path, "hv-a", events=False)
    [flow] = simulate(path, until_us=10 * SEC).flows
    throughput = [(int(t), float(b)) for t, b in flow.throughput]
    assert _mean_bps(throughput, 1, 10) > 9_000_000
    assert flow.lost == 0
