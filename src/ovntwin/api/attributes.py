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


def to_int(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError(f"'{value}' is not an integer")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValueError(f"'{value}' is not an integer") from None


def string(max_len: int) -> Converter:
    def convert(value: Any) -> str:
        if not isinstance(value, str):
            raise ValueError(f"'{value}' is not a valid string")
        if len(value) > max_len:
            raise ValueError(f"'{value}' exceeds maximum length of {max_len}")
        if any(not ch.isprintable() for ch in value):
            raise ValueError(f"'{value}' contains non-printable characters")
        return value

    return convert


def optional(convert: Converter) -> Converter:
    def maybe(value: Any) -> Any:
        return None if value is None else convert(value)

    return maybe


def to_uuid(value: Any) -> str:
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        raise ValueError(f"'{value}' is not a valid UUID") from None


def one_of(*choices: Any) -> Converter:
    def convert(value: Any) -> Any:
        if value not in choices:
            raise ValueError(f"'{value}' is not in {list(choices)}")
        return value

    return convert


def then(first: Converter, second: Converter) -> Converter:
    def convert(value: Any) -> Any:
        return second(first(value))

    return convert


def ip_address(value: Any) -> str:
    try:
        return str(ipaddress.ip_address(str(value)))
    except ValueError:
        raise ValueError(f"'{value}' is not a valid IP address") from None


def cidr(value: Any) -> str:
    try:
        return str(ipaddress.ip_network(str(value), strict=False))
    except ValueError:
        raise ValueError(f"'{value}' is not a valid IP subnet") from None


def list_of(convert: Converter) -> Converter:
    def convert_all(value: Any) -> list[Any]:
        if value is None:
            return []
        if not isinstance(value, list):
            raise ValueError(f"'{value}' is not a list")
        return [convert(item) for item in value]

    return convert_all


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

    return convert


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
