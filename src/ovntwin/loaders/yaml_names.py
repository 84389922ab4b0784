"""First pass over a validated topology: every named row, its UUID and where it is.

Duplicate names are errors: per table, except that switch and router ports share one
namespace (they all become southbound Port_Bindings, which northd keys by name).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from ovntwin.loaders.uuids import row_uuid
from ovntwin.loaders.yaml_lines import Reporter

Where = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class Named:
    name: str
    uuid: str
    where: Where  # path of the row in the document


@dataclass(slots=True)
class Names:
    """Declared names by kind: 'switch', 'router', 'lsp', 'lrp', 'address_set',
    'port_group', 'ha_chassis_group', 'meter'."""

    by_kind: dict[str, dict[str, Named]] = field(default_factory=dict)

    def get(self, kind: str, name: str) -> Named | None:
        return self.by_kind.get(kind, {}).get(name)

    def has(self, kind: str, name: str) -> bool:
        return name in self.by_kind.get(kind, {})

    def uuid(self, kind: str, name: str) -> str:
        return self.by_kind[kind][name].uuid

    def names(self, kind: str) -> Mapping[str, Named]:
        return self.by_kind.get(kind, {})


# kind, top-level key, OVSDB table, duplicate-check namespace
_TOP: tuple[tuple[str, str, str, str], ...] = (
    ("address_set", "address_sets", "Address_Set", "address_set"),
    ("switch", "switches", "Logical_Switch", "switch"),
    ("router", "routers", "Logical_Router", "router"),
    ("port_group", "port_groups", "Port_Group", "port_group"),
    ("ha_chassis_group", "ha_chassis_groups", "HA_Chassis_Group", "ha_chassis_group"),
    ("meter", "meters", "Meter", "meter"),
)
_PORTS: tuple[tuple[str, str, str], ...] = (
    ("lsp", "switches", "Logical_Switch_Port"),
    ("lrp", "routers", "Logical_Router_Port"),
)


def declare(doc: Mapping[str, Any], report: Reporter) -> Names:
    names = Names()
    namespaces: dict[str, dict[str, Named]] = {}
    for kind, key, table, space in _TOP:
        for i, item in enumerate(doc.get(key) or []):
            _add(names, namespaces, report, kind, space, table, item, (key, i))
    for kind, key, table in _PORTS:
        for where, item in _ports(doc, key):
            _add(names, namespaces, report, kind, "port", table, item, where)
    return names


def _ports(doc: Mapping[str, Any], key: str) -> Iterator[tuple[Where, Mapping[str, Any]]]:
    for i, parent in enumerate(doc.get(key) or []):
        for j, port in enumerate(parent.get("ports") or []):
            yield (key, i, "ports", j), port


def _add(
    names: Names,
    namespaces: dict[str, dict[str, Named]],
    report: Reporter,
    kind: str,
    space: str,
    table: str,
    item: Mapping[str, Any],
    where: Where,
) -> None:
    name = str(item["name"])
    seen = namespaces.setdefault(space, {})
    if name in seen:
        first = report.line(seen[name].where)
        what = "port" if space == "port" else kind.replace("_", " ")
        report.fail((*where, "name"), f"duplicate {what} name {name!r} (first at line {first})")
    named = Named(name, str(item.get("uuid") or row_uuid(table, name)), where)
    seen[name] = named
    names.by_kind.setdefault(kind, {})[name] = named
