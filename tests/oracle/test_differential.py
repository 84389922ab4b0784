"""Differential tests: ovntwin vs real OVN 23.03 on every corpus topology.

Per topology: (a) the whole `lflow-list`; (b) every named microflow traced in the
three modes x three ct settings x friendly names on/off. Real OVN runs every time
(one NB/SB/northd for the session, reset between topologies; all ovn-trace runs of a
topology in parallel, three modes per run with --all). Outputs are compared after
`masking.mask` (uuids, source locations, port tunnel keys) and shown as a diff.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from oracle.adapters import ours_compile, ours_lflow_list, ours_trace_modes
from oracle.harness import TRACE_MODES, OracleError, OvnOracle, trace_modes
from oracle.masking import mask
from ovntwin.loaders import NamedTrace, Topology, load_topology
from ovntwin.southbound.rows import SouthboundDB

pytestmark = pytest.mark.oracle

# OVNTWIN_CORPUS points the suite at another directory of topologies (a staging corpus).
CORPUS = Path(
    os.environ.get("OVNTWIN_CORPUS") or Path(__file__).resolve().parent.parent / "corpus"
).resolve()
CT_SETTINGS: dict[str, tuple[str, ...]] = {"ctdef": (), "ctnew": ("new",), "ctestrpl": ("est,rpl",)}
NAMES = {"names": True, "nonames": False}
# ECMP / multi-nexthop reroutes use select(); without --select-id ovn-trace picks a
# random member. Every trace (ours and real) pins the first member; no-op elsewhere.
SELECT_ID = 1
REAL_FAILED = "<real ovn-trace failed>"
MAX_DIFF_LINES = 150

TraceKey = tuple[str, str, str]  # trace name, ct setting, names setting


def corpus_files() -> list[Path]:
    return sorted(CORPUS.glob("*.yaml"))


def _trace_names(path: Path) -> list[str]:
    # Collection needs only the names; the loader proper runs inside the tests.
    doc = yaml.safe_load(path.read_text()) or {}
    return [t["name"] for t in doc.get("traces", [])]


def _params() -> tuple[list[object], list[object]]:
    lflows, traces = [], []
    for path in corpus_files():
        lflows.append(pytest.param(path.stem, id=f"{path.stem}-lflows"))
        for name in _trace_names(path):
            for ct in CT_SETTINGS:
                for names in NAMES:
                    for mode in TRACE_MODES:
                        key = f"{path.stem}-{name}-{mode}-{ct}-{names}"
                        traces.append(pytest.param(path.stem, name, mode, ct, names, id=key))
    return lflows, traces


LFLOW_PARAMS, TRACE_PARAMS = _params()


@dataclass
class Outputs:
    """One side's outputs for a topology, or the error that prevented them."""

    lflows: str = ""
    traces: dict[TraceKey, dict[str, str]] = field(default_factory=dict)
    error: str | None = None


def _load(stem: str) -> Topology:
    return load_topology(CORPUS / f"{stem}.yaml")


def _real_outputs(oracle: OvnOracle, topo: Topology) -> Outputs:
    oracle.reset()
    oracle.apply(topo.nb)
    out = Outputs(lflows=oracle.lflow_list())
    jobs = [(t, ct, nm) for t in topo.traces for ct in CT_SETTINGS for nm in NAMES]
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = pool.map(lambda j: _real_trace(oracle, *j), jobs)
        for (t, ct, nm), modes in zip(jobs, results, strict=True):
            out.traces[(t.name, ct, nm)] = modes
    return out


def _real_trace(oracle: OvnOracle, t: NamedTrace, ct: str, names: str) -> dict[str, str]:
    try:
        return trace_modes(
            oracle, t.microflow, t.datapath, CT_SETTINGS[ct], NAMES[names], SELECT_ID
        )
    except OracleError as exc:  # e.g. ovn-trace 23.03 aborts on nd_na_router
        return dict.fromkeys(TRACE_MODES, f"{REAL_FAILED} {exc}")


