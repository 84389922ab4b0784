"""Deterministic row UUIDs for topologies that do not give them.

A named row's UUID is uuid5(NAMESPACE, "<table>/<name>"); a nameless row's (ACL,
route, policy, NAT, HA_Chassis, Meter_Band, QoS) is uuid5(NAMESPACE,
"<table>/<parent table>/<parent name>/<index>"). Loading the same file twice
therefore gives the same UUIDs, and editing one row changes no other row's UUID
(except the indexes of later siblings).
"""

from __future__ import annotations

import uuid

# Fixed namespace for ovntwin's uuid5s (itself uuid5 of the DNS namespace and "ovntwin").
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_DNS, "ovntwin")


def row_uuid(table: str, *parts: str | int) -> str:
    """The UUID of the row of `table` identified by `parts` (a name, or parent + index)."""
    key = "/".join([table, *(str(p) for p in parts)])
    return str(uuid.uuid5(NAMESPACE, key))
