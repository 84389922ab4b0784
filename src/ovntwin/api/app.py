"""The FastAPI application: version documents, extensions, and generic resource routes."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.orm import Session, sessionmaker
from starlette.exceptions import HTTPException as StarletteHTTPException

from ovntwin.api import auth, openapi, policy, query, resource
from ovntwin.api.db import make_engine, sessions, upgrade
from ovntwin.api.derived import AGENTS, SEGMENTS, register_derived
from ovntwin.api.errors import ApiError, HTTPBadRequest, HTTPNotFound, internal_error
from ovntwin.api.extensions import EXTENSIONS
from ovntwin.api.floatingips import FLOATINGIPS
from ovntwin.api.networks import NETWORKS
from ovntwin.api.northbound import Journal, after_request, register_routes, watch
from ovntwin.api.notifications import register_notifications
from ovntwin.api.ports import PORTS
from ovntwin.api.qos_policies import QOS_POLICIES
from ovntwin.api.qos_rules import RULE_KINDS, register_rule_types, register_rules
from ovntwin.api.resource import ResourceSpec
from ovntwin.api.retry import RetryRoute
from ovntwin.api.router_actions import register_router_actions
from ovntwin.api.routers import ROUTERS
from ovntwin.api.security_groups import SECURITY_GROUPS
from ovntwin.api.sg_rules import RULES as SECURITY_GROUP_RULES
from ovntwin.api.subnets import SUBNETS
from ovntwin.api.tags import register_tags
from ovntwin.model.runtime import Chassis

RESOURCES = (
    NETWORKS,
    SUBNETS,
    QOS_POLICIES,
    PORTS,
    SECURITY_GROUPS,
    SECURITY_GROUP_RULES,
    ROUTERS,
    FLOATINGIPS,
)
IF_MATCH = re.compile(r"^\s*revision_number=(\d+)\s*$")


def _error(err: ApiError) -> JSONResponse:
    return JSONResponse(err.body(), status_code=err.status)


@contextmanager
def transaction(request: Request) -> Iterator[Session]:
    # SQLite: a write takes the lock at BEGIN; a lost race is re-run by retry.RetryRoute
    writes = request.method not in ("GET", "HEAD")
    state = request.app.state
    factory: sessionmaker[Session] = state.write_sessions if writes else state.sessions
    with factory.begin() as session:
        yield session
        done = after_request(session, request)  # this call's NB transaction, same SQL txn
    if done is not None:
        request.app.state.northbound.committed(done)
    if request.method not in ("GET", "HEAD"):  # committed: QoS notifications
        request.app.state.notifier.after_write(request.url.path)


async def body_of(request: Request) -> Any:
    raw = await request.body()
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        raise HTTPBadRequest("Malformed request body") from None


def expected_revision(request: Request) -> int | None:
    header = request.headers.get("if-match")
    if header is None:
        return None
    found = IF_MATCH.match(header)
    if found is None:
        raise HTTPBadRequest(f"Invalid If-Match header '{header}': expected revision_number=N")
    return int(found.group(1))


def _base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def register(app: FastAPI, spec: ResourceSpec) -> None:
    coll = f"/v2.0/{spec.path}"

    @app.get(coll, name=f"list_{spec.plural}")
    def list_(request: Request) -> dict[str, Any]:
        caller = auth.caller_of(request)
        with transaction(request) as session:
            spec.hooks.before_list(session, caller.project_id)
            items = policy.visible_views(spec, session, caller)
        return query.listing(spec, items, request)

    @app.post(coll, status_code=201, name=f"create_{spec.singular}")
    async def create(request: Request) -> dict[str, Any]:
        body = await body_of(request)
        caller = auth.caller_of(request)
        with transaction(request) as session:
            policy.check_body(spec, session, caller, "create", policy.body_of(spec, body))
            item = resource.create(spec, session, body, caller.project_id)
            return {spec.singular: policy.redact(spec, caller, item)}

    @app.get(coll + "/{ident}", name=f"show_{spec.singular}")
    def show(ident: str, request: Request) -> dict[str, Any]:
        fields = request.query_params.getlist("fields")
        caller = auth.caller_of(request)
        with transaction(request) as session:
            item = resource.view(spec, session, policy.found(spec, session, caller, ident))
        return {spec.singular: query.select_fields(policy.redact(spec, caller, item), fields)}

    if spec.updatable:
        _register_update(app, spec, coll)

    @app.delete(coll + "/{ident}", status_code=204, name=f"delete_{spec.singular}")
    def delete(ident: str, request: Request) -> Response:
        expected = expected_revision(request)
        with transaction(request) as session:
            policy.owned(spec, session, auth.caller_of(request), ident, "delete")
            resource.delete(spec, session, ident, expected)
        return Response(status_code=204)

    register_tags(app, spec, transaction, body_of)


def _register_update(app: FastAPI, spec: ResourceSpec, coll: str) -> None:
    @app.put(coll + "/{ident}", name=f"update_{spec.singular}")
    async def update(ident: str, request: Request) -> dict[str, Any]:
        body = await body_of(request)
        expected = expected_revision(request)
        caller = auth.caller_of(request)
        with transaction(request) as session:
            policy.owned(spec, session, caller, ident, "update")
            policy.check_body(spec, session, caller, "update", policy.body_of(spec, body))
            item = resource.update(spec, session, ident, body, expected)
            return {spec.singular: policy.redact(spec, caller, item)}


def _versions(app: FastAPI) -> None:
    @app.get("/", name="versions")
    def versions(request: Request) -> dict[str, Any]:
        href = f"{_base_url(request)}/v2.0/"
        return {
            "versions": [
                {"id": "v2.0", "status": "CURRENT", "links": [{"rel": "self", "href": href}]}
            ]
        }

    @app.get("/v2.0/", name="resources")
    def resources(request: Request) -> dict[str, Any]:
        base = f"{_base_url(request)}/v2.0"
        return {
            "resources": [
                {
                    "name": s.singular,
                    "collection": s.plural,
                    "links": [{"rel": "self", "href": f"{base}/{s.path}"}],
                }
                for s in RESOURCES
            ],
            # lets clients whose endpoint ends in /v2.0 discover the version (reference 5.3)
            "version": {
                "id": "v2.0",
                "status": "CURRENT",
                "links": [{"rel": "self", "href": f"{base}/"}],
            },
        }

    @app.get("/v2.0/extensions", name="list_extensions")
    def extensions() -> dict[str, Any]:
        return {"extensions": [e.as_dict() for e in EXTENSIONS]}

    @app.get("/v2.0/extensions/{alias}", name="show_extension")
    def extension(alias: str) -> dict[str, Any]:
        for ext in EXTENSIONS:
            if ext.alias == alias:
                return {"extension": ext.as_dict()}
        raise HTTPNotFound(f"Extension with alias {alias} does not exist")


def _handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(_request: Request, err: ApiError) -> JSONResponse:
        return _error(err)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, err: StarletteHTTPException) -> JSONResponse:
        names = {404: "HTTPNotFound", 405: "HTTPMethodNotAllowed"}
        wrapped = ApiError(str(err.detail), type_name=names.get(err.status_code, "HTTPError"))
        wrapped.status = err.status_code
        return _error(wrapped)

    @app.exception_handler(RequestValidationError)
    async def bad_request(_request: Request, err: RequestValidationError) -> JSONResponse:
        return _error(HTTPBadRequest(f"Invalid request: {err.errors()}"))

    @app.exception_handler(Exception)
    async def crash(_request: Request, _err: Exception) -> JSONResponse:
        return _error(internal_error())


def create_app(
    db_url: str, token_file: str | Path | None = None, *, chassis: Sequence[Chassis] = ()
) -> FastAPI:
    """The app on `db_url` (sqlite:///PATH or postgresql://...), schema migrated to head;
    with `token_file`, callers authenticate with X-Auth-Token (else noauth: all admin)."""
    tokens = None if token_file is None else auth.load_tokens(token_file)
    engine = make_engine(db_url)
    upgrade(engine)
    app = FastAPI(title="ovntwin Neutron API", version="2.0")
    auth.install(app, tokens)
    app.state.sessions = sessions(engine, write=False)
    app.state.write_sessions = sessions(engine, write=True)
    app.state.northbound = Journal(chassis)  # chassis: the gateway scheduler's candidates
    watch(app.state.sessions)
    watch(app.state.write_sessions)
    register_routes(app)
    app.router.route_class = RetryRoute
    _handlers(app)
    _versions(app)
    for spec in RESOURCES:
        register(app, spec)
    for kind in RULE_KINDS:
        register_rules(app, kind, transaction, body_of)
    register_rule_types(app)
    register_router_actions(app, transaction, body_of)
    register_derived(app, tuple(chassis), resource.stamp(resource.now()))
    register_notifications(app)
    openapi.install(app, (*RESOURCES, AGENTS, SEGMENTS, *(kind.spec for kind in RULE_KINDS)))
    return app
