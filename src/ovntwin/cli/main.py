"""The `ovntwin` command: lflow-list, trace, demo, simulate, serve, export-nb.

Unlike ovn-trace, every error goes to stderr with a non-zero exit status, and no
error ever shows a traceback: anything ovntwin raises on purpose is an OvnTwinError.
"""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from ovntwin.errors import ExprSyntaxError, OvnTwinError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="An offline twin of an OpenStack Neutron + OVN network.",
)

NbOption = Annotated[
    str | None,
    typer.Option(
        "--nb",
        metavar="SOURCE",
        help="Northbound: a YAML topology, an OVSDB database file, or unix:PATH / tcp:HOST:PORT.",
    ),
]
ApiOption = Annotated[
    str | None,
    typer.Option("--api", metavar="URL", help="Northbound of a running `ovntwin serve`."),
]
NeutronDbOption = Annotated[
    str | None,
    typer.Option(
        "--neutron-db", metavar="URL", help="Northbound stored in an `ovntwin serve` database."
    ),
]
SbOption = Annotated[
    str | None,
    typer.Option(
        "--sb",
        metavar="SOURCE",
        help="Southbound runtime facts (chassis, bindings, MAC bindings, FDB, tunnel keys).",
    ),
]


def _fail(message: str, code: int = 1) -> typer.Exit:
    typer.echo(f"ovntwin: {message}", err=True)
    return typer.Exit(code)


def _error_text(err: OvnTwinError) -> str:
    return err.render() if isinstance(err, ExprSyntaxError) else str(err)


@app.command("lflow-list")
def lflow_list(
    datapath: Annotated[str | None, typer.Argument(help="Switch or router name or uuid.")] = None,
    nb: NbOption = None,
    sb: SbOption = None,
    api: ApiOption = None,
    neutron_db: NeutronDbOption = None,
) -> None:
    """Print the logical flows exactly as `ovn-sbctl lflow-list` does."""
    from ovntwin.cli.commands import run_lflow_list

    try:
        sys.stdout.write(run_lflow_list(nb, sb, datapath, api=api, neutron_db=neutron_db))
    except OvnTwinError as err:
        raise _fail(_error_text(err)) from None


def _mode(detailed: bool, summary: bool, minimal: bool, all_: bool) -> str:
    chosen = [
        m for m, on in (("detailed", detailed), ("summary", summary), ("minimal", minimal)) if on
    ]
    if all_ or len(chosen) > 1:
        return "all" if all_ or len(chosen) == 3 else "+".join(chosen)
    return chosen[0] if chosen else "detailed"


@app.command("trace")
def trace(
    args: Annotated[list[str], typer.Argument(metavar="[DATAPATH] MICROFLOW")],
    nb: NbOption = None,
    sb: SbOption = None,
    api: ApiOption = None,
    neutron_db: NeutronDbOption = None,
    detailed: Annotated[bool, typer.Option("--detailed", help="Full trace (default).")] = False,
    summary: Annotated[bool, typer.Option("--summary", help="Less detailed summary.")] = False,
    minimal: Annotated[bool, typer.Option("--minimal", help="Only visible effects.")] = False,
    all_: Annotated[bool, typer.Option("--all", help="All three forms.")] = False,
    ct: Annotated[
        list[str] | None,
        typer.Option("--ct", metavar="FLAGS", help="ct_state for each ct_next, in order."),
    ] = None,
    friendly_names: Annotated[
        bool, typer.Option("--friendly-names/--no-friendly-names", help="Names vs uuids.")
    ] = True,
    as_json: Annotated[bool, typer.Option("--json", help="The trace tree as JSON.")] = False,
    chassis: Annotated[
        str | None,
        typer.Option(
            "--chassis",
            metavar="NAME",
            help="Beyond ovn-trace: run the pipelines where ovn-controller runs them, the packet "
            "entering on chassis NAME (see docs/chassis-trace.md).",
        ),
    ] = None,
) -> None:
    """Trace a microflow through the logical pipelines, as ovn-trace 23.03 prints it."""
    from ovntwin.cli.commands import run_trace

    if len(args) > 2:
        raise _fail("trace takes at most two arguments: [DATAPATH] MICROFLOW", 2)
    datapath, microflow = (None, args[0]) if len(args) == 1 else (args[0], args[1])
    try:
        out = run_trace(
            nb,
            sb,
            datapath,
            microflow,
            mode=_mode(detailed, summary, minimal, all_),
            ct=ct or [],
            friendly_names=friendly_names,
            as_json=as_json,
            chassis=chassis,
            api=api,
            neutron_db=neutron_db,
        )
    except OvnTwinError as err:
        raise _fail(_error_text(err)) from None
    sys.stdout.write(out if isinstance(out, str) else json.dumps(out, indent=2) + "\n")


