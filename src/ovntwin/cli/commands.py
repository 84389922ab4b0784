"""What each CLI command does, free of argument parsing (so tests can call it directly)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ovntwin.compiler.compile import compile_lazy, compile_nb
from ovntwin.errors import LoadError, NotFound
from ovntwin.model.db import NorthboundDB
from ovntwin.southbound.lflow_list import format_lflow_list, select_datapaths

if TYPE_CHECKING:
    from ovntwin.trace import TraceResult


def _load(
    nb_source: str | None,
    sb_source: str | None,
    api: str | None = None,
    neutron_db: str | None = None,
) -> NorthboundDB:
    """The NB from exactly one of --nb SOURCE, --api URL (a running `ovntwin serve`) and
    --neutron-db URL (its database); --sb replaces the runtime facts."""
    from ovntwin.loaders import load_nb, load_runtime

    if sum(x is not None for x in (nb_source, api, neutron_db)) != 1:
        raise LoadError("give exactly one of --nb SOURCE, --api URL and --neutron-db URL")
    if nb_source is not None:
        return load_nb(nb_source, sb_source)
    from ovntwin.cli.twin_sources import load_twin_nb

    runtime = load_runtime(sb_source) if sb_source is not None else None
    return load_twin_nb(api, neutron_db, runtime)


def run_lflow_list(
    nb_source: str | None,
    sb_source: str | None,
    datapath: str | None,
    *,
    api: str | None = None,
    neutron_db: str | None = None,
) -> str:
    sb = compile_nb(_load(nb_source, sb_source, api, neutron_db))
    dps = select_datapaths(sb, datapath)
    if datapath is not None and not dps:
        raise NotFound(f'datapath "{datapath}" not found: no logical switch or router by that name')
    return format_lflow_list(sb, dps)


def trace_result(
    nb: NorthboundDB,
    datapath: str | None,
    microflow: str,
    *,
    ct: Sequence[str] = (),
    friendly_names: bool = True,
) -> TraceResult:
    """One-shot trace: each datapath's flows are compiled only when the packet enters it."""
    from ovntwin import trace as tracer

    sb = tracer.with_nb_sets(compile_lazy(nb), nb)
    return tracer.trace(sb, microflow, datapath=datapath, ct=ct, friendly_names=friendly_names)


def trace_nb(
    nb: NorthboundDB,
    datapath: str | None,
    microflow: str,
    *,
    mode: str = "detailed",
    ct: Sequence[str] = (),
    friendly_names: bool = True,
    as_json: bool = False,
    chassis: str | None = None,
) -> str | dict[str, Any]:
    from ovntwin import trace as tracer

    if chassis is not None:
        return _trace_on_chassis(
            nb, datapath, microflow, chassis, mode, ct, friendly_names, as_json
        )
    result = trace_result(nb, datapath, microflow, ct=ct, friendly_names=friendly_names)
    return tracer.to_json(result) if as_json else tracer.render(result, mode)


def _trace_on_chassis(
    nb: NorthboundDB, datapath: str | None, microflow: str, chassis: str, mode: str,
    ct: Sequence[str], friendly_names: bool, as_json: bool,
) -> str | dict[str, Any]:  # fmt: skip
    """`trace --chassis`: the packet enters on `chassis` (trace/chassis.py)."""
    from ovntwin import trace as tracer
    from ovntwin.trace.chassis_api import trace_on_chassis
    from ovntwin.trace.placement import build_placement

    sb = tracer.with_nb_sets(compile_lazy(nb), nb)
    done = trace_on_chassis(
        sb, microflow, placement=build_placement(nb), chassis=chassis, datapath=datapath,
        ct=ct, friendly_names=friendly_names,
    )  # fmt: skip
    return done.to_json() if as_json else tracer.render(done.result, mode)


def run_trace(
    nb_source: str | None,
    sb_source: str | None,
    datapath: str | None,
    microflow: str,
    *,
    api: str | None = None,
    neutron_db: str | None = None,
    **options: Any,
) -> str | dict[str, Any]:
    nb = _load(nb_source, sb_source, api, neutron_db)
    return trace_nb(nb, datapath, microflow, **options)


def run_demo() -> str:
    """Each of the seed's named traces as a new connection: summary, then where it ended."""
    from ovntwin.loaders import load_topology, seed_path
    from ovntwin.trace import render

    topo = load_topology(seed_path())
    lines = [f"Seed topology: {topo.source}\n"]
    for named in topo.traces:
        lines.append(f"\n### {named.name} (--ct=new)\n{named.microflow}\n\n")
        result = trace_result(topo.nb, named.datapath, named.microflow, ct=["new"])
        lines.append(render(result, "summary"))
        lines.extend(f"=> {outcome.describe()}\n" for outcome in result.outcomes)
    return "".join(lines)
