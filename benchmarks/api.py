"""Request throughput of `ovntwin serve` (real uvicorn, loopback) on SQLite and PostgreSQL.

python3 benchmarks/api.py [--json] [--requests N] [--clients C]

Two operations: port create (IPAM, MAC, default security group, NB rows) and QoS
bandwidth-limit rule update (the seed's 3000/300 -> 5000/500 change, bumps the policy).
Each runs N requests from C concurrent clients (threads, one keep-alive connection each);
reports requests/s over the wall time and p50/p95 latency. PostgreSQL is a private
PostgreSQL 15 started for the run (tests/api/pg.py).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.api.live import LiveServer, start_server  # noqa: E402
from tests.api.pg import remove, start_private_postgres  # noqa: E402

Request = Callable[[httpx.Client, int], httpx.Response]


@dataclass(frozen=True)
class Result:
    database: str
    operation: str
    requests: int
    clients: int
    per_s: float
    p50_ms: float
    p95_ms: float
    errors: int


def _measure(url: str, send: Request, n: int, clients: int) -> tuple[float, list[float], int]:
    """(wall seconds, latencies, non-2xx count) of n requests spread over `clients` threads."""

    def worker(w: int) -> tuple[list[float], int]:
        lat: list[float] = []
        bad = 0
        with httpx.Client(base_url=url, timeout=120.0) as c:
            for i in range(w, n, clients):
                t0 = time.perf_counter()
                r = send(c, i)
                lat.append(time.perf_counter() - t0)
                bad += not r.is_success
        return lat, bad

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        parts = list(pool.map(worker, range(clients)))
    wall = time.perf_counter() - started
    return wall, [x for lat, _ in parts for x in lat], sum(b for _, b in parts)


def _result(db: str, op: str, clients: int, measured: tuple[float, list[float], int]) -> Result:
    wall, lat, bad = measured
    cuts = statistics.quantiles(lat, n=20)
    return Result(db, op, len(lat), clients, len(lat) / wall, cuts[9] * 1e3, cuts[18] * 1e3, bad)


def _post(url: str, path: str, key: str, body: dict[str, Any]) -> dict[str, Any]:
    r = httpx.post(f"{url}/v2.0/{path}", json={key: body}, timeout=60.0)
    r.raise_for_status()
    return r.json()[key]  # type: ignore[no-any-return]


def _bench_server(db: str, server: LiveServer, n: int, clients: int) -> list[Result]:
    net = _post(server.url, "networks", "network", {"name": "bench"})
    subnet = {"network_id": net["id"], "ip_version": 4, "cidr": "10.64.0.0/16"}
    _post(server.url, "subnets", "subnet", subnet)
    policy = _post(server.url, "qos/policies", "policy", {"name": "bw-limiter"})
    rules = f"/v2.0/qos/policies/{policy['id']}/bandwidth_limit_rules"
    rule = {"max_kbps": 3000, "max_burst_kbps": 300, "direction": "egress"}
    rid = _post(server.url, rules.removeprefix("/v2.0/"), "bandwidth_limit_rule", rule)["id"]

    def create_port(c: httpx.Client, i: int) -> httpx.Response:
        return c.post("/v2.0/ports", json={"port": {"network_id": net["id"], "name": f"p{i}"}})

    def update_rule(c: httpx.Client, i: int) -> httpx.Response:
        body = {"bandwidth_limit_rule": {"max_kbps": 5000 + i, "max_burst_kbps": 500}}
        return c.put(f"{rules}/{rid}", json=body)

    return [
        _result(db, "port create", clients, _measure(server.url, create_port, n, clients)),
        _result(db, "QoS bw-limit rule update", clients,
                _measure(server.url, update_rule, n, clients)),
    ]  # fmt: skip


def run(n: int, clients: int) -> list[Result]:
    results: list[Result] = []
    work = Path(tempfile.mkdtemp(prefix="ovntwin-bench-"))
    pg = start_private_postgres()
    try:
        for db, url in (
            ("sqlite", f"sqlite:///{work / 'bench.db'}"),
            ("postgresql", pg.new_database()),
        ):
            server = start_server(url, work / f"{db}.log")
            try:
                results += _bench_server(db, server, n, clients)
            finally:
                server.stop()
    finally:
        remove(pg)
    return results


def _table(results: list[Result]) -> str:
    lines = [
        f"{'database':<11} {'operation':<25} {'reqs':>5} {'clients':>7} {'req/s':>7} "
        f"{'p50 ms':>7} {'p95 ms':>7} {'errors':>6}"
    ]
    for r in results:
        lines.append(
            f"{r.database:<11} {r.operation:<25} {r.requests:>5} {r.clients:>7} {r.per_s:>7.1f} "
            f"{r.p50_ms:>7.1f} {r.p95_ms:>7.1f} {r.errors:>6}"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--json", action="store_true", help="print JSON instead of the table")
    parser.add_argument("--requests", type=int, default=300, help="requests per operation")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients")
    args = parser.parse_args()
    results = run(args.requests, args.clients)
    if args.json:
        print(json.dumps([asdict(r) for r in results], indent=2))
    else:
        print(_table(results))


if __name__ == "__main__":
    main()
