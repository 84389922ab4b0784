"""`ovntwin simulate REPLAY.yaml [--api URL]`: Neutron API calls replayed in simulated time.

Without --api an in-process API on a temporary SQLite database answers the calls (the
replay works offline); with it, a running `ovntwin serve`. The summary, --json and
--plot are those of `ovntwin simulate`, plus the calls as they ran and the QoS changes
the agents made (JSON key `replay`).
"""

from __future__ import annotations

import json
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ovntwin.cli.simulate import SimulateError, _check_extras, _check_writable, write_json

if TYPE_CHECKING:
    from rich.console import Console

    from ovntwin.agents.replay import ReplayResult

SECOND_US = 1_000_000


class HttpTransport:
    """Any client with httpx's `request(method, url, json=...)` (httpx.Client, TestClient)."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def request(self, method: str, path: str, body: Any | None) -> tuple[int, Any]:
        try:
            response = self.client.request(method, path, json=body)
        except Exception as err:  # httpx.HTTPError and OS errors: the server is not there
            raise SimulateError(f"{method} {path}: {err}") from None
        try:
            doc = response.json() if response.content else None
        except ValueError:
            doc = response.text
        return response.status_code, doc


def replay_to_json(run: ReplayResult) -> dict[str, Any]:
    doc = run.results.to_json()
    doc["replay"] = {
        "calls": [
            {"time_us": s.at_us, "method": s.method, "path": s.path, "status": s.status,
             "notifications": s.notifications,
             "qos_rows": {p: [_row(x) for x in rows] for p, rows in s.ovn_rows.items()}}
            for s in run.steps
        ],
        "qos_changes": [{"time_us": t, **_change(c)} for t, c in run.changes],
    }  # fmt: skip
    return doc


def _row(row: Any) -> dict[str, Any]:
    return {"priority": row.priority, "direction": row.direction, "match": row.match,
            "bandwidth": dict(row.bandwidth), "action": dict(row.action)}  # fmt: skip


def _change(change: Any) -> dict[str, Any]:
    from ovntwin.fabric.qos_runtime import OvnPortQos

    if isinstance(change, OvnPortQos):
        row = None if change.row is None else _row(change.row)
        return {"driver": "ovn", "port": change.port, "direction": change.direction, "row": row}
    return {"driver": "ovs", "port": change.vif,
            "ingress_policing_rate": change.policing_rate_kbps,
            "ingress_policing_burst": change.policing_burst_kbits,
            "queue_max_rate_kbps": change.queue_max_rate_kbps,
            "queue_burst_kbits": change.queue_burst_kbits}  # fmt: skip


def run_replay(
    path: str,
    api: str | None,
    *,
    until_us: int | None = None,
    json_out: str | None = None,
    plot: str | None = None,
    quiet: bool = False,
) -> ReplayResult:
    from dataclasses import replace

    from rich.console import Console

    from ovntwin.agents.replay import Replay, load_replay

    _check_extras(plot is not None, False)
    for target in (json_out, plot):
        _check_writable(target)
    spec = load_replay(path)
    if until_us is not None:
        spec = replace(spec, until_us=until_us)
    to_stderr = json_out == "-"
    out = Console(stderr=to_stderr, highlight=False, width=None if sys.stdout.isatty() else 150)
    err = Console(stderr=True)
    with ExitStack() as stack:
        transport = HttpTransport(stack.enter_context(_client(api, stack)))
        replay = Replay(spec, transport)
        run = replay.run(None if quiet else _progress(err))
    _report(out, run, api)
    if plot is not None:
        from ovntwin.cli.sim_report import router_macs
        from ovntwin.fabric.plots import plot_results

        out.print(f"plot: {plot_results([run.results], plot, router_macs(run.scenario))}")
    if json_out is not None:
        write_json(json_out, replay_to_json(run))
    return run


def _client(api: str | None, stack: ExitStack) -> Any:
    if api is not None:
        import httpx

        return httpx.Client(base_url=api.rstrip("/"), timeout=30.0)
    import warnings

    from ovntwin.api.app import create_app

    with warnings.catch_warnings():  # starlette's notice about its httpx-based client
        warnings.simplefilter("ignore", DeprecationWarning)
        from fastapi.testclient import TestClient

    folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="ovntwin-replay-"))
    return TestClient(create_app(f"sqlite:///{Path(folder) / 'neutron.db'}"))


def _progress(err: Console) -> Any:
    def show(now_us: int, until_us: int) -> None:
        err.print(f"simulated {now_us / SECOND_US:.0f} / {until_us / SECOND_US:.0f} s", end="\r")

    return show


def _report(out: Console, run: ReplayResult, api: str | None) -> None:
    from ovntwin.cli.sim_report import print_summary

    print_summary(out, run.scenario, run.results)
    out.print(f"API: {api or 'in-process (temporary SQLite)'}")
    for step in run.steps:
        out.print(f"  {step.at_us / SECOND_US:8.3f} s  {step.method:6} {step.path} -> "
                  f"{step.status} ({step.notifications} notifications)")  # fmt: skip
    for at, change in run.changes:
        out.print(f"  {at / SECOND_US:8.3f} s  agent: {json.dumps(_change(change))}")
