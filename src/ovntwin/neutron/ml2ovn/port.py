"""Port -> Logical_Switch_Port named by the port id (router ports become type=router)."""

from __future__ import annotations

import ipaddress

from ovntwin.model import rows as r
from ovntwin.neutron.ml2ovn import names as n
from ovntwin.neutron.ml2ovn import qos
from ovntwin.neutron.resources import NeutronState, Port


def has_lsp(port: Port) -> bool:
    """FIP ports exist only in Neutron's IPAM; ML2/OVN writes no LSP for them."""
    return port.device_owner != n.FLOATINGIP


def is_trusted(port: Port) -> bool:
    """network:* owners (router, DHCP, ...) get no port security and no drop group."""
    return port.device_owner.startswith("network:")


def port_security_on(port: Port) -> bool:
    return port.port_security_enabled and not is_trusted(port)


def cidrs(state: NeutronState, port: Port) -> list[str]:
    out = []
    for fip in port.fixed_ips:
        subnet = state.subnet(fip.subnet_id)
        plen = ipaddress.ip_network(subnet.cidr).prefixlen if subnet else 32
        out.append(f"{fip.ip_address}/{plen}")
    return out


def logical_switch_port(state: NeutronState, port: Port) -> r.LogicalSwitchPort:
    if port.device_owner in (n.ROUTER_INTERFACE, n.ROUTER_GATEWAY):
        addresses: tuple[str, ...] = ("router",)
        security: tuple[str, ...] = ()
        kind, options = "router", _router_options(port)
    else:
        addresses, security = _addresses(port)
        kind, options = "", _vm_options(state, port)
    return r.LogicalSwitchPort(
        uuid=n.row_uuid("Logical_Switch_Port", port.id), name=port.id, type=kind,
        addresses=addresses, port_security=security, options=options,
        enabled=port.admin_state_up, external_ids=_external_ids(state, port),
    )  # fmt: skip


def _addresses(port: Port) -> tuple[tuple[str, ...], tuple[str, ...]]:
    ips = [f.ip_address for f in port.fixed_ips]
    same_mac = [
        a.ip_address for a in port.allowed_address_pairs if a.mac_address == port.mac_address
    ]
    other = [a for a in port.allowed_address_pairs if a.mac_address != port.mac_address]
    addresses = [" ".join([port.mac_address, *ips])]
    if not port_security_on(port):
        # Without port security any MAC may be used behind the port.
        return (*addresses, "unknown"), ()
    security = [" ".join([port.mac_address, *ips, *same_mac])]
    for pair in other:
        security.append(f"{pair.mac_address} {pair.ip_address}")
        if pair.mac_address not in addresses:
            addresses.append(pair.mac_address)
    return tuple(addresses), tuple(security)


def _vm_options(state: NeutronState, port: Port) -> dict[str, str]:
    options = {"requested-chassis": port.binding_host_id} if port.binding_host_id else {}
    return options | qos.lsp_options(state, port)


def _router_options(port: Port) -> dict[str, str]:
    options = {"router-port": n.lrp(port.id)}
    if port.device_owner == n.ROUTER_GATEWAY:
        options |= {"nat-addresses": "router", "exclude-lb-vips-from-garp": "true"}
    return options


def _external_ids(state: NeutronState, port: Port) -> dict[str, str]:
    ext = {
        n.PORT_NAME: port.name,
        n.DEVICE_ID: port.device_id,
        n.PROJECT_ID: port.project_id,
        n.CIDRS: " ".join(cidrs(state, port)),
        n.DEVICE_OWNER: port.device_owner,
        n.NETWORK_NAME: n.ls(port.network_id),
        n.SG_IDS: " ".join(port.security_groups),
        n.REVISION: str(port.revision_number),
        n.VNIC_TYPE: port.binding_vnic_type,
    }
    if port.binding_host_id:
        ext[n.HOST_ID] = port.binding_host_id
    fip = next((f for f in state.floatingips if f.port_id == port.id), None)
    if fip is not None:
        ext[n.PORT_FIP] = fip.floating_ip_address
    return ext