@app.command("demo")
def demo() -> None:
    """The main job: trace vm1 -> vm4 through the seed topology (A tag 2011, B tag 2010, R1)."""
    from ovntwin.cli.commands import run_demo

    try:
        sys.stdout.write(run_demo())
    except OvnTwinError as err:
        raise _fail(_error_text(err)) from None


@app.command("simulate")
def simulate(
    scenario: Annotated[str, typer.Argument(metavar="SCENARIO.yaml", help="A scenario file.")],
    variant: Annotated[
        str | None, typer.Option("--variant", metavar="NAME", help="Run one variant.")
    ] = None,
    all_variants: Annotated[
        bool, typer.Option("--all-variants", help="The base and every variant, compared.")
    ] = False,
    until: Annotated[
        float | None,
        typer.Option("--until", metavar="SECONDS", help="Simulated time (default: the file's)."),
    ] = None,
    json_out: Annotated[
        str | None, typer.Option("--json", metavar="OUT", help="Results as JSON (- for stdout).")
    ] = None,
    plot: Annotated[
        str | None, typer.Option("--plot", metavar="OUT.png", help="ToR ports, throughput, BFD.")
    ] = None,
    pcap: Annotated[
        str | None, typer.Option("--pcap", metavar="OUT.pcap", help="Every frame the ToR saw.")
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
    api: Annotated[
        str | None,
        typer.Option("--api", metavar="URL", help="Replay files: the Neutron API to call."),
    ] = None,
) -> None:
    """Run a fabric scenario in simulated time: ToR MAC moves, BFD failover, QoS, traffic.
    A replay file (docs/qos-service.md) sends Neutron API calls at simulated times."""
    from ovntwin.cli.simulate import run_simulate, variants_of

    if until is not None and until <= 0:
        raise _fail("--until must be a positive number of seconds", 2)
    until_us = None if until is None else round(until * 1_000_000)
    try:
        if _is_replay(scenario, api):
            from ovntwin.cli.simulate_api import run_replay

            run_replay(scenario, api, until_us=until_us, json_out=json_out, plot=plot, quiet=quiet)
            return
        run_simulate(
            scenario,
            variants_of(scenario, variant, all_variants),
            until_us=None if until is None else round(until * 1_000_000),
            json_out=json_out,
            plot=plot,
            pcap=pcap,
            quiet=quiet,
        )
    except OvnTwinError as err:
        raise _fail(_error_text(err)) from None


def _is_replay(path: str, api: str | None) -> bool:
    from pathlib import Path

    from ovntwin.agents.replay import is_replay

    if Path(path).is_file() and is_replay(path):
        return True
    if api is not None:
        raise _fail("--api: the file is not a replay (it needs `scenario:` and `api:`)", 2)
    return False


@app.command("serve")
def serve(
    bind: Annotated[str, typer.Option("--bind", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="TCP port.")] = 9696,
    db: Annotated[
        str, typer.Option("--db", help="sqlite:///PATH (default ./ovntwin.db) or postgresql://...")
    ] = "sqlite:///ovntwin.db",
    chassis: Annotated[
        str | None,
        typer.Option(
            "--chassis",
            metavar="FILE",
            help="Chassis for gateway scheduling: a fabric scenario or a chassis YAML list.",
        ),
    ] = None,
    token_file: Annotated[
        str | None,
        typer.Option(
            "--token-file",
            metavar="FILE",
            help="YAML/JSON token -> {project_id, user_id, roles}; without it every caller "
            "is admin (noauth).",
        ),
    ] = None,
) -> None:
    """Serve the Neutron-compatible REST API (needs the `api` extra)."""
    import uvicorn

    from ovntwin.api.app import create_app
    from ovntwin.cli.chassis_file import load_chassis

    try:
        candidates = load_chassis(chassis) if chassis is not None else ()
        server = create_app(db, token_file, chassis=candidates)
    except OvnTwinError as err:
        raise _fail(_error_text(err)) from None
    uvicorn.run(server, host=bind, port=port)


@app.command("export-nb")
def export_nb(
    topology: Annotated[
        str | None,
        typer.Argument(metavar="[TOPOLOGY]", help="An NB source (YAML, OVSDB file or remote)."),
    ] = None,
    api: ApiOption = None,
    neutron_db: NeutronDbOption = None,
    remote: Annotated[
        str | None,
        typer.Option("--remote", metavar="unix:PATH|tcp:HOST:PORT", help="A real OVN NB."),
    ] = None,
    output: Annotated[
        str | None,
        typer.Option("-o", "--output", metavar="FILE.json", help="The transact params instead."),
    ] = None,
) -> None:
    """Write the twin's NB into a real OVN NB database, replacing it in one transaction."""
    from ovntwin.cli.export_nb import run_export_nb, source_tables

    try:
        sys.stdout.write(run_export_nb(source_tables(topology, api, neutron_db), remote, output))
    except OvnTwinError as err:
        raise _fail(_error_text(err)) from None


def main() -> None:
    app()
