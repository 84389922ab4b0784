"""`ovntwin export-nb`: the twin's NB into a real OVN NB database, in one transaction.

The NB comes from a running API (`--api URL`), its database (`--neutron-db URL`) or any
`--nb` source (YAML topology, OVSDB file, remote). With `--remote` the database's
contents are replaced (NB_Global and its Connection / SSL rows stay); with `-o FILE.json`
the `transact` parameters are written instead, for `ovsdb-client transact REMOTE "$(cat
FILE.json)"`, typed by the schema file given (default: the installed ovn-nb.ovsschema).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ovntwin.cli.ovsdb_rpc import ExportError, call
from ovntwin.cli.ovsdb_transact import (
    Tables,
    check_results,
    existing_ops,
    existing_uuids,
    replace_ops,
)
from ovntwin.errors import LoadError

NB_DATABASE = "OVN_Northbound"
DEFAULT_SCHEMA = Path("/usr/share/ovn/ovn-nb.ovsschema")


def source_tables(nb: str | None, api: str | None, neutron_db: str | None) -> Tables:
    """The NB rows (decoded form) named by exactly one of the three sources."""
    given = [x for x in (nb, api, neutron_db) if x is not None]
    if len(given) != 1:
        raise LoadError("name exactly one NB source: TOPOLOGY / --api URL / --neutron-db URL")
    if api is not None or neutron_db is not None:
        from ovntwin.cli.twin_sources import fetch_document, read_document

        doc = fetch_document(api) if api is not None else read_document(neutron_db or "")
        tables = doc.get("OVN_Northbound")
        if not isinstance(tables, dict):
            raise LoadError("not an ovntwin NB document: no OVN_Northbound tables")
        return tables
    from ovntwin.loaders import load_nb
    from ovntwin.loaders.nb_tables import nb_tables

    return nb_tables(load_nb(nb or ""))


def _schema_file(path: Path) -> dict[str, Any]:
    try:
        schema: dict[str, Any] = json.loads(path.read_text())
    except OSError as err:
        raise ExportError(f"{path}: cannot read the NB schema: {err.strerror}") from None
    except ValueError:
        raise ExportError(f"{path}: not a JSON schema file") from None
    return schema


def _remote_schema(remote: str) -> dict[str, Any]:
    served = call(remote, "list_dbs", [])
    if not isinstance(served, list) or NB_DATABASE not in served:
        names = ", ".join(str(d) for d in served or [] if d != "_Server") or "nothing"
        raise ExportError(f"{remote}: serves {names}, not {NB_DATABASE}")
    schema: dict[str, Any] = call(remote, "get_schema", [NB_DATABASE])
    return schema


def run_export_nb(
    tables: Tables, remote: str | None, output: str | None, schema: Path = DEFAULT_SCHEMA
) -> str:
    """Write `tables`; returns the one-line summary the command prints."""
    if (remote is None) == (output is None):
        raise ExportError("give exactly one of --remote unix:PATH|tcp:HOST:PORT and -o FILE.json")
    count = sum(len(rows) for rows in tables.values())
    if remote is None:
        ops = replace_ops(_schema_file(schema), tables)
        text = json.dumps([NB_DATABASE, *ops], indent=1) + "\n"
        if output == "-":
            return text
        Path(output or "").write_text(text)
        return f"wrote a transaction of {count} NB rows to {output}\n"
    served = _remote_schema(remote)
    selects = existing_ops(served)
    existing = existing_uuids(selects, call(remote, "transact", [NB_DATABASE, *selects]))
    ops = replace_ops(served, tables, existing)
    check_results(call(remote, "transact", [NB_DATABASE, *ops]), ops)
    return f"exported {count} NB rows ({len(tables)} tables) to {remote}\n"
