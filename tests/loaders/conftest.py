from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from ovsdb_server import OvsdbServer, have_ovn


@pytest.fixture
def write_yaml(tmp_path: Path) -> Callable[[str], Path]:
    """Write a YAML text to a file and return its path."""

    def write(text: str, name: str = "topo.yaml") -> Path:
        path = tmp_path / name
        path.write_text(text)
        return path

    return write


@pytest.fixture
def ovsdb() -> Iterator[Callable[[str], OvsdbServer]]:
    """Factory of private ovsdb-servers ("nb" / "sb"), all stopped at teardown."""
    if not have_ovn():
        pytest.skip("OVN binaries (ovsdb-server, ovn-nbctl...) are not installed")
    servers: list[OvsdbServer] = []

    def make(kind: str) -> OvsdbServer:
        server = OvsdbServer(kind)
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.cleanup()
