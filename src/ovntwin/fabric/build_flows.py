"""`placement:`, `traffic:` and `events:` of a scenario, checked against NB and fabric.

VIF names must be NB logical switch ports of type "" (VMs); traffic endpoints must be
placed VIFs or external hosts; events must name existing chassis / NICs / ToR ports
and happen before `until`. QoS events become the NB QoS rows ML2/OVN writes, and
their order is checked (no update before apply, no apply twice, no remove of nothing).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ovntwin.compiler.addresses import parse_lsp_addresses
from ovntwin.fabric import scenario as sc
from ovntwin.fabric.sourced import SourcedReporter
from ovntwin.fabric.spec import Attachment, FabricSpec, Placement
from ovntwin.fabric.values import Item, Where, duration_us, ip_address, required_duration_us
from ovntwin.model import rows as r
from ovntwin.model.db import NorthboundDB

PING_INTERVAL_US = 1_000_000  # `ping` sends one echo request per second by default
_CHASSIS_ACTIONS: Mapping[str, sc.ChassisAction] = {
    "chassis-crash": "crash",
    "chassis-restart": "restart",
    "ovn-controller-stop": "ovn-controller-stop",
    "ovn-controller-start": "ovn-controller-start",
}
_QOS_ACTIONS: Mapping[str, sc.QoSAction] = {
    "qos-apply": "apply",
    "qos-update": "update",
    "qos-remove": "remove",
}


class FlowsBuilder:
    def __init__(
        self, doc: Item, report: SourcedReporter, nb: NorthboundDB, fabric: FabricSpec
    ) -> None:
        self.doc = doc
        self.report = report
        self.fabric = fabric
        self.switch_of: dict[str, str] = {}  # LSP name -> logical switch name
        self.lsps: dict[str, r.LogicalSwitchPort] = {}
        for ls in nb.rows(r.LogicalSwitch):
            for lsp in nb.resolve(r.LogicalSwitchPort, ls.ports):
                self.switch_of[lsp.name] = ls.name
                self.lsps[lsp.name] = lsp
        self.placement: dict[str, Placement] = {}

    # -- placement -----------------------------------------------------------------

    def placements(self) -> tuple[Placement, ...]:
        for vif, value in (self.doc.get("placement") or {}).items():
            where = ("placement", vif)
            self._vif(str(vif), where)
            item: Mapping[str, Any] = value if isinstance(value, Mapping) else {"chassis": value}
            chassis = str(item["chassis"])
            if self.fabric.chassis_named(chassis) is None:
                self.report.fail(where, f"placement of {vif}: unknown chassis {chassis!r}")
            self.placement[str(vif)] = Placement(
                vif=str(vif),
                chassis=chassis,
                ingress_policing_rate=int(item.get("ingress_policing_rate", 0)),
                ingress_policing_burst=int(item.get("ingress_policing_burst", 0)),
            )
        return tuple(self.placement.values())

    def _vif(self, name: str, where: Where) -> r.LogicalSwitchPort:
        lsp = self.lsps.get(name)
        if lsp is None:
            self.report.fail(where, f"{name!r} is not a logical switch port of the topology")
        if lsp.type != "":
            self.report.fail(where, f"{name!r} is a {lsp.type} port, not a VIF")
        return lsp

    # -- traffic -------------------------------------------------------------------

    def traffic(self) -> tuple[sc.Traffic, ...]:
        out: list[sc.Traffic] = []
        seen: dict[str, int] = {}
        for i, item in enumerate(self.doc.get("traffic") or []):
            where: Where = ("traffic", i)
            name = str(item["name"])
            if name in seen:
                first = self.report.at(("traffic", seen[name]))
                self.report.fail(where, f"duplicate traffic name {name!r} (first at {first})")
            seen[name] = i
            out.append(self._flow(item, where, name))
        return tuple(out)

    def _flow(self, item: Item, where: Where, name: str) -> sc.Traffic:
        source = self._source(str(item["from"]), (*where, "from"))
        dst = self._destination(str(item["to"]), (*where, "to"))
        start = duration_us(item, "start", where, self.report, 0) or 0
        self._before_end(start, where, "start")
        kind = item["type"]
        if kind == "ping":
            interval = duration_us(item, "interval", where, self.report, PING_INTERVAL_US)
            if not interval:
                self.report.fail(where, "interval must be positive")
            return sc.Ping(
                name=name,
                source=source,
                dst_ip=dst,
                start_us=start,
                interval_us=interval,
                count=item.get("count"),
                size=int(item.get("size", 64)),
            )
        stop = duration_us(item, "stop", where, self.report)
        if stop is not None and stop <= start:
            self.report.fail(where, f"stop ({stop} us) is not after start ({start} us)")
        if kind == "udp":
            return sc.UdpFlow(
                name=name,
                source=source,
                dst_ip=dst,
                start_us=start,
                stop_us=stop,
                rate_kbps=int(item["rate_kbps"]),
                size=int(item.get("size", 1400)),
                src_port=int(item.get("src_port", 40000)),
                dst_port=int(item.get("dst_port", 5001)),
            )
        return sc.TcpFlow(
            name=name,
            source=source,
            dst_ip=dst,
            start_us=start,
            stop_us=stop,
            mss=int(item.get("mss", 1460)),
            src_port=int(item.get("src_port", 40001)),
            dst_port=int(item.get("dst_port", 5201)),
        )

    def _source(self, name: str, where: Where) -> str:
        if self.fabric.host(name) is not None:
            return name
        if name not in self.lsps:
            self.report.fail(where, f"{name!r} is neither a VIF of the topology nor a host")
        self._vif(name, where)
        if name not in self.placement:
            self.report.fail(where, f"{name!r} sends traffic but is not placed on a chassis")
        return name

    def _destination(self, text: str, where: Where) -> str:
        host = self.fabric.host(text)
        if host is not None:
            return host.ip
        lsp = self.lsps.get(text)
        if lsp is not None:
            for entry in lsp.addresses:
                parsed = parse_lsp_addresses(entry)
                if parsed is not None and parsed.ipv4_addrs:
                    return parsed.ipv4_addrs[0].addr_s
            self.report.fail(where, f"port {text!r} has no IPv4 address")
        if all(c.isalnum() or c in "-_" for c in text) and not text.isdigit():
            self.report.fail(where, f"{text!r} is neither an IP address, a VIF nor a host")
        return ip_address(text, where, self.report, "to")

    def _before_end(self, at_us: int, where: Where, what: str) -> None:
        if at_us >= self.until_us:
            self.report.fail(
                where, f"{what} ({at_us} us) is not before the end ({self.until_us} us)"
            )

    @property
    def until_us(self) -> int:
        return required_duration_us(self.doc, "until", (), self.report)

    # -- events --------------------------------------------------------------------

    def events(self) -> tuple[sc.Event, ...]:
        timed: list[tuple[int, int, Where]] = []
        for i, item in enumerate(self.doc.get("events") or []):
            where: Where = ("events", i)
            at = required_duration_us(item, "at", where, self.report)
            self._before_end(at, where, "event time")
            timed.append((at, i, where))
        timed.sort(key=lambda t: (t[0], t[1]))
        qos_state: dict[tuple[str, str], Where] = {}
        out: list[sc.Event] = []
        for at, i, where in timed:
            item = self.doc["events"][i]
            out.append(self._event(item, at, where, qos_state))
        return tuple(out)

    def _event(
        self, item: Item, at: int, where: Where, qos: dict[tuple[str, str], Where]
    ) -> sc.Event:
        kind = str(item["type"])
        if kind in _CHASSIS_ACTIONS:
            self._chassis(str(item["chassis"]), (*where, "chassis"))
            return sc.ChassisEvent(at_us=at, action=_CHASSIS_ACTIONS[kind], chassis=item["chassis"])
        if kind in ("nic-down", "nic-up"):
            chassis = self._chassis(str(item["chassis"]), (*where, "chassis"))
            nic = chassis.nic_on(str(item["network"]))
            if nic is None:
                self.report.fail(
                    (*where, "network"), f"{chassis.name} has no NIC on {item['network']!r}"
                )
            return sc.LinkEvent(
                at_us=at, up=kind == "nic-up", attachment=nic.attachment, chassis=chassis.name
            )
        if kind in ("link-down", "link-up"):
            return self._link(item, at, where, kind == "link-up")
        if kind == "overlay-partition":
            return sc.PartitionEvent(at_us=at, groups=self._groups(item["groups"], where))
        if kind == "overlay-heal":
            return sc.PartitionEvent(at_us=at, groups=())
        return self._qos(item, at, where, qos)

    def _chassis(self, name: str, where: Where) -> Any:
        chassis = self.fabric.chassis_named(name)
        if chassis is None:
            self.report.fail(where, f"unknown chassis {name!r}")
        return chassis

    def _link(self, item: Item, at: int, where: Where, up: bool) -> sc.LinkEvent:
        switch, _, port = str(item["port"]).partition(":")
        attachment = Attachment(switch=switch, port=port)
        for chassis in self.fabric.chassis:
            if any(n.attachment == attachment for n in chassis.nics):
                return sc.LinkEvent(at_us=at, up=up, attachment=attachment, chassis=chassis.name)
        for host in self.fabric.hosts:
            if host.attachment == attachment:
                return sc.LinkEvent(at_us=at, up=up, attachment=attachment, host=host.name)
        self.report.fail((*where, "port"), f"nothing is wired to ToR port {attachment}")

    def _groups(self, groups: Any, where: Where) -> tuple[tuple[str, ...], ...]:
        tunnelled = [c.name for c in self.fabric.chassis if c.encap_ip is not None]
        seen: set[str] = set()
        for g, group in enumerate(groups):
            for k, name in enumerate(group):
                at = (*where, "groups", g, k)
                if name not in tunnelled:
                    self.report.fail(at, f"{name!r} is not a chassis on the overlay")
                if name in seen:
                    self.report.fail(at, f"chassis {name} is in two groups")
                seen.add(name)
        missing = [name for name in tunnelled if name not in seen]
        if missing:
            self.report.fail((*where, "groups"), f"chassis {', '.join(missing)} in no group")
        return tuple(tuple(str(n) for n in group) for group in groups)

    def _qos(
        self, item: Item, at: int, where: Where, state: dict[tuple[str, str], Where]
    ) -> sc.QoSEvent:
        action: sc.QoSAction = _QOS_ACTIONS[str(item["type"])]
        port = str(item["port"])
        self._vif(port, (*where, "port"))
        direction: sc.QoSDirection = item.get("direction", "egress")
        key = (port, direction)
        if action == "apply" and key in state:
            first = self.report.at(state[key])
            self.report.fail(
                where,
                f"{port} already has an {direction} QoS rule (applied at {first}); use qos-update",
            )
        if action != "apply" and key not in state:
            self.report.fail(
                where, f"qos-{action}: {port} has no {direction} QoS rule at that time"
            )
        switch = self.switch_of[port]
        uuid = sc.qos_row_uuid(switch, port, direction)
        row = None if action == "remove" else self._qos_row(item, where, uuid, port, direction)
        if action == "remove":
            del state[key]
        else:
            state[key] = where
        return sc.QoSEvent(
            at_us=at,
            action=action,
            port=port,
            switch=switch,
            direction=direction,
            row_uuid=uuid,
            row=row,
        )

    def _qos_row(self, item: Item, where: Where, uuid: str, port: str, direction: str) -> r.QoS:
        rate, burst, dscp = (
            item.get("max_kbps"),
            item.get("max_burst_kbits", 0),
            item.get("dscp_mark"),
        )
        if rate is None and dscp is None:
            self.report.fail(where, "give max_kbps (bandwidth limit) and/or dscp_mark")
        if dscp is not None and direction != "egress":
            self.report.fail((*where, "dscp_mark"), "DSCP marking is egress only (as in Neutron)")
        if burst and rate is None:
            self.report.fail((*where, "max_burst_kbits"), "max_burst_kbits needs max_kbps")
        bandwidth = {} if rate is None else {"rate": int(rate)}
        if burst:  # ML2/OVN writes no burst key when the rule's burst is 0
            bandwidth["burst"] = int(burst)
        egress = direction == "egress"
        return r.QoS(
            uuid=uuid,
            priority=sc.NEUTRON_PORT_QOS_PRIORITY,
            direction="from-lport" if egress else "to-lport",
            match=f'inport == "{port}"' if egress else f'outport == "{port}"',
            action={} if dscp is None else {"dscp": int(dscp)},
            bandwidth=bandwidth,
        )
