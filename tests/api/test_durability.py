"""SIGKILL `ovntwin serve` in the middle of concurrent writes; after a restart every
acknowledged (2xx) object is there as acknowledged, the database is intact and the API works.
On SQLite (WAL, synchronous=FULL) and PostgreSQL."""

from __future__ import annotations

import sqlite3
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

from .live import LiveServer, start_server

WRITERS = 8
RUN_BEFORE_KILL_S = 2.0


def _post(url: str, path: str, key: str, body: dict[str, Any]) -> dict[str, Any]:
    r = httpx.post(f"{url}/v2.0/{path}", json={key: body}, timeout=30.0)
    assert r.status_code == 201, r.text
    return r.json()[key]  # type: ignore[no-any-return]


def _write_until_dead(url: str, network_id: str, i: int, stop: threading.Event) -> list[Any]:
    """Create ports and networks until the server dies; the acknowledged ones."""
    acked: list[Any] = []
    with httpx.Client(base_url=url, timeout=30.0) as c:
        for k in range(10**6):
            if stop.is_set():
                break
            try:
                if k % 2:
                    r = c.post("/v2.0/networks", json={"network": {"name": f"w{i}-{k}"}})
                else:
                    r = c.post("/v2.0/ports", json={"port": {"network_id": network_id}})
            except httpx.HTTPError:
                break  # the server is gone: this request was never acknowledged
            assert r.status_code == 201, r.text
            body = r.json()
            acked.append(body.get("port") or body.get("network"))
    return acked


def _kill_during_writes(server: LiveServer) -> list[dict[str, Any]]:
    net = _post(server.url, "networks", "network", {"name": "base"})
    subnet = {"network_id": net["id"], "ip_version": 4, "cidr": "10.20.0.0/20"}
    _post(server.url, "subnets", "subnet", subnet)
    stop = threading.Event()
    with ThreadPoolExecutor(max_workers=WRITERS) as pool:
        futures = [
            pool.submit(_write_until_dead, server.url, net["id"], i, stop) for i in range(WRITERS)
        ]
        time.sleep(RUN_BEFORE_KILL_S)
        server.kill()
        stop.set()
        return [obj for f in futures for obj in f.result()]


def _check_present(url: str, acked: list[dict[str, Any]]) -> None:
    ports = {p["id"]: p for p in httpx.get(f"{url}/v2.0/ports", timeout=30).json()["ports"]}
    nets = {n["id"]: n for n in httpx.get(f"{url}/v2.0/networks", timeout=30).json()["networks"]}
    for obj in acked:
        stored = ports.get(obj["id"]) or nets.get(obj["id"])
        assert stored is not None, f"acknowledged {obj['id']} lost"
        for key in ("name", "fixed_ips", "mac_address"):
            assert stored.get(key) == obj.get(key)
    ips = [ip["ip_address"] for p in ports.values() for ip in p["fixed_ips"]]
    assert len(ips) == len(set(ips))


def _check_intact(db_url: str) -> None:
    if db_url.startswith("sqlite:///"):
        with sqlite3.connect(db_url.removeprefix("sqlite:///")) as db:
            assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        return
    engine = sa.create_engine(db_url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect() as conn:
        # every allocation belongs to a port that lists it, and the other way round
        orphans = conn.execute(
            sa.text(
                "SELECT count(*) FROM ipallocations a LEFT JOIN ports p ON p.id = a.port_id "
                "WHERE p.id IS NULL"
            )  # fmt: skip
        ).scalar()
        assert orphans == 0
    engine.dispose()


def test_sigkill_during_writes_loses_no_acknowledged_object(db_url: str, tmp_path: Path) -> None:
    log = tmp_path / "serve.log"
    acked = _kill_during_writes(start_server(db_url, log))
    print(f"{len(acked)} acknowledged before SIGKILL")
    assert len(acked) > WRITERS  # the kill did land in the middle of the writing
    _check_intact(db_url)
    server = start_server(db_url, log)
    try:
        _check_present(server.url, acked)
        after = _post(server.url, "networks", "network", {"name": "after-restart"})
        got = httpx.get(f"{server.url}/v2.0/networks/{after['id']}", timeout=30)
        assert got.status_code == 200
    finally:
        server.stop()
