"""One PNG per run (or one column per variant): ToR port per MAC, throughput, BFD states.

    plot_results([results, ...], "out.png")

Panels, top to bottom, all against simulated time in seconds:
  1. the ToR port each (switch, VLAN, MAC) is learned on — a step line per MAC that
     moved (or, when none moved, the final CAM entries, flat);
  2. received throughput per traffic flow;
  3. the BFD state of each session (chassis -> peer), with gateway takeovers and
     injected failures as vertical lines.

matplotlib is imported lazily (the `sim` extra) with the Agg backend, so plotting
never needs a display.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ovntwin.errors import OvnTwinError
from ovntwin.fabric.results import HaEvent, Results

if TYPE_CHECKING:
    from matplotlib.axes import Axes

SECOND_US = 1_000_000
BFD_LEVELS = ("admin_down", "down", "init", "up")  # RFC 5880 states, bottom to top
MAX_MAC_LINES = 12  # beyond this the legend is unreadable; the JSON has them all


class PlotError(OvnTwinError):
    """matplotlib is missing or the figure cannot be written."""


@dataclass(frozen=True, slots=True)
class Step:
    """A step line: y holds from times[i] until times[i + 1] (the last until `end_s`)."""

    label: str
    times_s: tuple[float, ...]
    values: tuple[str, ...]


def mac_port_steps(results: Results, owners: Mapping[str, str] | None = None) -> list[Step]:
    """Per (switch, VLAN, MAC) that moved: its port over time, from the first move's
    source port at the first-journey CAM time (or 0) through each move."""
    first_seen = {
        (sw, e.vlan, e.mac): e.last_seen_us
        for sw, entries in results.cam_first_journey.items()
        for e in entries
    }
    lines: dict[tuple[str, int, str], tuple[list[float], list[str]]] = {}
    for move in results.mac_moves:
        key = (move.switch, move.vlan, move.mac)
        if key not in lines:
            start = min(first_seen.get(key, 0), move.time_us)
            lines[key] = ([start / SECOND_US], [move.from_port])
        times, ports = lines[key]
        times.append(move.time_us / SECOND_US)
        ports.append(move.to_port)
    names = {k.lower(): v for k, v in (owners or {}).items()}

    def label(sw: str, vlan: int, mac: str) -> str:
        owner = names.get(mac.lower())
        return f"{sw} vlan {vlan} {mac}" + (f" ({owner})" if owner else "")

    if not lines:  # nothing moved: the owned MACs (else all) as first learned, flat
        cam = results.cam_first_journey or results.cam
        entries = [(sw, e) for sw, es in sorted(cam.items()) for e in es]
        owned = [(sw, e) for sw, e in entries if e.mac.lower() in names]
        return [
            Step(label(sw, e.vlan, e.mac), (e.last_seen_us / SECOND_US,), (e.port,))
            for sw, e in (owned or entries)
        ][:MAX_MAC_LINES]
    return [
        Step(label(sw, vlan, mac), tuple(times), tuple(ports))
        for (sw, vlan, mac), (times, ports) in sorted(lines.items())
    ][:MAX_MAC_LINES]


def bfd_steps(results: Results) -> list[Step]:
    """Per BFD session (chassis -> peer): its state over time, starting in the first
    event's old state at t=0."""
    lines: dict[tuple[str, str], tuple[list[float], list[str]]] = {}
    for event in results.events("bfd"):
        key = (event.chassis or "?", event.peer or "?")
        if key not in lines:
            lines[key] = ([0.0], [_bfd_level(event.old)])
        times, states = lines[key]
        times.append(event.time_us / SECOND_US)
        states.append(_bfd_level(event.new))
    return [
        Step(f"{chassis} -> {peer}", tuple(times), tuple(states))
        for (chassis, peer), (times, states) in sorted(lines.items())
    ]


def _bfd_level(state: str | None) -> str:
    text = (state or "down").lower().replace("-", "_").replace("admindown", "admin_down")
    return text if text in BFD_LEVELS else "down"


