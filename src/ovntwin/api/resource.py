"""Generic resource machinery: body parsing against an attribute map, views, CRUD.

Each resource declares a `ResourceSpec` (attribute map + model + hooks); nothing here knows
about networks or subnets.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ovntwin.api.access import OPEN, Access
from ovntwin.api.attributes import NOT_SPECIFIED, REQUIRED, Attr
from ovntwin.api.errors import (
    Conflict,
    HTTPBadRequest,
    RevisionNumberConstraintFailed,
    resource_not_found,
)
from ovntwin.api.models import Base, Standard
from ovntwin.api.retry import is_unique_violation

Values = dict[str, Any]


class Hooks:
    """Resource-specific behaviour; the defaults do nothing."""

    def before_create(self, session: Session, values: Values) -> None:
        """Fill computed defaults, validate across attributes (raise ApiError)."""

    def before_list(self, session: Session, project: str) -> None:
        """Create objects Neutron makes on first sight (a project's default security group)."""

    def after_create(self, session: Session, row: Any) -> None:
        """Create dependent rows once the new row exists (a group's template rules)."""

    def before_update(self, session: Session, row: Any, changes: Values) -> None:
        """Validate an update; `changes` holds only the given (converted) attributes."""

    def before_delete(self, session: Session, row: Any) -> None:
        """Refuse (InUse) or cascade."""

    def extra_view(self, session: Session, row: Any) -> Values:
        """Computed attributes (e.g. a network's subnets)."""
        return {}


@dataclass(frozen=True)
class ResourceSpec:
    singular: str  # body key: network
    plural: str  # collection body key: networks
    path: str  # URL under /v2.0: networks, security-groups, qos/policies
    kind: str  # for messages and error types: Network -> NetworkNotFound
    model: type[Base]
    attrs: tuple[Attr, ...]
    hooks: Hooks = field(default_factory=Hooks)
    updatable: bool = True  # False: no PUT route (security group rules)
    access: Access = OPEN  # who may see and change rows (ovntwin.api.policy enforces it)

    def attr(self, name: str) -> Attr | None:
        return next((a for a in self.attrs if a.name == name), None)


def now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def stamp(value: datetime) -> str:
    """Neutron's timestamp format (UTC, seconds)."""
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def convert_value(attr: Attr, value: Any) -> Any:
    if attr.convert is None:
        return value
    try:
        return attr.convert(value)
    except (ValueError, TypeError) as err:
        raise HTTPBadRequest(f"Invalid input for {attr.name}. Reason: {err}.") from None


def unwrap(spec: ResourceSpec, body: Any) -> Values:
    if not isinstance(body, dict) or not isinstance(body.get(spec.singular), dict):
        raise HTTPBadRequest(f"Resource body required with key '{spec.singular}'.")
    given: Values = body[spec.singular]
    unknown = sorted(k for k in given if spec.attr(k) is None)
    if unknown:
        raise HTTPBadRequest(f"Unrecognized attribute(s) '{', '.join(unknown)}'")
    return given


def _owner(given: Values, project: str) -> str:
    project_id, tenant_id = given.get("project_id"), given.get("tenant_id")
    if project_id is not None and tenant_id is not None and project_id != tenant_id:
        raise HTTPBadRequest("'project_id' and 'tenant_id' do not match")
    owner = project_id if project_id is not None else tenant_id
    return str(owner) if owner is not None else project


def parse_create(spec: ResourceSpec, body: Any, project: str) -> Values:
    """Body -> column values with defaults; NOT_SPECIFIED marks values hooks must compute."""
    given = unwrap(spec, body)
    values: Values = {}
    for attr in spec.attrs:
        if attr.name in given:
            if not attr.post:
                raise HTTPBadRequest(f"Attribute '{attr.name}' not allowed in POST")
            values[attr.field] = convert_value(attr, given[attr.name])
        elif attr.post and attr.default is REQUIRED:
            raise HTTPBadRequest(
                f"Failed to parse request. Required attribute '{attr.name}' not specified"
            )
        elif attr.post and attr.field not in values:
            values[attr.field] = attr.default
    values["project_id"] = _owner(given, project)
    return values


def parse_update(spec: ResourceSpec, body: Any) -> Values:
    given = unwrap(spec, body)
    changes: Values = {}
    for name, value in given.items():
        attr = spec.attr(name)
        assert attr is not None  # unwrap rejected unknown names
        if not attr.put:
            raise HTTPBadRequest(f"Cannot update read-only attribute {name}")
        changes[attr.field] = convert_value(attr, value)
    return changes


def view(spec: ResourceSpec, session: Session, row: Any) -> Values:
    extra = spec.hooks.extra_view(session, row)
    out: Values = {}
    for attr in spec.attrs:
        if not attr.visible:
            continue
        if attr.name in extra:
            out[attr.name] = extra[attr.name]
        elif attr.column != "":
            value = getattr(row, attr.field)
            out[attr.name] = stamp(value) if isinstance(value, datetime) else value
    return out


def get_row(spec: ResourceSpec, session: Session, ident: str) -> Any:
    row = session.get(spec.model, ident)
    if row is None:
        raise resource_not_found(spec.kind, ident)
    return row


def create(spec: ResourceSpec, session: Session, body: Any, project: str) -> Values:
    values = parse_create(spec, body, project)
    spec.hooks.before_create(session, values)
    stored = {k: v for k, v in values.items() if v is not NOT_SPECIFIED and k != ""}
    stamp = now()
    row = spec.model(
        id=str(uuid.uuid4()),
        revision_number=0,
        created_at=stamp,
        updated_at=stamp,
        tags=[],
        **stored,
    )
    session.add(row)
    flush(session)
    spec.hooks.after_create(session, row)
    return view(spec, session, row)


def flush(session: Session) -> None:
    """Flush; a unique violation (a concurrent duplicate) goes to retry.RetryRoute, which
    re-runs the request; other integrity errors answer 409, not 500."""
    try:
        session.flush()
    except IntegrityError as err:
        if is_unique_violation(err):
            raise
        raise Conflict(
            "The request conflicts with a concurrent change; retry.", type_name="Conflict"
        ) from None


def check_revision(row: Standard, expected: int | None) -> None:
    if expected is not None and row.revision_number != expected:
        raise RevisionNumberConstraintFailed(expected, row.revision_number)


def bump(row: Standard) -> None:
    row.revision_number += 1
    row.updated_at = now()


def update(
    spec: ResourceSpec, session: Session, ident: str, body: Any, expected: int | None
) -> Values:
    row = get_row(spec, session, ident)
    changes = parse_update(spec, body)
    check_revision(row, expected)
    spec.hooks.before_update(session, row, changes)
    for name, value in changes.items():
        setattr(row, name, value)
    bump(row)
    flush(session)
    return view(spec, session, row)


def delete(spec: ResourceSpec, session: Session, ident: str, expected: int | None) -> None:
    row = get_row(spec, session, ident)
    check_revision(row, expected)
    spec.hooks.before_delete(session, row)
    session.delete(row)
    flush(session)
