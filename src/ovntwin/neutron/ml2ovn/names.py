"""OVN names, external_ids keys and row UUIDs ML2/OVN uses for Neutron objects."""

from __future__ import annotations

import uuid

# external_ids keys (neutron/common/ovn/constants.py spells them the same way).
NETWORK_NAME = "neutron:network_name"
PORT_NAME = "neutron:port_name"
ROUTER_NAME = "neutron:router_name"
REVISION = "neutron:revision_number"
MTU = "neutron:mtu"
AZ_HINTS = "neutron:availability_zone_hints"
NETTYPE = "neutron:provnet-network-type"
PHYSNET = "neutron:provnet-physical-network"
CIDRS = "neutron:cidrs"
DEVICE_ID = "neutron:device_id"
DEVICE_OWNER = "neutron:device_owner"
PROJECT_ID = "neutron:project_id"
SG_IDS = "neutron:security_group_ids"
HOST_ID = "neutron:host_id"
VNIC_TYPE = "neutron:vnic_type"
PORT_FIP = "neutron:port_fip"
SG_ID = "neutron:security_group_id"
SG_RULE_ID = "neutron:security_group_rule_id"
SUBNET_IDS = "neutron:subnet_ids"
IS_EXT_GW = "neutron:is_ext_gw"
FIP_ID = "neutron:fip_id"
FIP_PORT_ID = "neutron:fip_port_id"
FIP_EXTERNAL_MAC = "neutron:fip_external_mac"
FIP_NETWORK_ID = "neutron:fip_network_id"
PORT_ID = "neutron:port_id"
ROUTER_ID = "neutron:router_id"

PG_DROP = "neutron_pg_drop"
ROUTER_INTERFACE = "network:router_interface"
ROUTER_GATEWAY = "network:router_gateway"
FLOATINGIP = "network:floatingip"

_NAMESPACE = uuid.UUID("6e657574-726f-6e2d-6d6c-326f766e0000")


def ls(network_id: str) -> str:
    return f"neutron-{network_id}"


def localnet(segment_id: str) -> str:
    return f"provnet-{segment_id}"


def lr(router_id: str) -> str:
    return f"neutron-{router_id}"


def lrp(port_id: str) -> str:
    return f"lrp-{port_id}"


def pg(sg_id: str) -> str:
    return f"pg_{sg_id.replace('-', '_')}"


def gateway_chassis(port_id: str, chassis: str) -> str:
    return f"{lrp(port_id)}_{chassis}"


def row_uuid(table: str, *key: str) -> str:
    """A stable UUID for a row that has no Neutron id of its own (uuid5 of table + key)."""
    return str(uuid.uuid5(_NAMESPACE, "\0".join((table, *key))))
