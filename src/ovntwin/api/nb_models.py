"""SQLAlchemy tables for the twin's OVN northbound database (schema from migration 0006).

`ovn_nb_rows` holds the current NB rows in the loaders' decoded form (table -> uuid ->
columns); `ovn_nb_transactions` is the journal, one entry per API write; the single
`ovn_nb_head` row numbers them (updating it first serialises concurrent writers) and keeps
the runtime facts (chassis, port bindings) as southbound-shaped tables.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ovntwin.api.models import Base

HEAD_ID = 1


class NbHeadRow(Base):
    __tablename__ = "ovn_nb_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    txn: Mapped[int] = mapped_column(Integer, default=0)
    southbound: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class NbRow(Base):
    __tablename__ = "ovn_nb_rows"

    table: Mapped[str] = mapped_column("tbl", String(64), primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), primary_key=True)
    columns: Mapped[dict[str, Any]] = mapped_column(JSON)


class NbTransactionRow(Base):
    __tablename__ = "ovn_nb_transactions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    method: Mapped[str] = mapped_column(String(16))
    path: Mapped[str] = mapped_column(String(1024))
    ops: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