def plot_results(
    runs: Sequence[Results], out: str | Path, owners: Mapping[str, str] | None = None
) -> Path:
    """Write the panels of every run (one column each) to `out` (PNG). `owners` names
    MACs (e.g. router ports); without moves only those MACs are drawn."""
    if not runs:
        raise PlotError("nothing to plot: no simulation results")
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as err:
        raise PlotError(f"plotting needs matplotlib: pip install 'ovntwin[sim]' ({err})") from None
    cols = len(runs)
    fig, axes = plt.subplots(3, cols, figsize=(8 * cols, 11), squeeze=False, sharex="col")
    for col, results in enumerate(runs):
        end_s = results.until_us / SECOND_US
        title = results.scenario + (f" [{results.variant}]" if results.variant else "")
        axes[0][col].set_title(title, fontsize=11, fontweight="bold")
        _mac_panel(axes[0][col], mac_port_steps(results, owners), end_s, bool(results.mac_moves))
        _throughput_panel(axes[1][col], results, end_s)
        _bfd_panel(axes[2][col], results, end_s)
        axes[2][col].set_xlabel("simulated time (s)")
    fig.tight_layout()
    path = Path(out)
    try:
        fig.savefig(path, dpi=110)
    except OSError as err:
        raise PlotError(f"cannot write {path}: {err}") from None
    finally:
        plt.close(fig)
    return path


def _draw_steps(ax: Axes, steps: list[Step], levels: Sequence[str], end_s: float) -> None:
    """Step lines on a categorical y axis; lines sharing a level are nudged apart."""
    index = {level: i for i, level in enumerate(levels)}
    nudge = 0.3 / max(1, len(steps))
    for n, step in enumerate(steps):
        xs = [*step.times_s, end_s]
        ys = [index[v] + (n - (len(steps) - 1) / 2) * nudge for v in step.values]
        ax.step(xs, [*ys, ys[-1]], where="post", label=step.label, linewidth=1.4)
    ax.set_yticks(range(len(levels)), list(levels))
    ax.set_ylim(-0.6, len(levels) - 0.4)
    ax.set_xlim(0, end_s)
    ax.grid(True, axis="x", alpha=0.3)


def _mac_panel(ax: Axes, steps: list[Step], end_s: float, moved: bool) -> None:
    ax.set_ylabel("ToR port")
    if not steps:
        _empty(ax, "no MAC learned on any ToR")
        return
    ports = sorted({p for s in steps for p in s.values})
    _draw_steps(ax, steps, ports, end_s)
    if not moved:
        ax.text(0.99, 0.03, "no MAC moves", transform=ax.transAxes, ha="right", fontsize=9)
    ax.legend(fontsize=7, loc="upper right", framealpha=0.8)


def _throughput_panel(ax: Axes, results: Results, end_s: float) -> None:
    flows = [f for f in results.flows if f.throughput]
    peak = max((bps for f in flows for _, bps in f.throughput), default=0)
    scale, unit = _rate_unit(peak)
    ax.set_ylabel(f"throughput ({unit})")
    if not flows:
        _empty(ax, "no throughput samples")
        return
    for flow in flows:
        xs = [t / SECOND_US for t, _ in flow.throughput]
        ys = [bps / scale for _, bps in flow.throughput]
        ax.step([*xs, end_s], [*ys, ys[-1]], where="post", label=flow.name, linewidth=1.4)
    ax.set_xlim(0, end_s)
    low = min((bps for f in flows for _, bps in f.throughput if bps > 0), default=0)
    if low and peak / low > 100:  # pings next to bulk flows: only a log axis shows both
        ax.set_yscale("log")
    else:
        ax.set_ylim(bottom=0)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=7, loc="upper right", framealpha=0.8)


def _rate_unit(peak_bps: int) -> tuple[float, str]:
    for scale, unit in ((1e9, "Gbit/s"), (1e6, "Mbit/s"), (1e3, "kbit/s")):
        if peak_bps >= scale:
            return scale, unit
    return 1.0, "bit/s"


def _bfd_panel(ax: Axes, results: Results, end_s: float) -> None:
    ax.set_ylabel("BFD state")
    steps = bfd_steps(results)
    if not steps:
        _empty(ax, "no BFD sessions changed state")
    else:
        _draw_steps(ax, steps, BFD_LEVELS, end_s)
        ax.legend(fontsize=7, loc="lower right", framealpha=0.8, ncol=2)
    marks = sorted(results.events("failure") + results.events("takeover"), key=_time)
    for n, event in enumerate(marks):
        color = "red" if event.kind == "failure" else "green"
        x = event.time_us / SECOND_US
        ax.axvline(x, color=color, linestyle="--", linewidth=1)
        label = event.detail or event.chassis or event.kind
        y = 0.97 - 0.06 * (n % 3)  # staggered so close events stay legible
        ax.text(x, y, f" {event.kind}: {label}", transform=ax.get_xaxis_transform(),
                color=color, fontsize=7, va="top")  # fmt: skip


def _time(event: HaEvent) -> int:
    return event.time_us


def _empty(ax: Axes, text: str) -> None:
    ax.text(0.5, 0.5, text, transform=ax.transAxes, ha="center", va="center", color="grey")
    ax.set_yticks([])
