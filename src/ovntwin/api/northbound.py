"""Every API write becomes one OVN NB transaction, in the same SQL transaction.

After a write, `Journal.record` rebuilds the NB from the whole Neutron state (`build_nb`, as
ML2/OVN would have written it), diffs it against the stored rows, stores the difference
and appends one journal entry (request method + path, insert/update/delete per row).
Rows are kept in the loaders' decoded form (table -> uuid -> column -> value; sets as
sorted lists, maps as dicts, an empty optional column as []), which is also what
`GET /ovntwin/nb` publishes. The last committed NB is cached per app, so a write reads
the stored rows only when another process wrote since.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI, Request
from sqlalchemy import delete, event, select, update
from sqlalchemy.orm import Session, sessionmaker

from ovntwin.api.errors import Conflict, HTTPBadRequest
from ovntwin.api.nb_models import HEAD_ID, NbHeadRow, NbRow, NbTransactionRow
from ovntwin.api.state import neutron_state
from ovntwin.errors import OvnTwinError
from ovntwin.loaders.nb_tables import nb_tables
from ovntwin.model.db import TABLE_NAMES
from ovntwin.model.runtime import Chassis, RuntimeState
from ovntwin.neutron.ml2ovn.northbound import build_nb

# table -> uuid -> column -> decoded value
Tables = dict[str, dict[str, dict[str, Any]]]
_SB_NAMESPACE = uuid.UUID("0b5e0000-0000-4000-8000-000000000000")


class NorthboundError(Conflict):
    """The change cannot be written as OVN NB rows (the API call is rolled back)."""


@dataclass(frozen=True, slots=True)
class Committed:
    txn: int
    tables: Tables
    southbound: Tables


class Journal:
    """Per-app NB writer: the gateway chassis to schedule on and the last committed NB."""

    def __init__(self, chassis: Sequence[Chassis] = ()) -> None:
        self.chassis = tuple(chassis)
        self._last: Committed | None = None

    def record(self, session: Session, method: str, path: str) -> Committed:
        """Write the NB transaction of this API call into `session` (not yet committed)."""
        txn = _advance(session)
        last = self._last if self._last and self._last.txn == txn - 1 else None
        stored = last.tables if last else load_tables(session)
        try:
            nb = build_nb(neutron_state(session), self.chassis, scheduled_gateways(stored))
        except (OvnTwinError, ValueError, KeyError, TypeError) as err:
            raise NorthboundError(f"Cannot map the change onto OVN northbound rows: {err}") from err
        tables = nb_tables(nb)
        ops = diff(stored, tables)
        _store(session, ops, tables)
        session.add(NbTransactionRow(id=txn, created_at=datetime.now(UTC).replace(tzinfo=None),
                                     method=method, path=path, ops=ops))  # fmt: skip
        southbound = southbound_tables(nb.runtime)
        if last is None or last.southbound != southbound:  # bindings change less often
            session.execute(
                update(NbHeadRow).where(NbHeadRow.id == HEAD_ID).values(southbound=southbound)
            )
        return Committed(txn, tables, southbound)

    def committed(self, done: Committed) -> None:
        self._last = done


def _advance(session: Session) -> int:
    """The next transaction number; updating the head row first serialises writers."""
    bump = update(NbHeadRow).where(NbHeadRow.id == HEAD_ID).values(txn=NbHeadRow.txn + 1)
    return int(session.execute(bump.returning(NbHeadRow.txn)).scalar_one())


# -- runtime facts -------------------------------------------------------------------------
def southbound_tables(runtime: RuntimeState) -> Tables:
    """The runtime facts as SB Chassis / Encap / Port_Binding rows (as loaders read them)."""
    chassis: dict[str, dict[str, Any]] = {}
    encaps: dict[str, dict[str, Any]] = {}
    for ch in runtime.chassis:
        refs = []
        for e in ch.encaps:
            ref = str(uuid.uuid5(_SB_NAMESPACE, f"Encap\0{ch.name}\0{e.type}\0{e.ip}"))
            encaps[ref] = {"type": e.type, "ip": e.ip, "options": dict(e.options),
                           "chassis_name": ch.name}  # fmt: skip
            refs.append(ref)
        chassis[_chassis_uuid(ch.name)] = {
            "name": ch.name, "hostname": ch.hostname, "encaps": sorted(refs),
            "other_config": dict(ch.other_config), "external_ids": dict(ch.external_ids),
        }  # fmt: skip
    bindings = {
        str(uuid.uuid5(_SB_NAMESPACE, f"Port_Binding\0{p.logical_port}")): {
            "logical_port": p.logical_port,
            "chassis": _chassis_uuid(p.chassis) if p.chassis else [],
            "up": [] if p.up is None else p.up,
        }
        for p in runtime.ports.values()
    }
    return {"Chassis": chassis, "Encap": encaps, "Port_Binding": bindings}


def _chassis_uuid(name: str) -> str:
    return str(uuid.uuid5(_SB_NAMESPACE, f"Chassis\0{name}"))


def scheduled_gateways(tables: Tables) -> dict[str, list[tuple[str, int]]]:
    """Gateway port id -> its scheduled [(chassis, priority)], from stored NB rows."""
    gcs = tables.get("Gateway_Chassis", {})
    out: dict[str, list[tuple[str, int]]] = {}
    for lrp in tables.get("Logical_Router_Port", {}).values():
        name = str(lrp.get("name", ""))
        chosen = [gcs[u] for u in lrp.get("gateway_chassis", []) if u in gcs]
        if name.startswith("lrp-") and chosen:
            ordered = sorted(chosen, key=lambda g: -int(g.get("priority", 0)))
            out[name[4:]] = [(str(g["chassis_name"]), int(g.get("priority", 0))) for g in ordered]
    return out


# -- diff and storage ----------------------------------------------------------------------
def diff(old: Tables, new: Tables) -> list[dict[str, Any]]:
    """OVSDB-style ops turning `old` into `new`: insert (all columns), update (changed
    columns only), delete; in TABLE_NAMES order, deletes last."""
    ops: list[dict[str, Any]] = []
    deletes: list[dict[str, Any]] = []
    for table in TABLE_NAMES.values():
        before, after = old.get(table, {}), new.get(table, {})
        for u, cols in after.items():
            prev = before.get(u)
            if prev is None:
                ops.append({"op": "insert", "table": table, "uuid": u, "columns": cols})
            elif prev != cols:
                changed = {c: v for c, v in cols.items() if prev.get(c) != v}
                ops.append({"op": "update", "table": table, "uuid": u, "columns": changed})
        deletes += [{"op": "delete", "table": table, "uuid": u} for u in before if u not in after]
    return ops + deletes


def _store(session: Session, ops: list[dict[str, Any]], tables: Tables) -> None:
    for op in ops:
        table, u = op["table"], op["uuid"]
        key = (NbRow.table == table) & (NbRow.uuid == u)
        if op["op"] == "insert":
            session.add(NbRow(table=table, uuid=u, columns=tables[table][u]))
        elif op["op"] == "update":
            session.execute(update(NbRow).where(key).values(columns=tables[table][u]))
        else:
            session.execute(delete(NbRow).where(key))


def load_tables(session: Session) -> Tables:
    tables: Tables = {}
    for row in session.scalars(select(NbRow)):
        tables.setdefault(row.table, {})[row.uuid] = row.columns
    return tables


# -- reads ---------------------------------------------------------------------------------
def document(session: Session) -> dict[str, Any]:
    """The whole NB in the loaders' form, its runtime facts and the transaction number."""
    head = session.get(NbHeadRow, HEAD_ID)
    stored = load_tables(session)
    return {
        "nb_transaction": head.txn if head else 0,
        "OVN_Northbound": {t: stored.get(t, {}) for t in TABLE_NAMES.values() if t in stored},
        "OVN_Southbound": head.southbound if head else {},
    }


