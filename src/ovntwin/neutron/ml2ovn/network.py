"""Network -> Logical_Switch `neutron-<id>` plus one localnet port per physnet segment."""

from __future__ import annotations

from ovntwin.model import rows as r
from ovntwin.neutron.ml2ovn import names as n
from ovntwin.neutron.resources import Network, Segment


def logical_switch(net: Network, ports: tuple[str, ...], qos: tuple[str, ...]) -> r.LogicalSwitch:
    ext = {
        n.NETWORK_NAME: net.name,
        n.MTU: str(net.mtu),
        n.REVISION: str(net.revision_number),
        n.AZ_HINTS: ",".join(net.availability_zone_hints),
    }
    if net.network_type:
        ext[n.NETTYPE] = net.network_type
    if net.physical_network:
        ext[n.PHYSNET] = net.physical_network
    other = {"mcast_snoop": "false", "mcast_flood_unregistered": "false", "vlan-passthru": "false"}
    if net.physical_network:
        other["fdb_age_threshold"] = "0"
    # The row UUID is the network id, as neutron does on OVS with persist_uuid support.
    return r.LogicalSwitch(
        uuid=net.id, name=n.ls(net.id), ports=ports, qos_rules=qos,
        other_config=other, external_ids=ext,
    )  # fmt: skip


def localnet_ports(net: Network) -> list[r.LogicalSwitchPort]:
    return [_localnet(seg) for seg in net.segments if seg.physical_network]


def _localnet(seg: Segment) -> r.LogicalSwitchPort:
    assert seg.physical_network is not None
    options = {
        "network_name": seg.physical_network,
        "mcast_flood": "false",
        "mcast_flood_reports": "true",
        "localnet_learn_fdb": "false",
    }
    # Neutron writes tag_request; northd copies it to tag, which the compiler reads.
    tag = seg.segmentation_id if seg.network_type == "vlan" else None
    return r.LogicalSwitchPort(
        uuid=n.row_uuid("Logical_Switch_Port", n.localnet(seg.id)),
        name=n.localnet(seg.id), type="localnet", addresses=("unknown",),
        tag_request=tag, tag=tag, options=options,
        external_ids={n.PHYSNET: seg.physical_network},
    )  # fmt: skip
