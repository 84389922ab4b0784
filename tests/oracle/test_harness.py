"""The oracle harness checked against real OVN itself.

- two fresh oracles (and one reset + re-apply) give identical masked outputs;
- `--all` split by banners equals the single-mode runs;
- the nbctl batch recreates every corpus topology column for column.
"""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import fields
from pathlib import Path

import pytest

from oracle.harness import TRACE_MODES, OvnOracle, trace_args, trace_modes
from oracle.masking import mask
from oracle.test_differential import corpus_files
from ovntwin.loaders import NamedTrace, Topology, load_topology, seed_path
from ovntwin.model import rows as r
from ovntwin.model.db import TABLE_NAMES, NorthboundDB

pytestmark = pytest.mark.oracle

# Columns northd (not the CMS) writes, so they legitimately differ from the input.
_NORTHD_OWNED = {("Logical_Switch_Port", "up"), ("Logical_Switch_Port", "dynamic_addresses")}


def _snapshot(oracle: OvnOracle, topo: Topology) -> list[str]:
    oracle.apply(topo.nb)
    out = [oracle.lflow_list()]
    for t in topo.traces:
        out.append(oracle.trace(t.microflow, "--all", datapath=t.datapath))
    return [mask(x) for x in out]


def test_real_ovn_is_deterministic_after_masking(ovn_oracle: OvnOracle) -> None:
    topo = load_topology(seed_path())
    ovn_oracle.reset()
    first = _snapshot(ovn_oracle, topo)
    with OvnOracle() as fresh:
        second = _snapshot(fresh, topo)
    ovn_oracle.reset()
    third = _snapshot(ovn_oracle, topo)
    assert first == second
    assert first == third


def test_all_modes_split_equals_single_mode_runs(ovn_oracle: OvnOracle) -> None:
    topo = load_topology(seed_path())
    ovn_oracle.reset()
    ovn_oracle.apply(topo.nb)
    for t in topo.traces:
        for ct in ((), ("new",), ("est,rpl",)):
            for friendly in (True, False):
                split = trace_modes(ovn_oracle, t.microflow, t.datapath, ct, friendly)
                for mode in TRACE_MODES:
                    single = ovn_oracle.trace(t.microflow, f"--{mode}", *trace_args(ct, friendly))
                    assert split[mode] == single


def _expected(nb: NorthboundDB, table: type[r.Row], row: r.Row) -> dict[str, object]:
    """A model row in the shape of `ovn-nbctl --format=json list` (sets sorted)."""
    out: dict[str, object] = {}
    for f in fields(row):
        value = getattr(row, f.name)
        if f.name == "uuid" or f.name == "load_balancer":
            continue
        if value is None:
            out[f.name] = []
        elif isinstance(value, tuple):
            out[f.name] = sorted(value)
        elif isinstance(value, Mapping):
            out[f.name] = dict(value)
        else:
            out[f.name] = value
    return out


def _normalise(value: object) -> object:
    return sorted(value, key=str) if isinstance(value, list) else value  # type: ignore[arg-type]


@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: Path(p).stem)
def test_nbctl_batch_recreates_topology(ovn_oracle: OvnOracle, path: Path) -> None:
    topo = load_topology(path)
    ovn_oracle.reset()
    ovn_oracle.apply(topo.nb)
    dump = ovn_oracle.nb_dump()
    problems = []
    for table, tname in TABLE_NAMES.items():
        if table is r.NBGlobal:
            continue
        real = {row["_uuid"]: row for row in dump[tname]}
        model = topo.nb.rows(table)
        if len(real) != len(model):
            problems.append(f"{tname}: {len(model)} rows in the model, {len(real)} in real NB")
        for row in model:
            got = real.get(row.uuid)
            if got is None:
                problems.append(f"{tname} {row.uuid}: missing in real NB")
                continue
            for col, want in _expected(topo.nb, table, row).items():
                if (tname, col) in _NORTHD_OWNED and want == []:
                    continue
                have = got.get(col)
                if isinstance(want, list) and not isinstance(have, list):
                    have = [have]  # OVSDB JSON writes a one-element set as its atom
                if _normalise(have) != _normalise(want):
                    problems.append(
                        f"{tname} {row.uuid} {col}: model {want!r} real {got.get(col)!r}"
                    )
    problems += _runtime_problems(ovn_oracle, topo)
    nbg = dump_nb_global(ovn_oracle)
    for k, v in topo.nb.nb_global.options.items():
        if nbg.get(k) != v:
            problems.append(f"NB_Global options:{k}: model {v!r} real {nbg.get(k)!r}")
    assert not problems, "\n".join(problems)


def dump_nb_global(oracle: OvnOracle) -> dict[str, str]:
    text = oracle.nbctl("--bare", "--columns=options", "list", "NB_Global").strip()
    return dict(item.split("=", 1) for item in text.split()) if text else {}


def _detailed(oracle: OvnOracle, t: NamedTrace) -> str:
    return mask(oracle.trace(t.microflow, "--detailed", "--select-id=1", datapath=t.datapath))


@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: Path(p).stem)
def test_corpus_traces_are_deterministic(ovn_oracle: OvnOracle, path: Path) -> None:
    """Re-applying a topology gives new random lflow UUIDs; if a microflow hits two
    equal-priority flows, ovn-trace's hash order changes the trace (a bad corpus entry)."""
    topo = load_topology(path)
    runs = []
    for _ in range(2):
        ovn_oracle.reset()
        ovn_oracle.apply(topo.nb)
        with ThreadPoolExecutor(max_workers=8) as pool:
            runs.append(list(pool.map(lambda t: _detailed(ovn_oracle, t), topo.traces)))
    unstable = [t.name for t, a, b in zip(topo.traces, *runs, strict=True) if a != b]
    assert not unstable, f"traces that depend on ovn-trace's hash order: {unstable}"


def _runtime_problems(oracle: OvnOracle, topo: Topology) -> list[str]:
    """Chassis, bindings and MAC bindings of the runtime section, as the real SB has them."""
    rt, problems = topo.nb.runtime, []
    chassis = {c["name"]: c for c in oracle.sb_rows("Chassis", "name,hostname,other_config")}
    for ch in rt.chassis:
        got = chassis.get(ch.name)
        if got is None or got["other_config"] != dict(ch.other_config):
            problems.append(f"Chassis {ch.name}: model {dict(ch.other_config)} real {got}")
    names = {c["_uuid"]: c["name"] for c in oracle.sb_rows("Chassis", "_uuid,name")}
    bound = {
        b["logical_port"]: (names.get(b["chassis"]) if b["chassis"] else None, b["up"])  # type: ignore[arg-type]
        for b in oracle.sb_rows("Port_Binding", "logical_port,chassis,up")
    }
    for port, want in rt.ports.items():
        have_chassis, have_up = bound.get(port, (None, None))
        if want.chassis != have_chassis or (want.up is not None and have_up != want.up):
            problems.append(f"Port_Binding {port}: model {want} real {bound.get(port)}")
    macs = {(m["logical_port"], m["ip"], m["mac"])
            for m in oracle.sb_rows("MAC_Binding", "logical_port,ip,mac")}  # fmt: skip
    for mb in rt.mac_bindings:
        if (mb.logical_port, mb.ip, mb.mac) not in macs:
            problems.append(f"MAC_Binding {mb}: missing in real SB {macs}")
    return problems
