"""`--nb SOURCE` / `--sb SOURCE` dispatch: YAML file, OVSDB database file, live remote."""

from __future__ import annotations

from pathlib import Path

from ovntwin.errors import LoadError
from ovntwin.loaders.nb_convert import nb_from_tables
from ovntwin.loaders.ovsdb_file import read_db_file
from ovntwin.loaders.ovsdb_values import TableRows
from ovntwin.loaders.sb_runtime import SB_TABLES, runtime_from_tables
from ovntwin.loaders.topology import load_topology
from ovntwin.model.db import TABLE_NAMES, NorthboundDB
from ovntwin.model.runtime import RuntimeState

NB_SCHEMA = "OVN_Northbound"
SB_SCHEMA = "OVN_Southbound"
_YAML_SUFFIXES = (".yaml", ".yml")


def load_nb(source: str, sb: str | None = None) -> NorthboundDB:
    """The NB snapshot named by `source`, with runtime facts from `sb` when given.

    For a YAML source without `sb`, the runtime comes from its `runtime:` section;
    an `sb` source replaces that section.
    """
    runtime = load_runtime(sb) if sb is not None else None
    if source.lower().endswith(_YAML_SUFFIXES):
        nb = load_topology(source).nb
        return NorthboundDB(nb.tables, runtime) if runtime is not None else nb
    return nb_from_tables(_tables(source, NB_SCHEMA, tuple(TABLE_NAMES.values())), runtime)


def load_runtime(source: str) -> RuntimeState:
    """Runtime facts (chassis, bindings, MAC bindings, FDB, keys) from an SB source.

    A YAML source gives its `runtime:` section.
    """
    if source.lower().endswith(_YAML_SUFFIXES):
        return load_topology(source).nb.runtime
    return runtime_from_tables(_tables(source, SB_SCHEMA, SB_TABLES))


def is_remote(source: str) -> bool:
    """True for an OVSDB active connection method string (unix:, tcp:, ssl:)."""
    return source.split(":", 1)[0] in ("unix", "tcp", "ssl") and ":" in source


def _tables(source: str, schema: str, tables: tuple[str, ...]) -> TableRows:
    if is_remote(source):
        from ovntwin.loaders.ovsdb_remote import snapshot  # the ovs package, only when needed

        return snapshot(source, schema, tables)
    path = Path(source)
    if not path.exists():
        raise LoadError(f"{source}: no such file (nor a unix:PATH / tcp:HOST:PORT remote)")
    if path.is_dir():
        raise LoadError(f"{source}: is a directory, not a database file")
    return read_db_file(path, schema, tables).tables
