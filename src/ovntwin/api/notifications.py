"""QoS notifications from the API: publish after each committed write, serve the log.

After a write transaction commits, `Notifier.after_commit` reads the QoS-relevant state
(policies with rules, ports with binding host and policies, networks' policies), diffs
it against what it published last (`neutron.notify.changes`), appends the
notifications to the `ovntwin_notifications` table (numbered, durable: migration 0008)
and publishes them on the in-process bus. Out-of-process consumers (the simulation,
agents elsewhere) read `GET /ovntwin/notifications?since=N`.

One lock orders the diffs of concurrent requests; after a restart the last published
state is rebuilt from the log, so a change is never lost nor published twice.
"""

from __future__ import annotations

import json
import threading
from typing import Any

from fastapi import FastAPI, Request
from sqlalchemy import Integer, String, Text, func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from ovntwin.api.errors import HTTPBadRequest
from ovntwin.api.models import Base, NetworkRow
from ovntwin.api.port_models import PortRow
from ovntwin.api.state import qos_policies
from ovntwin.neutron.notify import (
    InProcessBus,
    Notification,
    NotificationBus,
    PortBinding,
    QosView,
    changes,
    numbered,
    replay,
)

PAGE_LIMIT = 1000  # notifications per GET
RELEVANT = ("/ports", "/networks", "/qos/")


class NotificationRow(Base):
    __tablename__ = "ovntwin_notifications"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    topic: Mapped[str] = mapped_column(String(255))
    resource_type: Mapped[str] = mapped_column(String(32))
    event: Mapped[str] = mapped_column(String(16))
    resource_id: Mapped[str] = mapped_column(String(36), index=True)
    version: Mapped[int] = mapped_column(Integer)
    payload: Mapped[str] = mapped_column(Text)  # the payload as JSON


def _note(row: NotificationRow) -> Notification:
    return Notification.from_dict({
        "seq": row.seq, "topic": row.topic, "resource_type": row.resource_type,
        "event": row.event, "resource_id": row.resource_id, "version": row.version,
        "payload": json.loads(row.payload),
    })  # fmt: skip


def read_view(session: Session) -> QosView:
    """Policies (rules sorted by id) and every port's binding, from the SQL rows."""
    policies = {p.id: p for p in qos_policies(session)}
    nets = {i: q for i, q in session.execute(select(NetworkRow.id, NetworkRow.qos_policy_id))}
    cols = (PortRow.id, PortRow.network_id, PortRow.host_id, PortRow.name, PortRow.device_owner,
            PortRow.qos_policy_id, PortRow.revision_number)  # fmt: skip
    ports = {
        pid: PortBinding(
            id=pid,
            network_id=net,
            host=host or "",
            name=name,
            device_owner=owner,
            qos_policy_id=policy,
            qos_network_policy_id=nets.get(net),
            revision_number=rev,
        )  # fmt: skip
        for pid, net, host, name, owner, policy, rev in session.execute(select(*cols))
    }
    return QosView(policies, ports)


class Notifier:
    """Diffs, stores and publishes; one per app (held in `app.state.notifier`)."""

    def __init__(self, sessions: sessionmaker[Session], bus: NotificationBus) -> None:
        self.sessions = sessions
        self.bus = bus
        self._lock = threading.Lock()
        self._last: QosView | None = None

    def after_write(self, path: str) -> list[Notification]:
        """The hook after a committed write: only QoS-relevant collections can change
        what agents see (ports, networks, QoS policies and rules)."""
        if not any(part in path for part in RELEVANT):
            return []
        try:
            return self.after_commit()
        except SQLAlchemyError:
            return []  # the write stands; the next write publishes this change too

    def after_commit(self) -> list[Notification]:
        with self._lock, self.sessions.begin() as session:
            last = self._last
            if last is None:
                last = replay(self.since(session, 0, None))
            view = read_view(session)
            top = session.scalar(select(func.max(NotificationRow.seq))) or 0
            notes = numbered(changes(last, view), top + 1)
            for note in notes:
                doc = note.to_dict()
                session.add(NotificationRow(
                    seq=note.seq, topic=note.topic, resource_type=note.resource_type,
                    event=note.event, resource_id=note.resource_id, version=note.version,
                    payload=json.dumps(doc["payload"], sort_keys=True),
                ))  # fmt: skip
        self._last = view  # only once stored: a failed store is retried on the next write
        for note in notes:
            self.bus.publish(note)
        return notes

    @staticmethod
    def since(session: Session, seq: int, limit: int | None) -> list[Notification]:
        query = select(NotificationRow).where(NotificationRow.seq > seq)
        query = query.order_by(NotificationRow.seq)
        if limit is not None:
            query = query.limit(limit)
        return [_note(row) for row in session.scalars(query)]


def _since(request: Request) -> int:
    raw = request.query_params.get("since", "0")
    try:
        value = int(raw)
    except ValueError:
        raise HTTPBadRequest(
            f"Invalid input for since. Reason: '{raw}' is not an integer."
        ) from None
    if value < 0:
        raise HTTPBadRequest(f"Invalid input for since. Reason: {value} is negative.")
    return value


def register_notifications(app: FastAPI, bus: NotificationBus | None = None) -> Notifier:
    """`app.state.notifier` and `GET /ovntwin/notifications?since=N` (oldest first;
    `last` is the newest seq returned, or `since` when there is none)."""
    factory = getattr(app.state, "write_sessions", app.state.sessions)
    notifier = Notifier(factory, bus or InProcessBus())
    app.state.notifier = notifier

    @app.get("/ovntwin/notifications", name="list_notifications")
    def list_(request: Request) -> dict[str, Any]:
        since = _since(request)
        with notifier.sessions.begin() as session:
            notes = Notifier.since(session, since, PAGE_LIMIT)
        last = notes[-1].seq if notes else since
        return {"notifications": [n.to_dict() for n in notes], "last": last}

    return notifier
