"""Attribute maps declared as data, in the manner of neutron-lib's RESOURCE_ATTRIBUTE_MAP.

A converter takes the raw JSON value and returns the stored value, or raises ValueError
whose text is the 'Reason: ...' Neutron prints.
"""

from __future__ import annotations

import ipaddress
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Converter = Callable[[Any], Any]
JSON_SCHEMA = "json_schema"  # a converter's attribute: the JSON schema of what it accepts


def described(convert: Converter, schema: dict[str, Any]) -> Converter:
    """Attach the JSON schema of the accepted input (for the published OpenAPI document)."""
    setattr(convert, JSON_SCHEMA, schema)
    return convert


def schema_of(convert: Converter | None) -> dict[str, Any]:
    """The converter's accepted input as JSON schema; {} (anything) when it declares none."""
    return dict(getattr(convert, JSON_SCHEMA, {})) if convert is not None else {}


class _Required:
    def __repr__(self) -> str:
        return "REQUIRED"


class _NotSpecified:
    def __repr__(self) -> str:
        return "NOT_SPECIFIED"


REQUIRED: Any = _Required()
# allowed on POST, not mandatory; the resource's hooks compute the value (ATTR_NOT_SPECIFIED)
NOT_SPECIFIED: Any = _NotSpecified()


@dataclass(frozen=True)
class Attr:
    name: str
    column: str | None = None  # model attribute; None = same as name; "" = computed
    post: bool = False
    put: bool = False
    default: Any = REQUIRED
    convert: Converter | None = None
    visible: bool = True
    filter: bool = False
    sort: bool = False
    # filters on this attribute test `match(value, raw query string)` instead of equality
    match: Callable[[Any, str], bool] | None = None
    admin_only: bool = False  # only admins may set it (policy create_<res>:<name>)
    admin_read: bool = False  # only admins see it in responses

    @property
    def field(self) -> str:
        return self.name if self.column is None else self.column


def to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.lower() in ("true", "false", "1", "0"):
        return value.lower() in ("true", "1")
    raise ValueError(f"'{value}' cannot be converted to boolean")


described(to_bool, {"type": "boolean"})


def to_int(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError(f"'{value}' is not an integer")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValueError(f"'{value}' is not an integer") from None


described(to_int, {"type": "integer"})


def string(max_len: int) -> Converter:
    def convert(value: Any) -> str:
        if not isinstance(value, str):
            raise ValueError(f"'{value}' is not a valid string")
        if len(value) > max_len:
            raise ValueError(f"'{value}' exceeds maximum length of {max_len}")
        if any(not ch.isprintable() for ch in value):
            raise ValueError(f"'{value}' contains non-printable characters")
        return value

    return described(convert, {"type": "string", "maxLength": max_len})


def optional(convert: Converter) -> Converter:
    def maybe(value: Any) -> Any:
        return None if value is None else convert(value)

    inner = schema_of(convert)
    return described(maybe, {"anyOf": [inner, {"type": "null"}]} if inner else {})


def to_uuid(value: Any) -> str:
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        raise ValueError(f"'{value}' is not a valid UUID") from None


described(to_uuid, {"type": "string", "format": "uuid"})


def one_of(*choices: Any) -> Converter:
    def convert(value: Any) -> Any:
        if value not in choices:
            raise ValueError(f"'{value}' is not in {list(choices)}")
        return value

    return described(convert, {"enum": list(choices)})


def then(first: Converter, second: Converter) -> Converter:
    def convert(value: Any) -> Any:
        return second(first(value))

    return described(convert, schema_of(first))


def ip_address(value: Any) -> str:
    try:
        return str(ipaddress.ip_address(str(value)))
    except ValueError:
        raise ValueError(f"'{value}' is not a valid IP address") from None


described(ip_address, {"type": "string", "format": "ipvanyaddress"})


def cidr(value: Any) -> str:
    try:
        return str(ipaddress.ip_network(str(value), strict=False))
    except ValueError:
        raise ValueError(f"'{value}' is not a valid IP subnet") from None


described(cidr, {"type": "string", "format": "ipvanynetwork"})


def list_of(convert: Converter) -> Converter:
    def convert_all(value: Any) -> list[Any]:
        if value is None:
            return []
        if not isinstance(value, list):
            raise ValueError(f"'{value}' is not a list")
        return [convert(item) for item in value]

    return described(convert_all, {"type": "array", "items": schema_of(convert)})


def dict_with(*keys: str, required: tuple[str, ...] = ()) -> Converter:
    def convert(value: Any) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise ValueError(f"'{value}' is not a dictionary")
        unknown = sorted(set(value) - set(keys))
        if unknown:
            raise ValueError(f"Unexpected keys supplied: {', '.join(unknown)}")
        missing = [k for k in required if k not in value]
        if missing:
            raise ValueError(f"Validation of dictionary's keys failed. Expected keys: {missing}")
        return dict(value)

    props: dict[str, Any] = {key: {} for key in keys}
    return described(convert, {"type": "object", "properties": props, "required": list(required)})


NAME = Attr("name", post=True, put=True, default="", convert=string(255), filter=True, sort=True)
DESCRIPTION = Attr("description", post=True, put=True, default="", convert=string(255), filter=True)


def standard_attrs() -> tuple[Attr, ...]:
    """id, owner, description, timestamps, revision and tags, shared by every resource."""
    return (
        Attr("id", filter=True, sort=True),
        Attr(
            "project_id",
            post=True,
            default=NOT_SPECIFIED,
            convert=string(255),
            filter=True,
            sort=True,
        ),
        Attr(
            "tenant_id",
            column="project_id",
            post=True,
            default=NOT_SPECIFIED,
            convert=string(255),
            filter=True,
            sort=True,
        ),
        DESCRIPTION,
        Attr("created_at", filter=True, sort=True),
        Attr("updated_at", filter=True, sort=True),
        Attr("revision_number", filter=True, sort=True, convert=to_int),
        Attr("tags"),
    )
