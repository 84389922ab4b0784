"""Policy enforcement for the generic routes (Neutron's default policies).

Admins may do everything. A member reads and changes its own project's rows; a reader only
reads them. Rows of other projects are invisible (404, as Neutron hides their existence)
unless the resource's `Access.public` says every project may read them; those stay read-only.
Attributes flagged `admin_only` may be set only by admins, `admin_read` ones are shown only
to admins.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ovntwin.api.attributes import NOT_SPECIFIED, REQUIRED, Attr
from ovntwin.api.auth import Caller, PolicyNotAuthorized
from ovntwin.api.errors import resource_not_found
from ovntwin.api.resource import ResourceSpec, Values, view

WRITES = ("create", "update", "delete")


def owns(spec: ResourceSpec, session: Session, caller: Caller, row: Any) -> bool:
    return caller.is_admin or spec.access.owner(session, row) == caller.project_id


def sees(spec: ResourceSpec, session: Session, caller: Caller, row: Any) -> bool:
    return owns(spec, session, caller, row) or spec.access.public(session, row)


def authorize(spec: ResourceSpec, caller: Caller, action: str) -> None:
    """May this caller do `action` on this kind of resource at all?"""
    rule = f"{action}_{spec.singular}"
    if action in WRITES and not caller.can_write:
        raise PolicyNotAuthorized(rule)
    if action in spec.access.admin_actions and not caller.is_admin:
        raise PolicyNotAuthorized(rule)


def found(spec: ResourceSpec, session: Session, caller: Caller, ident: str) -> Any:
    """The row if the caller may see it; 404 alike for missing and hidden rows."""
    row = session.get(spec.model, ident)
    if row is None or not sees(spec, session, caller, row):
        raise resource_not_found(spec.kind, ident)
    return row


def owned(spec: ResourceSpec, session: Session, caller: Caller, ident: str, action: str) -> Any:
    """The row if the caller may change it: hidden -> 404, visible but not its own -> 403."""
    row = found(spec, session, caller, ident)
    authorize(spec, caller, action)
    if not owns(spec, session, caller, row):
        raise PolicyNotAuthorized(f"{action}_{spec.singular}")
    return row


def _explicit(attr: Attr, value: Any, action: str) -> bool:
    """Neutron checks an attribute's policy only when the request really sets it."""
    if action != "create" or attr.default in (REQUIRED, NOT_SPECIFIED):
        return True
    try:
        converted = value if attr.convert is None else attr.convert(value)
    except (ValueError, TypeError):
        return False  # the body is invalid: parsing answers 400
    return bool(converted != attr.default)


def _check_owner(spec: ResourceSpec, caller: Caller, given: Values) -> None:
    for key in ("project_id", "tenant_id"):
        value = given.get(key)
        if value is not None and value != caller.project_id and not caller.is_admin:
            raise PolicyNotAuthorized(f"create_{spec.singular}:{key}")


def _lookup(given: Values, path: str) -> Any:
    """`external_gateway_info.network_id` -> the nested value, or None."""
    value: Any = given
    for key in path.split("."):
        value = value.get(key) if isinstance(value, dict) else None
    return value


def _ids(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return [v for v in items if isinstance(v, str)]


def _check_refs(
    spec: ResourceSpec, session: Session, caller: Caller, action: str, given: Values
) -> None:
    for ref in spec.access.refs:
        for ident in _ids(_lookup(given, ref.name)) if not caller.is_admin else ():
            row = session.get(ref.model, ident)
            if row is None or row.project_id == caller.project_id or ref.usable(session, row):
                continue  # a missing row is reported by the resource's own validation
            if ref.visible(session, row):
                raise PolicyNotAuthorized(f"{action}_{spec.singular}:{ref.name}")
            raise ref.not_found(ident)


def check_body(
    spec: ResourceSpec, session: Session, caller: Caller, action: str, given: Values
) -> None:
    """admin_only attributes, the owner on create and the rows the body names."""
    authorize(spec, caller, action)
    if caller.is_admin:
        return
    for name, value in given.items():
        attr = spec.attr(name)
        if attr is not None and attr.admin_only and _explicit(attr, value, action):
            raise PolicyNotAuthorized(f"{action}_{spec.singular}:{name}")
    for path in spec.access.admin_paths:
        if _lookup(given, path) is not None:
            raise PolicyNotAuthorized(f"{action}_{spec.singular}:{path.replace('.', ':')}")
    if action == "create":
        _check_owner(spec, caller, given)
    _check_refs(spec, session, caller, action, given)


def body_of(spec: ResourceSpec, body: Any) -> Values:
    """The resource's attributes in a request body, or {} (parsing reports bad bodies)."""
    if isinstance(body, dict) and isinstance(body.get(spec.singular), dict):
        inner: Values = body[spec.singular]
        return inner
    return {}


def redact(spec: ResourceSpec, caller: Caller, item: Values) -> Values:
    if caller.is_admin:
        return item
    hidden = {a.name for a in spec.attrs if a.admin_read}
    return {k: v for k, v in item.items() if k not in hidden}


def visible_views(spec: ResourceSpec, session: Session, caller: Caller) -> list[Values]:
    rows = session.scalars(select(spec.model)).all()
    return [
        redact(spec, caller, view(spec, session, row))
        for row in rows
        if sees(spec, session, caller, row)
    ]