class Sides:
    """Per-topology outputs of real OVN and of ovntwin, each computed once per session."""

    def __init__(self, oracle: OvnOracle) -> None:
        self.oracle = oracle
        self.topos: dict[str, Topology | str] = {}
        self.real: dict[str, Outputs] = {}
        self.ours: dict[str, SouthboundDB | str] = {}
        self.our_traces: dict[tuple[str, str, str, str], dict[str, str]] = {}

    def topology(self, stem: str) -> Topology:
        if stem not in self.topos:
            try:
                self.topos[stem] = _load(stem)
            except Exception as exc:  # noqa: BLE001 - reported by every test of the topology
                self.topos[stem] = f"loading {stem}.yaml failed: {exc!r}"
        topo = self.topos[stem]
        if isinstance(topo, str):
            pytest.fail(topo, pytrace=False)
        return topo

    def real_outputs(self, stem: str) -> Outputs:
        if stem not in self.real:
            self.real[stem] = _real_outputs(self.oracle, self.topology(stem))
        return self.real[stem]

    def our_sb(self, stem: str) -> SouthboundDB:
        if stem not in self.ours:
            try:
                self.ours[stem] = ours_compile(self.topology(stem).nb)
            except Exception as exc:  # noqa: BLE001
                self.ours[stem] = f"ovntwin failed to compile {stem}: {exc!r}"
        sb = self.ours[stem]
        if isinstance(sb, str):
            pytest.fail(sb, pytrace=False)
        return sb

    def our_trace(self, stem: str, named: NamedTrace, ct: str, names: str) -> dict[str, str]:
        key = (stem, named.name, ct, names)
        if key not in self.our_traces:
            sb = self.our_sb(stem)
            try:
                self.our_traces[key] = ours_trace_modes(
                    sb, named.datapath, named.microflow, CT_SETTINGS[ct], NAMES[names], SELECT_ID
                )
            except Exception as exc:  # noqa: BLE001 - one failing trace fails its three modes
                self.our_traces[key] = dict.fromkeys(TRACE_MODES, f"<ovntwin raised {exc!r}>")
        return self.our_traces[key]


@pytest.fixture(scope="session")
def sides(ovn_oracle: OvnOracle) -> Iterator[Sides]:
    yield Sides(ovn_oracle)


def assert_same(ours: str, real: str, what: str) -> None:
    ours_m, real_m = mask(ours), mask(real)
    if ours_m == real_m:
        return
    diff = list(
        difflib.unified_diff(
            real_m.splitlines(keepends=True),
            ours_m.splitlines(keepends=True),
            fromfile=f"real OVN: {what}",
            tofile=f"ovntwin: {what}",
        )
    )
    shown = "".join(diff[:MAX_DIFF_LINES])
    more = (
        f"\n... {len(diff) - MAX_DIFF_LINES} more diff lines" if len(diff) > MAX_DIFF_LINES else ""
    )
    pytest.fail(f"{what}: ovntwin differs from real OVN (masked)\n{shown}{more}", pytrace=False)


@pytest.mark.parametrize("stem", LFLOW_PARAMS)
def test_lflow_list(sides: Sides, stem: str) -> None:
    real = sides.real_outputs(stem).lflows
    ours = ours_lflow_list(sides.our_sb(stem))
    assert_same(ours, real, f"{stem}: ovn-sbctl lflow-list")


@pytest.mark.parametrize(("stem", "trace", "mode", "ct", "names"), TRACE_PARAMS)
def test_trace(sides: Sides, stem: str, trace: str, mode: str, ct: str, names: str) -> None:
    named = sides.topology(stem).trace(trace)
    assert named is not None
    real = sides.real_outputs(stem).traces[(trace, ct, names)][mode]
    if real.startswith(REAL_FAILED):
        pytest.fail(f"{stem}/{trace}: {real}", pytrace=False)
    opts = " ".join([f"--{mode}", *(f"--ct={c}" for c in CT_SETTINGS[ct]),
                     *([] if NAMES[names] else ["--no-friendly-names"])])  # fmt: skip
    ours = sides.our_trace(stem, named, ct, names)[mode]
    assert_same(ours, real, f"{stem}: ovn-trace {opts} --select-id={SELECT_ID} '{named.microflow}'")