def transactions(session: Session, since: int, limit: int | None = None) -> list[dict[str, Any]]:
    """Journal entries with a number above `since`, oldest first."""
    query = (
        select(NbTransactionRow).where(NbTransactionRow.id > since).order_by(NbTransactionRow.id)
    )
    if limit is not None:
        query = query.limit(limit)
    return [
        {
            "id": t.id,
            "created_at": t.created_at.isoformat(),
            "method": t.method,
            "path": t.path,
            "ops": t.ops,
        }  # fmt: skip
        for t in session.scalars(query)
    ]


# -- hooks into the app --------------------------------------------------------------------
_WROTE = "ovntwin_wrote"


def _mark_written(session: Session, _context: Any) -> None:
    session.info[_WROTE] = True


def watch(factory: sessionmaker[Session]) -> None:
    """Sessions of `factory` remember that they flushed changes (a GET may write too:
    listing security groups creates the project's default group)."""
    event.listen(factory, "after_flush", _mark_written)


def after_request(session: Session, request: Request) -> Committed | None:
    """The NB transaction of a request that wrote (None for a pure read)."""
    session.flush()
    if request.method in ("GET", "HEAD") and not session.info.get(_WROTE):
        return None
    journal: Journal = request.app.state.northbound
    return journal.record(session, request.method, request.url.path)


def register_routes(app: FastAPI) -> None:
    """`GET /ovntwin/nb` and `GET /ovntwin/nb/transactions?since=N[&limit=M]`."""

    @app.get("/ovntwin/nb", name="show_northbound")
    def show(request: Request) -> dict[str, Any]:
        factory: sessionmaker[Session] = request.app.state.sessions
        with factory.begin() as session:
            return document(session)

    @app.get("/ovntwin/nb/transactions", name="list_northbound_transactions")
    def journal(request: Request) -> dict[str, Any]:
        since = _int_param(request, "since", 0) or 0
        limit = _int_param(request, "limit", None)
        factory: sessionmaker[Session] = request.app.state.sessions
        with factory.begin() as session:
            return {"transactions": transactions(session, since, limit)}


def _int_param(request: Request, name: str, default: int | None) -> int | None:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = -1
    if value < 0:
        raise HTTPBadRequest(f"Invalid value for {name}: '{raw}' is not a non-negative integer")
    return value
