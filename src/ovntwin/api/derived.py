"""Read-only collections Neutron derives from other state: `/v2.0/agents` (ML2/OVN
reports one agent per SB chassis) and `/v2.0/segments` (one per network in the twin).

Both are admin-only, as in Neutron's default policy, and take the usual `fields=`,
filters, sorting and pagination.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ovntwin.api import auth, query
from ovntwin.api.attributes import Attr, to_bool, to_int
from ovntwin.api.auth import PolicyNotAuthorized
from ovntwin.api.errors import resource_not_found
from ovntwin.api.models import Base, NetworkRow
from ovntwin.api.resource import ResourceSpec, Values, stamp
from ovntwin.api.state import segment_id
from ovntwin.model.runtime import Chassis

GATEWAY_AGENT = "OVN Controller Gateway agent"
CONTROLLER_AGENT = "OVN Controller agent"


def _read(name: str, convert: Any = None) -> Attr:
    return Attr(name, filter=True, sort=True, convert=convert)


AGENT_ATTRS = (
    *(_read(n) for n in ("id", "agent_type", "binary", "host", "topic", "availability_zone")),
    _read("alive", to_bool),
    _read("admin_state_up", to_bool),
    *(Attr(n) for n in ("description", "configurations", "created_at", "started_at")),
    *(Attr(n) for n in ("heartbeat_timestamp", "resources_synced")),
)
# no table: the rows are the chassis the server was given (ovntwin serve --chassis)
AGENTS = ResourceSpec("agent", "agents", "agents", "Agent", Base, AGENT_ATTRS)
SEGMENT_ATTRS = (
    *(_read(n) for n in ("id", "network_id", "name", "network_type", "physical_network")),
    _read("segmentation_id", to_int),
    *(Attr(n) for n in ("description", "revision_number", "created_at", "updated_at")),
)
# the twin keeps a network's one segment in its networks row (state.segment_id)
SEGMENTS = ResourceSpec("segment", "segments", "segments", "Segment", NetworkRow, SEGMENT_ATTRS)


def agent(ch: Chassis, started: str) -> Values:
    """The ovn-controller agent ML2/OVN shows for a chassis (id = the chassis name)."""
    cms = ch.other_config.get("ovn-cms-options") or ch.external_ids.get("ovn-cms-options", "")
    mappings = ch.other_config.get("ovn-bridge-mappings") or ch.external_ids.get(
        "ovn-bridge-mappings", ""
    )
    gateway = "enable-chassis-as-gw" in cms.split(",")
    return {
        "id": ch.name, "agent_type": GATEWAY_AGENT if gateway else CONTROLLER_AGENT,
        "binary": "ovn-controller", "host": ch.hostname or ch.name, "topic": "n/a",
        "availability_zone": None, "alive": ch.alive, "admin_state_up": True,
        "description": "",
        "configurations": {"chassis_name": ch.name, "bridge-mappings": mappings,
                           "ovn-cms-options": cms},
        "created_at": started, "started_at": started, "heartbeat_timestamp": started,
        "resources_synced": None,
    }  # fmt: skip


def segment(row: NetworkRow) -> Values:
    return {
        "id": segment_id(row.id), "network_id": row.id, "name": None, "description": "",
        "network_type": row.network_type, "physical_network": row.physical_network,
        "segmentation_id": row.segmentation_id, "revision_number": row.revision_number,
        "created_at": stamp(row.created_at), "updated_at": stamp(row.updated_at),
    }  # fmt: skip


def register_derived(app: FastAPI, chassis: tuple[Chassis, ...], started: str) -> None:
    agents = [agent(ch, started) for ch in chassis]
    _register(app, AGENTS, lambda _session: agents)

    def segments(session: Session) -> list[Values]:
        return [segment(row) for row in session.scalars(select(NetworkRow))]

    _register(app, SEGMENTS, segments)


def _register(app: FastAPI, spec: ResourceSpec, items: Callable[[Session], list[Values]]) -> None:
    coll = f"/v2.0/{spec.path}"

    def read(request: Request, action: str) -> list[Values]:
        if not auth.caller_of(request).is_admin:
            raise PolicyNotAuthorized(f"{action}_{spec.singular}")
        factory: sessionmaker[Session] = request.app.state.sessions
        with factory.begin() as session:
            return items(session)

    @app.get(coll, name=f"list_{spec.plural}")
    def list_(request: Request) -> dict[str, Any]:
        return query.listing(spec, read(request, "get"), request)

    @app.get(coll + "/{ident}", name=f"show_{spec.singular}")
    def show(ident: str, request: Request) -> dict[str, Any]:
        found = [item for item in read(request, "get") if item["id"] == ident]
        if not found:
            raise resource_not_found(spec.kind, ident)
        fields = request.query_params.getlist("fields")
        return {spec.singular: query.select_fields(found[0], fields)}
