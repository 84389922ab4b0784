"""`ovntwin simulate`: run a scenario (or each of its variants) and report.

    run_simulate(path, variants=[None], until_us=None, json_out=None, plot=None, pcap=None)

The progress bar follows simulated time on stderr; the text summary (rich tables, see
cli/sim_report.py) goes to stdout, or to stderr when the JSON goes to stdout
(`--json -`). Plot and pcap are written per run: with several variants the plot has a
column per variant and each variant gets its own pcap (`OUT-VARIANT.pcap`).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ovntwin.errors import OvnTwinError

if TYPE_CHECKING:
    from rich.console import Console

    from ovntwin.fabric.pcap import PcapWriter
    from ovntwin.fabric.results import Results
    from ovntwin.fabric.scenario import Scenario

SECOND_US = 1_000_000
REPORT_WIDTH = 150


class SimulateError(OvnTwinError):
    """A simulate option that cannot be honoured (missing extra, bad output path...)."""


@dataclass(frozen=True, slots=True)
class Run:
    scenario: Scenario
    results: Results


def variants_of(path: str, variant: str | None, all_variants: bool) -> list[str | None]:
    """The runs asked for: the base scenario and every variant, or one of them."""
    from ovntwin.fabric.load import scenario_variants

    if all_variants:
        if variant is not None:
            raise SimulateError("--variant and --all-variants exclude each other")
        return [None, *scenario_variants(path)]
    return [variant]


def run_simulate(
    path: str,
    variants: Sequence[str | None],
    *,
    until_us: int | None = None,
    json_out: str | None = None,
    plot: str | None = None,
    pcap: str | None = None,
    quiet: bool = False,
) -> list[Run]:
    from rich.console import Console

    from ovntwin.cli.sim_report import print_comparison, print_summary, router_macs

    err = Console(stderr=True)
    to_stderr = json_out == "-"
    stream = sys.stderr if to_stderr else sys.stdout
    # Tables are wide: outside a terminal (pipes, CI logs) do not wrap them at 80 columns.
    width = None if stream.isatty() else REPORT_WIDTH
    out = Console(stderr=to_stderr, highlight=False, width=width)
    _check_extras(plot is not None, pcap is not None)
    for target in (json_out, plot, pcap):
        _check_writable(target)
    runs = [
        _one_run(path, variant, until_us, _pcap_path(pcap, variant, len(variants)), err, quiet)
        for variant in variants
    ]
    for run in runs:
        print_summary(out, run.scenario, run.results)
    if len(runs) > 1:
        print_comparison(out, [(run.scenario, run.results) for run in runs])
    if plot is not None:
        from ovntwin.fabric.plots import plot_results

        owners: dict[str, str] = {}
        for run in runs:
            owners.update(router_macs(run.scenario))
        written = plot_results([run.results for run in runs], plot, owners)
        out.print(f"plot: {written}")
    if json_out is not None:
        _write_json(json_out, [run.results for run in runs])
    return runs


def _check_extras(plot: bool, pcap: bool) -> None:
    """Fail before a long run rather than after it."""
    import importlib.util

    wanted = [("simpy", True), ("matplotlib", plot), ("dpkt", pcap)]
    missing = [name for name, needed in wanted if needed and not importlib.util.find_spec(name)]
    if missing:
        raise SimulateError(
            f"{', '.join(missing)} not installed: pip install 'ovntwin[sim]' (the simulation extra)"
        )


def _check_writable(target: str | None) -> None:
    """Fail before a long run rather than after it: the output's folder must exist."""
    if target is None or target == "-":
        return
    folder = Path(target).parent
    if not folder.is_dir():
        raise SimulateError(f"cannot write {target}: no directory {folder}")


def _pcap_path(pcap: str | None, variant: str | None, runs: int) -> Path | None:
    if pcap is None:
        return None
    path = Path(pcap)
    if runs == 1 or variant is None:
        return path
    return path.with_name(f"{path.stem}-{variant}{path.suffix or '.pcap'}")


def _one_run(
    path: str,
    variant: str | None,
    until_us: int | None,
    pcap_path: Path | None,
    err: Console,
    quiet: bool,
) -> Run:
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from ovntwin.fabric.load import load_scenario

    scenario = load_scenario(path, variant)
    end_us = until_us if until_us is not None else scenario.until_us
    label = scenario.name + (f" [{variant}]" if variant else "")
    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.fields[sim]:>9} / {task.fields[end]} simulated"),
        TimeElapsedColumn(),
    )
    with ExitStack() as stack:
        progress = stack.enter_context(
            Progress(*columns, console=err, transient=False, disable=quiet)
        )
        end_text = f"{end_us / SECOND_US:g} s"
        task = progress.add_task(label, total=end_us, sim="0 s", end=end_text)

        def advance(now_us: int, _until_us: int = 0) -> None:
            progress.update(task, completed=now_us, sim=f"{now_us / SECOND_US:.1f} s")

        writer = None
        if pcap_path is not None:
            from ovntwin.fabric.node import underlay_macs
            from ovntwin.fabric.pcap import PcapWriter

            underlay = underlay_macs(scenario.fabric)
            writer = stack.enter_context(
                PcapWriter(pcap_path, _capture_points(scenario), underlay=underlay)
            )
        results = _simulate(scenario, variant, end_us, advance, writer)
        advance(end_us)
    if writer is not None:
        _report_pcap(err, writer)
    return Run(scenario, results)


def _capture_points(scenario: Scenario) -> set[str] | None:
    """The scenario's named capture points, if it has any (None: every ToR frame)."""
    points = getattr(scenario, "capture", None)
    return set(points) if points else None


def _simulate(
    scenario: Scenario,
    variant: str | None,
    until_us: int,
    progress: Callable[[int, int], None],
    writer: PcapWriter | None,
) -> Results:
    """The engine's `simulate`, with the pcap writer as its frame tap when it takes one."""
    import inspect

    from ovntwin.fabric.engine import simulate

    options: dict[str, Any] = {"until_us": until_us, "progress": progress}
    if writer is not None:
        if "capture" not in inspect.signature(simulate).parameters:
            raise SimulateError("--pcap: this engine does not report the frames it carries")
        options["capture"] = writer
    return simulate(scenario, **options)


def _report_pcap(err: Console, writer: PcapWriter) -> None:
    note = f", {writer.truncated} more not written (limit)" if writer.truncated else ""
    err.print(f"pcap: {writer.path} ({writer.written} frames{note})")


def _write_json(json_out: str, runs: Sequence[Results]) -> None:
    doc: dict[str, Any]
    if len(runs) == 1:
        doc = runs[0].to_json()
    else:
        doc = {"scenario": runs[0].scenario, "runs": [r.to_json() for r in runs]}
    write_json(json_out, doc)


def write_json(json_out: str, doc: dict[str, Any]) -> None:
    """`doc` as indented JSON into the file `json_out`, or on stdout for "-"."""
    text = json.dumps(doc, indent=2) + "\n"
    if json_out == "-":
        sys.stdout.write(text)
        return
    try:
        Path(json_out).write_text(text, encoding="utf-8")
    except OSError as err:
        raise SimulateError(f"cannot write {json_out}: {err}") from None
