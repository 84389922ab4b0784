"""The text summary of `ovntwin simulate`: rich tables of one run, and across variants.

MAC moves are grouped per (switch, VLAN, MAC) and a MAC that belongs to a logical
router port is named (`R1/r1-B`): those are the seed's flapping MACs. Long event
lists are cut to their first lines; the JSON (`--json`) has everything.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from rich.console import Console
from rich.table import Table

from ovntwin.fabric.results import FlowResult, HaEvent, Results
from ovntwin.fabric.scenario import Ping, Scenario
from ovntwin.fabric.tor import MacMove
from ovntwin.model import rows as r

SECOND_US = 1_000_000
MAX_EVENT_ROWS = 20  # HA events shown; the JSON has them all


def router_macs(scenario: Scenario) -> dict[str, str]:
    """MAC -> "router/port" for every logical router port (lower-case MACs)."""
    nb = scenario.nb
    owner = {p: lr.name for lr in nb.rows(r.LogicalRouter) for p in lr.ports}
    return {
        lrp.mac.lower(): f"{owner.get(lrp.uuid, '?')}/{lrp.name}"
        for lrp in nb.rows(r.LogicalRouterPort)
    }


def _s(time_us: int | None) -> str:
    return "-" if time_us is None else f"{time_us / SECOND_US:.3f}"


def _rate(bps: float) -> str:
    for scale, unit in ((1e9, "Gb/s"), (1e6, "Mb/s"), (1e3, "kb/s")):
        if bps >= scale:
            return f"{bps / scale:.2f} {unit}"
    return f"{bps:.0f} b/s"


def _us(value: int | None) -> str:
    if value is None:
        return "-"
    return f"{value / 1000:.3f} ms" if value >= 1000 else f"{value} µs"


def mean_throughput(flow: FlowResult) -> float:
    """Mean received bit rate over the bins the flow was active in (bps)."""
    active = [bps for _, bps in flow.throughput if bps > 0]
    return sum(active) / len(active) if active else 0.0


def print_summary(out: Console, scenario: Scenario, results: Results) -> None:
    title = scenario.name + (f" [{results.variant}]" if results.variant else "")
    out.rule(f"[bold]{title}")
    if scenario.description:
        out.print(scenario.description)
    out.print(
        f"simulated {_s(results.until_us)} s in {results.wall_time_s:.2f} s wall time, "
        f"seed {results.seed}"
    )
    out.print(_moves_table(results.mac_moves, router_macs(scenario)))
    if results.detections:
        out.print(_detections_table(results))
    if results.ha_events:
        out.print(_ha_table(results))
    out.print(_flows_table(results))
    paths = [f for f in results.flows if f.path]
    for flow in paths:
        out.print(f"[bold]path {flow.name}[/]: " + " → ".join(flow.path), soft_wrap=True)


def _moves_table(moves: Sequence[MacMove], routers: dict[str, str]) -> Table:
    table = Table(title=f"ToR MAC moves ({len(moves)})", title_justify="left")
    for col in ("switch", "vlan", "mac", "owner", "moves", "first (s)", "last (s)", "ports"):
        table.add_column(col, justify="right" if col in ("vlan", "moves") else "left")
    groups: dict[tuple[str, int, str], list[MacMove]] = defaultdict(list)
    for move in moves:
        groups[(move.switch, move.vlan, move.mac)].append(move)
    for (switch, vlan, mac), group in sorted(groups.items()):
        ports = sorted({m.from_port for m in group} | {m.to_port for m in group})
        table.add_row(
            switch, str(vlan), mac, routers.get(mac.lower(), ""), str(len(group)),
            _s(group[0].time_us), _s(group[-1].time_us), " <-> ".join(ports),
        )  # fmt: skip
    if not groups:
        table.add_row("-", "-", "-", "", "0", "-", "-", "no MAC moved")
    return table


def _detections_table(results: Results) -> Table:
    table = Table(title=f"MAC-move detections ({len(results.detections)})", title_justify="left")
    for col in ("time (s)", "switch", "vlan", "mac", "moves", "action", "port", "until (s)"):
        table.add_column(col)
    for d in results.detections:
        until = "cleared by hand" if d.until_us is None else _s(d.until_us)
        table.add_row(
            _s(d.time_us), d.switch, str(d.vlan), d.mac, str(d.moves), d.action, d.port, until
        )
    return table


def _startup_end(events: list[HaEvent]) -> int | None:
    """When the last BFD session first came up: what happens until then is start-up."""
    first_up: dict[tuple[str, str], int] = {}
    for e in events:
        if e.kind == "bfd" and e.new == "up":
            first_up.setdefault((e.chassis or "", e.peer or ""), e.time_us)
    return max(first_up.values()) if first_up else None


def _group_garps(events: list[HaEvent]) -> list[tuple[HaEvent, list[HaEvent]]]:
    """One row per event, except GARPs a chassis sends at the same time: one row for all."""
    rows: list[tuple[HaEvent, list[HaEvent]]] = []
    for e in events:
        last = rows[-1] if rows else None
        if (
            e.kind == "garp"
            and last is not None
            and last[1]
            and (last[0].time_us, last[0].chassis) == (e.time_us, e.chassis)
        ):
            last[1].append(e)
        else:
            rows.append((e, [e] if e.kind == "garp" else []))
    return rows


def _ha_table(results: Results) -> Table:
    events = list(results.ha_events)
    end = _startup_end(events)
    # Start-up (sessions coming up, first elections) is summarised in one row; failures
    # and QoS changes are always listed. The JSON has every event.
    later = [e for e in events if end is None or e.time_us > end or e.kind in ("failure", "qos")]
    cut = f", first {MAX_EVENT_ROWS}" if len(later) > MAX_EVENT_ROWS else ""
    table = Table(title=f"HA events ({len(events)}{cut})", title_justify="left")
    for col in ("time (s)", "kind", "chassis", "peer", "what"):
        table.add_column(col)
    if end is not None and len(later) < len(events):
        hidden = len(events) - len(later)
        table.add_row(f"0-{_s(end)}", "start-up", "", "", f"{hidden} events: BFD sessions up")
    for e, garps in _group_garps(later)[:MAX_EVENT_ROWS]:
        if e.kind == "bfd":
            what = f"{e.old} -> {e.new}" + (f" ({e.diag})" if e.diag else "")
        elif garps:
            what = ", ".join(f"{g.port} {g.ip or g.mac}" for g in garps)
        else:
            what = e.detail or e.port or ""
        table.add_row(_s(e.time_us), e.kind, e.chassis or "", e.peer or "", what)
    summary = results.ha_summary()
    if summary:
        figures = ", ".join(
            f"{k}={v}" for k, v in summary.items() if k != "flows" and v is not None
        )
        table.caption = f"failover: {figures}"
    return table


def _flows_table(results: Results) -> Table:
    table = Table(title="Traffic flows", title_justify="left")
    columns = ("flow", "kind", "to", "sent", "recv", "lost", "throughput", "rtt min/avg/max",
               "one-way", "extra hop")  # fmt: skip
    for col in columns:
        table.add_column(col, justify="right" if col in ("sent", "recv", "lost") else "left")
    for f in results.flows:
        rtt = f.rtt
        rtts = "-" if rtt is None else f"{_us(rtt.min_us)}/{_us(rtt.avg_us)}/{_us(rtt.max_us)}"
        lost = f"{f.lost}" + (f" ({100 * f.lost / f.sent:.1f}%)" if f.sent and f.lost else "")
        table.add_row(
            f.name, f.kind, f.dst_ip, str(f.sent), str(f.received), lost,
            _rate(mean_throughput(f)), rtts, _us(f.one_way_latency_us),
            _us(f.extra_hop_latency_us),
        )  # fmt: skip
    return table


def print_comparison(out: Console, runs: Sequence[tuple[Scenario, Results]]) -> None:
    """One row per variant: router MAC moves, all moves, detections, losses, outage,
    throughput, RTT and extra hop latency."""
    table = Table(title="Variants compared", title_justify="left")
    columns = ("variant", "router MAC moves", "all MAC moves", "detections", "lost",
               "longest outage", "throughput", "avg rtt", "extra hop")  # fmt: skip
    for col in columns:
        table.add_column(col, justify="left" if col == "variant" else "right")
    for scenario, results in runs:
        routers = router_macs(scenario)
        router_moves = sum(1 for m in results.mac_moves if m.mac.lower() in routers)
        flows = results.flows
        rtts = [f.rtt.avg_us for f in flows if f.rtt is not None]
        extra = [f.extra_hop_latency_us for f in flows if f.extra_hop_latency_us is not None]
        table.add_row(
            results.variant or "(base)",
            str(router_moves),
            str(len(results.mac_moves)),
            str(len(results.detections)),
            str(sum(f.lost for f in flows)),
            _outage(scenario, flows),
            _rate(sum(mean_throughput(f) for f in flows)),
            _us(sum(rtts) // len(rtts)) if rtts else "-",
            _us(max(extra)) if extra else "-",
        )
    out.print(table)


def _outage(scenario: Scenario, flows: Sequence[FlowResult]) -> str:
    """The longest run of consecutive lost pings, times the ping's interval."""
    longest_us = 0
    for flow in flows:
        spec = scenario.flow(flow.name)
        interval = spec.interval_us if isinstance(spec, Ping) else 0
        run = 0
        for rtt in flow.rtts_us:
            run = run + 1 if rtt is None else 0
            longest_us = max(longest_us, run * interval)
    return f"{longest_us / SECOND_US:g} s" if longest_us else "-"
