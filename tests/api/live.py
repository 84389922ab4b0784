"""`ovntwin serve` as a real subprocess on 127.0.0.1:<free port> (uvicorn, real sockets)."""

from __future__ import annotations

from pathlib import Path

from clients.live import LiveServer

__all__ = ["LiveServer", "start_server"]


def start_server(db_url: str, log: Path) -> LiveServer:
    """A started server; the caller stops (or SIGKILLs) it."""
    return LiveServer(db_url, log).start()
