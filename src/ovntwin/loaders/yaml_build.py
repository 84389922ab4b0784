"""Second pass over a validated topology: NB rows with UUID references.

Rows are emitted children first (ACLs before their switch, ports before their
router...), in document order. Every reference by name is checked here and turned
into the referenced row's UUID; each failure names the line of the offending key.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ovntwin.loaders.uuids import row_uuid
from ovntwin.loaders.yaml_lines import Reporter
from ovntwin.loaders.yaml_names import Names, Where
from ovntwin.loaders.yaml_values import (
    is_mac,
    match_references,
    nat_address_problem,
    network_problem,
    strings,
    strmap,
)
from ovntwin.model import rows as r

Item = Mapping[str, Any]


class RowBuilder:
    def __init__(self, doc: Item, names: Names, report: Reporter) -> None:
        self.doc = doc
        self.names = names
        self.report = report
        self.rows: list[r.Row] = []
        self._uuids: dict[str, Where] = {}

    def build(self) -> list[r.Row]:
        self._nb_global()
        self._each("address_sets", self._address_set)
        self._each("ha_chassis_groups", self._ha_chassis_group)
        self._each("meters", self._meter)
        self._each("switches", self._switch)
        self._each("routers", self._router)
        self._each("port_groups", self._port_group)
        return self.rows

    # -- plumbing ---------------------------------------------------------------

    def _each(self, key: str, build: Any) -> None:
        for i, item in enumerate(self.doc.get(key) or []):
            build(item, (key, i))

    def _add(self, row: r.Row, where: Where) -> str:
        first = self._uuids.get(row.uuid)
        if first is not None:
            line = self.report.line(first)
            self.report.fail((*where, "uuid"), f"duplicate uuid {row.uuid} (first at line {line})")
        self._uuids[row.uuid] = where
        self.rows.append(row)
        return row.uuid

    def _uuid(self, item: Item, table: str, *parts: str | int) -> str:
        return str(item.get("uuid") or row_uuid(table, *parts))

    def _ref(self, kind: str, name: str | None, where: Where, what: str) -> str | None:
        """The UUID of the `kind` row called `name` (None stays None)."""
        if name is None:
            return None
        named = self.names.get(kind, name)
        if named is None:
            self.report.fail(where, f"unknown {what} {name!r}")
        return named.uuid

    def _check_match(self, match: str, where: Where) -> None:
        for sigil, name in match_references(match):
            if sigil == "@" and not self.names.has("port_group", name):
                self.report.fail(where, f"match refers to unknown port group @{name}")
            if sigil == "$" and not self._is_address_set(name):
                self.report.fail(where, f"match refers to unknown address set ${name}")

    def _is_address_set(self, name: str) -> bool:
        # northd also makes <port group>_ip4 / _ip6 address sets from port addresses.
        if self.names.has("address_set", name):
            return True
        base, _, family = name.rpartition("_")
        return family in ("ip4", "ip6") and self.names.has("port_group", base)

    # -- global tables ----------------------------------------------------------

    def _nb_global(self) -> None:
        item = self.doc.get("nb_global") or {}
        row = r.NBGlobal(
            uuid=self._uuid(item, "NB_Global", ""),
            name=str(item.get("name", "")),
            options=strmap(item.get("options")),
            external_ids=strmap(item.get("external_ids")),
        )
        self._add(row, ("nb_global",))

    def _address_set(self, item: Item, where: Where) -> None:
        name = str(item["name"])
        row = r.AddressSet(
            uuid=self.names.uuid("address_set", name),
            name=name,
            addresses=strings(item.get("addresses")),
            external_ids=strmap(item.get("external_ids")),
        )
        self._add(row, where)

    def _ha_chassis_group(self, item: Item, where: Where) -> None:
        name = str(item["name"])
        members = []
        for i, ha in enumerate(item.get("ha_chassis") or []):
            member = r.HAChassis(
                uuid=self._uuid(ha, "HA_Chassis", "HA_Chassis_Group", name, i),
                chassis_name=str(ha["chassis_name"]),
                priority=int(ha.get("priority", 0)),
                external_ids=strmap(ha.get("external_ids")),
            )
            members.append(self._add(member, (*where, "ha_chassis", i)))
        group = r.HAChassisGroup(
            uuid=self.names.uuid("ha_chassis_group", name),
            name=name,
            ha_chassis=tuple(members),
            external_ids=strmap(item.get("external_ids")),
        )
        self._add(group, where)

    def _meter(self, item: Item, where: Where) -> None:
        name = str(item["name"])
        bands = []
        for i, band in enumerate(item.get("bands") or []):
            row = r.MeterBand(
                uuid=self._uuid(band, "Meter_Band", "Meter", name, i),
                action=str(band.get("action", "drop")),
                rate=int(band["rate"]),
                burst_size=int(band.get("burst_size", 0)),
                external_ids=strmap(band.get("external_ids")),
            )
            bands.append(self._add(row, (*where, "bands", i)))
        meter = r.Meter(
            uuid=self.names.uuid("meter", name),
            name=name,
            unit=str(item.get("unit", "kbps")),
            bands=tuple(bands),
            fair=item.get("fair"),
            external_ids=strmap(item.get("external_ids")),
        )
        self._add(meter, where)

    # -- ACLs and QoS (shared by switches and port groups) -----------------------

    def _acls(self, item: Item, where: Where, parent_table: str) -> tuple[str, ...]:
        uuids = []
        for i, acl in enumerate(item.get("acls") or []):
            at = (*where, "acls", i)
            self._check_match(str(acl["match"]), (*at, "match"))
            row = r.ACL(
                uuid=self._uuid(acl, "ACL", parent_table, str(item["name"]), i),
                priority=int(acl["priority"]),
                direction=str(acl["direction"]),
                match=str(acl["match"]),
                action=str(acl["action"]),
                name=acl.get("name"),
                log=bool(acl.get("log", False)),
                severity=acl.get("severity"),
                meter=acl.get("meter"),
                label=int(acl.get("label", 0)),
                options=strmap(acl.get("options")),
                external_ids=strmap(acl.get("external_ids")),
            )
            uuids.append(self._add(row, at))
        return tuple(uuids)

    def _qos_rules(self, item: Item, where: Where) -> tuple[str, ...]:
        uuids = []
        for i, qos in enumerate(item.get("qos_rules") or []):
            at = (*where, "qos_rules", i)
            self._check_match(str(qos["match"]), (*at, "match"))
            row = r.QoS(
                uuid=self._uuid(qos, "QoS", "Logical_Switch", str(item["name"]), i),
                priority=int(qos["priority"]),
                direction=str(qos["direction"]),
                match=str(qos["match"]),
                action={str(k): int(v) for k, v in (qos.get("action") or {}).items()},
                bandwidth={str(k): int(v) for k, v in (qos.get("bandwidth") or {}).items()},
                external_ids=strmap(qos.get("external_ids")),
            )
            uuids.append(self._add(row, at))
        return tuple(uuids)

    # -- switches ---------------------------------------------------------------

    def _switch(self, item: Item, where: Where) -> None:
        name = str(item["name"])
        ports = tuple(
            self._switch_port(port, (*where, "ports", i))
            for i, port in enumerate(item.get("ports") or [])
        )
        acls = self._acls(item, where, "Logical_Switch")
        qos = self._qos_rules(item, where)
        row = r.LogicalSwitch(
            uuid=self.names.uuid("switch", name),
            name=name,
            ports=ports,
            acls=acls,
            qos_rules=qos,
            other_config=strmap(item.get("other_config")),
            external_ids=strmap(item.get("external_ids")),
        )
        self._add(row, where)

    def _switch_port(self, port: Item, where: Where) -> str:
        name = str(port["name"])
        group = port.get("ha_chassis_group")
        row = r.LogicalSwitchPort(
            uuid=self.names.uuid("lsp", name),
            name=name,
            type=str(port.get("type", "")),
            options=strmap(port.get("options")),
            parent_name=port.get("parent_name"),
            tag_request=port.get("tag_request"),
            tag=port.get("tag"),
            addresses=strings(port.get("addresses")),
            dynamic_addresses=port.get("dynamic_addresses"),
            port_security=strings(port.get("port_security")),
            up=port.get("up"),
            enabled=port.get("enabled"),
            ha_chassis_group=self._ref(
                "ha_chassis_group", group, (*where, "ha_chassis_group"), "HA chassis group"
            ),
            external_ids=strmap(port.get("external_ids")),
        )
        # A router-type LSP whose options:router-port names no LRP is kept, as OVN
        # keeps it (northd just leaves it unpeered).
        return self._add(row, where)

    # -- routers ----------------------------------------------------------------

    def _router(self, item: Item, where: Where) -> None:
        name = str(item["name"])
        ports = tuple(
            self._router_port(port, (*where, "ports", i))
            for i, port in enumerate(item.get("ports") or [])
        )
        row = r.LogicalRouter(
            uuid=self.names.uuid("router", name),
            name=name,
            ports=ports,
            static_routes=self._static_routes(item, where),
            policies=self._policies(item, where),
            enabled=item.get("enabled"),
            nat=self._nats(item, where),
            options=strmap(item.get("options")),
            external_ids=strmap(item.get("external_ids")),
        )
        self._add(row, where)

    def _router_port(self, port: Item, where: Where) -> str:
        name = str(port["name"])
        mac = str(port["mac"])
        if not is_mac(mac):
            self.report.fail((*where, "mac"), f"router port {name}: bad MAC address {mac!r}")
        networks = strings(port.get("networks"))
        for i, network in enumerate(networks):
            problem = network_problem(network)
            if problem is not None:
                at = (*where, "networks", i) if isinstance(port["networks"], list) else ()
                self.report.fail(at or (*where, "networks"), f"router port {name}: {problem}")
        group = port.get("ha_chassis_group")
        row = r.LogicalRouterPort(
            uuid=self.names.uuid("lrp", name),
            name=name,
            mac=mac,
            networks=networks,
            peer=port.get("peer"),
            enabled=port.get("enabled"),
            gateway_chassis=self._gateway_chassis(port, where),
            ha_chassis_group=self._ref(
                "ha_chassis_group", group, (*where, "ha_chassis_group"), "HA chassis group"
            ),
            options=strmap(port.get("options")),
            ipv6_ra_configs=strmap(port.get("ipv6_ra_configs")),
            ipv6_prefix=strings(port.get("ipv6_prefix")),
            external_ids=strmap(port.get("external_ids")),
        )
        return self._add(row, where)

    def _gateway_chassis(self, port: Item, where: Where) -> tuple[str, ...]:
        uuids = []
        for i, gw in enumerate(port.get("gateway_chassis") or []):
            chassis = str(gw["chassis_name"])
            name = str(gw.get("name") or f"{port['name']}-{chassis}")
            row = r.GatewayChassis(
                uuid=self._uuid(gw, "Gateway_Chassis", name),
                name=name,
                chassis_name=chassis,
                priority=int(gw.get("priority", 0)),
                options=strmap(gw.get("options")),
                external_ids=strmap(gw.get("external_ids")),
            )
            uuids.append(self._add(row, (*where, "gateway_chassis", i)))
        return tuple(uuids)

    def _static_routes(self, item: Item, where: Where) -> tuple[str, ...]:
        uuids = []
        for i, route in enumerate(item.get("static_routes") or []):
            row = r.LogicalRouterStaticRoute(
                uuid=self._uuid(route, "Logical_Router_Static_Route", str(item["name"]), i),
                ip_prefix=str(route["ip_prefix"]),
                nexthop=str(route["nexthop"]),
                route_table=str(route.get("route_table", "")),
                policy=route.get("policy"),
                output_port=route.get("output_port"),
                options=strmap(route.get("options")),
                external_ids=strmap(route.get("external_ids")),
            )
            uuids.append(self._add(row, (*where, "static_routes", i)))
        return tuple(uuids)

    def _policies(self, item: Item, where: Where) -> tuple[str, ...]:
        uuids = []
        for i, policy in enumerate(item.get("policies") or []):
            at = (*where, "policies", i)
            self._check_match(str(policy["match"]), (*at, "match"))
            row = r.LogicalRouterPolicy(
                uuid=self._uuid(policy, "Logical_Router_Policy", str(item["name"]), i),
                priority=int(policy["priority"]),
                match=str(policy["match"]),
                action=str(policy["action"]),
                nexthop=policy.get("nexthop"),
                nexthops=strings(policy.get("nexthops")),
                options=strmap(policy.get("options")),
                external_ids=strmap(policy.get("external_ids")),
            )
            uuids.append(self._add(row, at))
        return tuple(uuids)

    def _nats(self, item: Item, where: Where) -> tuple[str, ...]:
        uuids = []
        for i, nat in enumerate(item.get("nat") or []):
            at = (*where, "nat", i)
            self._check_nat(nat, at)
            row = r.NAT(
                uuid=self._uuid(nat, "NAT", str(item["name"]), i),
                type=str(nat["type"]),
                external_ip=str(nat["external_ip"]),
                logical_ip=str(nat["logical_ip"]),
                external_mac=nat.get("external_mac"),
                external_port_range=str(nat.get("external_port_range", "")),
                logical_port=nat.get("logical_port"),
                allowed_ext_ips=self._ref(
                    "address_set",
                    nat.get("allowed_ext_ips"),
                    (*at, "allowed_ext_ips"),
                    "address set",
                ),
                exempted_ext_ips=self._ref(
                    "address_set",
                    nat.get("exempted_ext_ips"),
                    (*at, "exempted_ext_ips"),
                    "address set",
                ),
                gateway_port=self._ref(
                    "lrp", nat.get("gateway_port"), (*at, "gateway_port"), "router port"
                ),
                options=strmap(nat.get("options")),
                external_ids=strmap(nat.get("external_ids")),
            )
            uuids.append(self._add(row, at))
        return tuple(uuids)

    def _check_nat(self, nat: Item, at: Where) -> None:
        """The checks northd makes before it uses a NAT row (it skips bad rows with a warning)."""
        for key in ("external_ip", "logical_ip"):
            problem = nat_address_problem(str(nat[key]), allow_network=key == "logical_ip")
            if problem is not None:
                self.report.fail((*at, key), f"NAT {key}: {problem}")
        mac = nat.get("external_mac")
        if mac is not None and not is_mac(str(mac)):
            self.report.fail((*at, "external_mac"), f"NAT external_mac: bad MAC address {mac!r}")
        port = nat.get("logical_port")
        if port is not None and not self.names.has("lsp", str(port)):
            self.report.fail(
                (*at, "logical_port"), f"NAT logical_port: unknown switch port {port!r}"
            )

    # -- port groups ------------------------------------------------------------

    def _port_group(self, item: Item, where: Where) -> None:
        name = str(item["name"])
        members = []
        for i, member in enumerate(item.get("ports") or []):
            at = (*where, "ports", i)
            if self.names.has("lrp", member):
                self.report.fail(
                    at, f"port group {name}: {member!r} is a router port, not a switch port"
                )
            if not self.names.has("lsp", member):
                self.report.fail(at, f"port group {name}: unknown logical switch port {member!r}")
            members.append(self.names.uuid("lsp", member))
        row = r.PortGroup(
            uuid=self.names.uuid("port_group", name),
            name=name,
            ports=tuple(members),
            acls=self._acls(item, where, "Port_Group"),
            external_ids=strmap(item.get("external_ids")),
        )
        self._add(row, where)
