"""NorthboundDB: an immutable snapshot of the NB tables, with name and UUID lookups.

Loaders (YAML, OVSDB file, OVSDB remote) build one with `NorthboundDB.build(rows)`.
Reads never mutate; a changed network is a new snapshot.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from ovntwin.errors import NotFound
from ovntwin.model import rows as r
from ovntwin.model.runtime import RuntimeState

R = TypeVar("R", bound=r.Row)

# OVSDB table name for each row class (the order is the order tables are dumped in).
TABLE_NAMES: Mapping[type[r.Row], str] = {
    r.NBGlobal: "NB_Global",
    r.LogicalSwitch: "Logical_Switch",
    r.LogicalSwitchPort: "Logical_Switch_Port",
    r.LogicalRouter: "Logical_Router",
    r.LogicalRouterPort: "Logical_Router_Port",
    r.LogicalRouterStaticRoute: "Logical_Router_Static_Route",
    r.LogicalRouterPolicy: "Logical_Router_Policy",
    r.ACL: "ACL",
    r.PortGroup: "Port_Group",
    r.AddressSet: "Address_Set",
    r.QoS: "QoS",
    r.NAT: "NAT",
    r.GatewayChassis: "Gateway_Chassis",
    r.HAChassis: "HA_Chassis",
    r.HAChassisGroup: "HA_Chassis_Group",
    r.MeterBand: "Meter_Band",
    r.Meter: "Meter",
}


def as_ovsdb_sets(row: R) -> R:
    """`row` with every set column in OVSDB's order (sorted), as northd reads it.

    OVSDB set columns are unordered and the IDL hands them out sorted (uuids by their
    text, strings by strcmp, integers numerically); northd's iteration order, and so
    e.g. ECMP group numbering, follows that. Rows built by hand or from YAML get the
    same order here, so every source behaves like a real NB database.
    """
    changes: dict[str, Any] = {
        f.name: tuple(sorted(value))
        for f in dataclasses.fields(row)
        if isinstance(value := getattr(row, f.name), tuple) and list(value) != sorted(value)
    }
    return dataclasses.replace(row, **changes) if changes else row


@dataclass(frozen=True, slots=True)
class NorthboundDB:
    tables: Mapping[type[r.Row], Mapping[str, r.Row]]
    runtime: RuntimeState = field(default_factory=RuntimeState)

    @classmethod
    def build(cls, rows: Iterable[r.Row], runtime: RuntimeState | None = None) -> NorthboundDB:
        tables: dict[type[r.Row], dict[str, r.Row]] = {t: {} for t in TABLE_NAMES}
        for row in rows:
            tables[type(row)][row.uuid] = as_ovsdb_sets(row)
        return cls(tables, runtime or RuntimeState())

    def rows(self, table: type[R]) -> list[R]:
        """All rows of a table, in insertion order."""
        return list(self.tables.get(table, {}).values())  # type: ignore[arg-type]

    def get(self, table: type[R], uuid: str) -> R:
        try:
            return self.tables[table][uuid]  # type: ignore[return-value]
        except KeyError:
            raise NotFound(f"no {TABLE_NAMES[table]} row with uuid {uuid}") from None

    def resolve(self, table: type[R], uuids: Iterable[str]) -> list[R]:
        """The rows a reference-set column points at (dangling references skipped)."""
        t = self.tables.get(table, {})
        return [t[u] for u in uuids if u in t]  # type: ignore[misc]

    def by_name(self, table: type[R], name: str) -> R | None:
        for row in self.tables.get(table, {}).values():
            if getattr(row, "name", None) == name:
                return row  # type: ignore[return-value]
        return None

    @property
    def nb_global(self) -> r.NBGlobal:
        rows = self.rows(r.NBGlobal)
        return rows[0] if rows else r.NBGlobal(uuid="00000000-0000-0000-0000-000000000000")

    @property
    def options(self) -> Mapping[str, str]:
        return self.nb_global.options
