"""A NorthboundDB (and its runtime facts) as ovn-nbctl / ovn-sbctl command batches.

The inverse of the loaders: it recreates a snapshot in a real OVN database, which is
how the differential tests feed real northd the very topology ovntwin compiles.

- `nbctl_commands(nb)`: generic `create` commands, one per row, each keeping the
  row's own UUID (`--id=UUID`), so references are plain UUIDs and the real NB holds
  the same rows, UUIDs included. Run them as one transaction with `join_batch`.
- `tunnel_key_commands(...)`: pin datapath / port tunnel keys with
  `requested-tnl-key` (LS other_config, LR options, LSP/LRP options).
- `sbctl_commands(runtime)`: chassis, port bindings and `up` (what ovn-controller
  would write). `learned_commands(runtime, index)`: MAC_Binding and FDB rows, which
  need the southbound's datapath UUIDs and tunnel keys (`SbIndex`), so they run after
  northd has synced.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields

from ovntwin.errors import LoadError
from ovntwin.model import rows as r
from ovntwin.model.db import TABLE_NAMES, NorthboundDB
from ovntwin.model.runtime import RuntimeState

Command = list[str]

# Columns whose values are UUIDs of other NB rows (written bare, never quoted).
_REFERENCES: Mapping[type[r.Row], Mapping[str, type[r.Row]]] = {
    r.LogicalSwitch: {"ports": r.LogicalSwitchPort, "acls": r.ACL, "qos_rules": r.QoS},
    r.LogicalSwitchPort: {"ha_chassis_group": r.HAChassisGroup},
    r.LogicalRouter: {
        "ports": r.LogicalRouterPort,
        "static_routes": r.LogicalRouterStaticRoute,
        "policies": r.LogicalRouterPolicy,
        "nat": r.NAT,
    },
    r.LogicalRouterPort: {
        "gateway_chassis": r.GatewayChassis,
        "ha_chassis_group": r.HAChassisGroup,
    },
    r.PortGroup: {"ports": r.LogicalSwitchPort, "acls": r.ACL},
    r.NAT: {
        "allowed_ext_ips": r.AddressSet,
        "exempted_ext_ips": r.AddressSet,
        "gateway_port": r.LogicalRouterPort,
    },
    r.HAChassisGroup: {"ha_chassis": r.HAChassis},
    r.Meter: {"bands": r.MeterBand},
}

# Columns the model carries but this module cannot write (no modelled table behind them).
_UNWRITABLE = frozenset({"load_balancer"})


def quote(value: str) -> str:
    """An OVSDB string atom in ctl syntax (JSON string escaping is accepted)."""
    return json.dumps(value, ensure_ascii=False)


def _atom(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return quote(value)
    raise LoadError(f"nbctl: cannot write value {value!r}")


def _map_value(value: Mapping[str, object]) -> str:
    return "{" + ",".join(f"{quote(k)}={_atom(v)}" for k, v in value.items()) + "}"


def _column_value(nb: NorthboundDB, table: type[r.Row], column: str, value: object) -> str | None:
    """`column=value` text, or None when the column stays at its default (empty)."""
    target = _REFERENCES.get(table, {}).get(column)
    if target is not None:
        refs = value if isinstance(value, tuple) else (value,) if value else ()
        live = [u for u in refs if u in nb.tables.get(target, {})]
        return f"{column}=[{','.join(live)}]" if live else None
    if value is None:
        return None
    if isinstance(value, tuple):
        return f"{column}=[{','.join(_atom(v) for v in value)}]" if value else None
    if isinstance(value, Mapping):
        return f"{column}={_map_value(value)}" if value else None
    return f"{column}={_atom(value)}"


def _row_settings(nb: NorthboundDB, row: r.Row) -> list[str]:
    out = []
    for f in fields(row):
        if f.name == "uuid" or f.name in _UNWRITABLE:
            continue
        text = _column_value(nb, type(row), f.name, getattr(row, f.name))
        if text is not None:
            out.append(text)
    return out


def _nb_global(row: r.NBGlobal) -> list[Command]:
    # NB_Global already exists (the harness pins mac_prefix before northd starts):
    # merge keys instead of replacing the maps.
    sets = [f"options:{quote(k)}={quote(v)}" for k, v in row.options.items()]
    sets += [f"external_ids:{quote(k)}={quote(v)}" for k, v in row.external_ids.items()]
    if row.name:
        sets.append(f"name={quote(row.name)}")
    return [["set", "NB_Global", ".", *sets]] if sets else []


def nbctl_commands(nb: NorthboundDB) -> list[Command]:
    """ovn-nbctl commands that create every row of `nb` with its own UUID."""
    commands: list[Command] = []
    for table, name in TABLE_NAMES.items():
        for row in nb.rows(table):
            if isinstance(row, r.NBGlobal):
                commands.extend(_nb_global(row))
            else:
                commands.append([f"--id={row.uuid}", "create", name, *_row_settings(nb, row)])
    return commands


def join_batch(commands: Iterable[Sequence[str]]) -> list[str]:
    """Arguments for one ovn-nbctl/ovn-sbctl invocation running all `commands`."""
    args: list[str] = []
    for command in commands:
        args.extend(["--", *command])
    return args


def tunnel_key_commands(
    nb: NorthboundDB, datapath_keys: Mapping[str, int], port_keys: Mapping[str, int]
) -> list[Command]:
    """Pin tunnel keys (by datapath / port name) with `requested-tnl-key`."""
    commands: list[Command] = []
    for ls in nb.rows(r.LogicalSwitch):
        if ls.name in datapath_keys:
            key = f"other_config:requested-tnl-key={datapath_keys[ls.name]}"
            commands.append(["set", "Logical_Switch", ls.uuid, key])
    for lr in nb.rows(r.LogicalRouter):
        if lr.name in datapath_keys:
            key = f"options:requested-tnl-key={datapath_keys[lr.name]}"
            commands.append(["set", "Logical_Router", lr.uuid, key])
    ports: list[tuple[str, r.LogicalSwitchPort | r.LogicalRouterPort]] = [
        ("Logical_Switch_Port", p) for p in nb.rows(r.LogicalSwitchPort)
    ]
    ports += [("Logical_Router_Port", p) for p in nb.rows(r.LogicalRouterPort)]
    for tname, port in ports:
        if port.name in port_keys:
            key = f"options:requested-tnl-key={port_keys[port.name]}"
            commands.append(["set", tname, port.uuid, key])
    return commands


def runtime_tunnel_keys(runtime: RuntimeState) -> tuple[dict[str, int], dict[str, int]]:
    """The (datapath, port) tunnel keys a runtime section asks for."""
    ports = {n: p.tunnel_key for n, p in runtime.ports.items() if p.tunnel_key}
    return dict(runtime.datapath_keys), ports


def sbctl_commands(runtime: RuntimeState) -> list[Command]:
    """ovn-sbctl commands for chassis and port bindings (run after northd synced)."""
    commands: list[Command] = []
    for ch in runtime.chassis:
        encap = ch.encaps[0] if ch.encaps else None
        commands.append(
            [
                "chassis-add",
                ch.name,
                encap.type if encap else "geneve",
                encap.ip if encap else "127.0.0.1",
            ]
        )
        sets = [f"hostname={quote(ch.hostname)}"] if ch.hostname else []
        if ch.other_config:
            sets.append(f"other_config={_map_value(ch.other_config)}")
        if ch.external_ids:
            sets.append(f"external_ids={_map_value(ch.external_ids)}")
        if sets:
            commands.append(["set", "Chassis", ch.name, *sets])
    for name, port in runtime.ports.items():
        if port.chassis:
            commands.append(["lsp-bind", name, port.chassis])
        if port.up is not None:
            commands.append(["set", "Port_Binding", name, f"up={_atom(port.up)}"])
    return commands


@dataclass(frozen=True, slots=True)
class SbIndex:
    """What learned rows need from a live southbound: datapath UUIDs and tunnel keys."""

    datapath_uuids: Mapping[str, str]  # datapath name -> Datapath_Binding UUID
    datapath_keys: Mapping[str, int]  # datapath name -> tunnel key
    port_datapaths: Mapping[str, str]  # logical port -> datapath name
    port_keys: Mapping[str, int]  # logical port -> tunnel key


def learned_commands(runtime: RuntimeState, index: SbIndex) -> list[Command]:
    """ovn-sbctl commands creating MAC_Binding and FDB rows."""
    commands: list[Command] = []
    for mb in runtime.mac_bindings:
        dp = mb.datapath or index.port_datapaths.get(mb.logical_port)
        if dp is None or dp not in index.datapath_uuids:
            raise LoadError(f"MAC binding on unknown port {mb.logical_port!r}")
        commands.append(
            [
                "create",
                "MAC_Binding",
                f"logical_port={quote(mb.logical_port)}",
                f"ip={quote(mb.ip)}",
                f"mac={quote(mb.mac)}",
                f"datapath={index.datapath_uuids[dp]}",
            ]
        )
    for fdb in runtime.fdb:
        if fdb.datapath not in index.datapath_keys or fdb.port not in index.port_keys:
            raise LoadError(f"FDB entry on unknown datapath/port {fdb.datapath}/{fdb.port}")
        commands.append(
            [
                "create",
                "FDB",
                f"mac={quote(fdb.mac)}",
                f"dp_key={index.datapath_keys[fdb.datapath]}",
                f"port_key={index.port_keys[fdb.port]}",
            ]
        )
    return commands
