"""Benchmark: ovntwin vs real OVN 23.03 at N = 10, 100, 500 switches x 10 VIFs on one router.

    python3 benchmarks/run.py [--sizes 10,100,500] [--json OUT]

Measured in the same run, each in a fresh process (peak RSS from wait4):
- northd: `ovn-nbctl --wait=sb --print-wait-time` on the batch that creates the topology
  (delay before processing + completion = convergence time);
- ours: load the very NB database file that real ovsdb-server wrote, then compile every
  datapath (wall time of load and of compile, peak RSS);
- one-shot trace: `ovn-trace --db=unix:SB 'flow'` vs `ovntwin trace --nb nb.db 'flow'`.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))

from scale import scale_microflow, scale_topology  # noqa: E402

from oracle.harness import OvnOracle  # noqa: E402
from ovntwin.loaders.nbctl import join_batch, nbctl_commands  # noqa: E402

COMPILE_SNIPPET = """
import sys, time
t0 = time.perf_counter()
from ovntwin.loaders import load_nb
from ovntwin.compiler.compile import compile_nb
nb = load_nb(sys.argv[1])
t1 = time.perf_counter()
sb = compile_nb(nb)
t2 = time.perf_counter()
print(t1 - t0, t2 - t1, len(sb.logical_flows))
"""


@dataclass
class Row:
    n: int
    lflows_ours: int
    northd_s: float
    ours_load_s: float
    ours_compile_s: float
    ours_compile_rss_mb: float
    ovn_trace_s: float
    ovn_trace_rss_mb: float
    ours_trace_s: float
    ours_trace_rss_mb: float
    traces_equal_masked: bool


def measure_child(args: list[str]) -> tuple[float, float, str]:
    """Run `args` under a fresh python that reports the child's own rusage."""
    wrapper = (
        "import os, sys, time, subprocess, json\n"
        "t = time.perf_counter()\n"
        "p = subprocess.Popen(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.PIPE)\n"
        "out_chunks = p.stdout.read(); err = p.stderr.read()\n"
        "_, status, ru = os.wait4(p.pid, 0)\n"
        "w = time.perf_counter() - t\n"
        "sys.stderr.write(err.decode())\n"
        "print(json.dumps({'wall': w, 'rss_kb': ru.ru_maxrss, 'status': status}))\n"
        "sys.stdout.write(out_chunks.decode())\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", wrapper, *args], capture_output=True, text=True, check=False
    )
    head, _, out = done.stdout.partition("\n")
    info = json.loads(head)
    if info["status"] != 0:
        raise SystemExit(f"{args[0]} failed: {done.stderr.strip()[:500]}")
    return info["wall"], info["rss_kb"] / 1024, out


def northd_convergence(oracle: OvnOracle, n: int) -> float:
    batch = join_batch(nbctl_commands(scale_topology(n)))
    out = oracle.nbctl("--wait=sb", "--print-wait-time", *batch)
    ms = [int(x) for x in re.findall(r":\s*(\d+)ms", out)]
    return sum(ms) / 1000


def _mask(text: str) -> str:
    text = re.sub(r"\([^()]*\.(c|py):\d+\)", "(SRC)", text)
    text = re.sub(r"uuid [0-9a-f]{8}", "uuid X", text)
    return re.sub(r"reg1[45]=0x[0-9a-f]+", "regN=K", text)


def bench(n: int) -> Row:
    with OvnOracle() as oracle:
        northd_s = northd_convergence(oracle, n)
        oracle.sync()
        nb_file = oracle.dir / "bench-nb.db"
        shutil.copy(oracle.dir / "nb.db", nb_file)
        _, compile_rss, out = measure_child([sys.executable, "-c", COMPILE_SNIPPET, str(nb_file)])
        load_s, compile_s, n_flows = out.split()
        flow = scale_microflow(n)
        ovn_s, ovn_rss, ovn_out = measure_child(
            ["ovn-trace", f"--db={oracle.sb_remote}", "--detailed", flow]
        )
        ovntwin = shutil.which("ovntwin") or "ovntwin"
        ours_s, ours_rss, ours_out = measure_child([ovntwin, "trace", "--nb", str(nb_file), flow])
    return Row(
        n=n,
        lflows_ours=int(n_flows),
        northd_s=northd_s,
        ours_load_s=float(load_s),
        ours_compile_s=float(compile_s),
        ours_compile_rss_mb=compile_rss,
        ovn_trace_s=ovn_s,
        ovn_trace_rss_mb=ovn_rss,
        ours_trace_s=ours_s,
        ours_trace_rss_mb=ours_rss,
        traces_equal_masked=_mask(ovn_out) == _mask(ours_out),
    )


def print_table(rows: list[Row]) -> None:
    head = (
        f"{'N':>5} {'lflows':>7} {'northd s':>9} {'ours compile s':>15} {'ratio':>6} "
        f"{'compile MB':>10} {'ovn-trace s':>11} {'ovntwin trace s':>15} {'ratio':>6} "
        f"{'ovn-trace MB':>12} {'ovntwin MB':>10} {'ratio':>6} {'same':>5}"
    )
    print(head)
    print("-" * len(head))
    for r in rows:
        print(
            f"{r.n:>5} {r.lflows_ours:>7} {r.northd_s:>9.3f} {r.ours_compile_s:>15.3f} "
            f"{r.ours_compile_s / max(r.northd_s, 1e-9):>6.2f} {r.ours_compile_rss_mb:>10.0f} "
            f"{r.ovn_trace_s:>11.3f} {r.ours_trace_s:>15.3f} "
            f"{r.ours_trace_s / r.ovn_trace_s:>6.2f} {r.ovn_trace_rss_mb:>12.0f} "
            f"{r.ours_trace_rss_mb:>10.0f} {r.ours_trace_rss_mb / r.ovn_trace_rss_mb:>6.2f} "
            f"{'yes' if r.traces_equal_masked else 'NO':>5}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,100,500")
    parser.add_argument("--json", dest="json_out")
    opts = parser.parse_args()
    rows = []
    for n in (int(x) for x in opts.sizes.split(",")):
        print(f"N = {n} ...", file=sys.stderr, flush=True)
        rows.append(bench(n))
    print_table(rows)
    if opts.json_out:
        Path(opts.json_out).write_text(json.dumps([asdict(r) for r in rows], indent=2) + "\n")


if __name__ == "__main__":
    main()
