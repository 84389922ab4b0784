"""The tags sub-resource `/v2.0/{collection}/{id}/tags[/{tag}]` (ext standard-attr-tag)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from ovntwin.api import auth, policy, resource
from ovntwin.api.errors import HTTPBadRequest, NotFound
from ovntwin.api.resource import ResourceSpec

MAX_TAGS = 50
MAX_LEN = 255
Transaction = Callable[[Request], AbstractContextManager[Session]]


def _check(tags: list[str]) -> list[str]:
    for tag in tags:
        if not isinstance(tag, str) or not tag or len(tag) > MAX_LEN or "," in tag:
            raise HTTPBadRequest(f"Invalid input for tags. Reason: '{tag}' is not a valid tag.")
    unique = list(dict.fromkeys(tags))
    if len(unique) > MAX_TAGS:
        raise HTTPBadRequest(f"Invalid input for tags. Reason: more than {MAX_TAGS} tags.")
    return unique


def _tags_body(body: Any) -> list[str]:
    if not isinstance(body, dict) or not isinstance(body.get("tags"), list):
        raise HTTPBadRequest("Invalid input for tags. Reason: a 'tags' list is required.")
    return _check(body["tags"])


def _store(row: Any, tags: list[str]) -> None:
    if tags != row.tags:
        row.tags = tags
        resource.bump(row)


def _seen(spec: ResourceSpec, session: Session, request: Request, ident: str) -> Any:
    """Tags of rows the caller cannot see are as missing as the rows (404)."""
    return policy.found(spec, session, auth.caller_of(request), ident)


def _mine(spec: ResourceSpec, session: Session, request: Request, ident: str) -> Any:
    """Changing tags is an update of the row: owner (or admin) only."""
    return policy.owned(spec, session, auth.caller_of(request), ident, "update")


def register_tags(
    app: FastAPI, spec: ResourceSpec, transaction: Transaction, body_of: Callable[..., Any]
) -> None:
    base = f"/v2.0/{spec.path}/{{ident}}/tags"

    @app.get(base, name=f"list_{spec.singular}_tags")
    def list_tags(ident: str, request: Request) -> dict[str, Any]:
        with transaction(request) as session:
            return {"tags": list(_seen(spec, session, request, ident).tags)}

    @app.put(base, name=f"replace_{spec.singular}_tags")
    async def replace(ident: str, request: Request) -> dict[str, Any]:
        tags = _tags_body(await body_of(request))
        with transaction(request) as session:
            row = _mine(spec, session, request, ident)
            _store(row, tags)
            return {"tags": list(row.tags)}

    @app.post(base, name=f"add_{spec.singular}_tags")
    async def add(ident: str, request: Request) -> dict[str, Any]:
        tags = _tags_body(await body_of(request))
        with transaction(request) as session:
            row = _mine(spec, session, request, ident)
            _store(row, _check([*row.tags, *tags]))
            return {"tags": list(row.tags)}

    @app.delete(base, status_code=204, name=f"clear_{spec.singular}_tags")
    def clear(ident: str, request: Request) -> Response:
        with transaction(request) as session:
            _store(_mine(spec, session, request, ident), [])
        return Response(status_code=204)

    @app.get(base + "/{tag}", status_code=204, name=f"check_{spec.singular}_tag")
    def check(ident: str, tag: str, request: Request) -> Response:
        with transaction(request) as session:
            if tag not in _seen(spec, session, request, ident).tags:
                raise NotFound(f"Tag {tag} could not be found.", type_name="TagNotFound")
        return Response(status_code=204)

    @app.put(base + "/{tag}", status_code=201, name=f"add_{spec.singular}_tag")
    def add_one(ident: str, tag: str, request: Request) -> Response:
        with transaction(request) as session:
            row = _mine(spec, session, request, ident)
            _store(row, _check([*row.tags, tag]))
        return Response(status_code=201)

    @app.delete(base + "/{tag}", status_code=204, name=f"remove_{spec.singular}_tag")
    def remove(ident: str, tag: str, request: Request) -> Response:
        with transaction(request) as session:
            row = _mine(spec, session, request, ident)
            if tag not in row.tags:
                raise NotFound(f"Tag {tag} could not be found.", type_name="TagNotFound")
            _store(row, [t for t in row.tags if t != tag])
        return Response(status_code=204)
