"""Per-resource access rules declared as data (Neutron's default policies, in our terms).

A resource's `Access` says which rows of other projects every caller may read, which project
owns a row for policy purposes, which actions only admins may do, and which body attributes
name other rows the caller must be allowed to use. `ovntwin.api.policy` enforces them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from ovntwin.api.errors import ApiError

RowTest = Callable[[Session, Any], bool]
Owner = Callable[[Session, Any], str]


def never(_session: Session, _row: Any) -> bool:
    return False


def is_shared(_session: Session, row: Any) -> bool:
    return bool(row.shared)


def shared_or_external(_session: Session, row: Any) -> bool:
    """Networks every project sees: shared ones and router:external ones."""
    return bool(row.shared or row.external)


def own_project(_session: Session, row: Any) -> str:
    return str(row.project_id)


@dataclass(frozen=True)
class Ref:
    """A body attribute naming other rows (one id or a list of ids) the caller must use."""

    name: str  # body attribute: network_id, security_groups, external_gateway_info.network_id
    model: Any  # the referenced row class
    not_found: Callable[[str], ApiError]  # what a caller who cannot see the row is told
    visible: RowTest = never  # others' rows the caller sees but may not use: 403
    usable: RowTest = never  # others' rows the caller may attach to (shared)


@dataclass(frozen=True)
class Access:
    public: RowTest = never  # rows of other projects every caller may read (never write)
    owner: Owner = own_project  # the project whose members own a row
    admin_actions: frozenset[str] = frozenset()  # create/update/delete for admins only
    refs: tuple[Ref, ...] = ()
    admin_paths: tuple[str, ...] = ()  # nested body keys only admins set (a.b = body[a][b])


OPEN = Access()
