"""IP address management for ports, in the manner of Neutron's pluggable IPAM (neutrondb_ipam).

Pure functions over subnets and the addresses already taken: first free address in the
allocation pools, validation of requested addresses, SLAAC addresses from the MAC (EUI-64).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ovntwin.api.errors import BadRequest, Conflict

AUTO_ADDRESS_MODES = ("slaac", "dhcpv6-stateless")


@dataclass(frozen=True)
class Subnet:
    id: str
    cidr: str
    ip_version: int
    gateway_ip: str | None
    pools: tuple[tuple[int, int], ...]
    address_mode: str | None

    @property
    def network(self) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
        return ipaddress.ip_network(self.cidr)

    @property
    def auto_address(self) -> bool:
        return self.ip_version == 6 and self.address_mode in AUTO_ADDRESS_MODES


def subnet_of(row: Any) -> Subnet:
    pools = tuple(
        (int(ipaddress.ip_address(p["start"])), int(ipaddress.ip_address(p["end"])))
        for p in row.allocation_pools
    )
    return Subnet(row.id, row.cidr, row.ip_version, row.gateway_ip, pools, row.ipv6_address_mode)


def valid_for_subnet(subnet: Subnet, address: str) -> bool:
    ip = ipaddress.ip_address(address)
    net = subnet.network
    if ip not in net:
        return False
    if net.version == 4 and net.prefixlen < 31:  # network and broadcast addresses are unusable
        return ip not in (net.network_address, net.broadcast_address)
    return True


def eui64(subnet: Subnet, mac: str) -> str:
    octets = [int(x, 16) for x in mac.split(":")]
    octets[0] ^= 0x02
    iid = bytes(octets[:3] + [0xFF, 0xFE] + octets[3:])
    return str(ipaddress.ip_address(int(subnet.network.network_address) | int.from_bytes(iid)))


def first_free(subnet: Subnet, taken: set[str]) -> str:
    used = {int(ipaddress.ip_address(a)) for a in taken}
    for low, high in subnet.pools:
        for value in range(low, high + 1):
            if value not in used:
                return str(ipaddress.ip_address(value))
            if value - low > 1 << 20:  # very large IPv6 pools: give up scanning a full one
                break
    raise Conflict(
        f"No more IP addresses available for subnet {subnet.id}.",
        type_name="IpAddressGenerationFailure",
    )


def _invalid_ip(address: str, where: str) -> BadRequest:
    kind = "InvalidIpForSubnet" if where == "subnet" else "InvalidIpForNetwork"
    target = (
        "the specified subnet"
        if where == "subnet"
        else "any of the subnets on the specified network"
    )
    return BadRequest(f"IP address {address} is not a valid IP for {target}.", type_name=kind)


def _find_subnet(subnets: list[Subnet], request: dict[str, Any], network_id: str) -> Subnet:
    wanted = request.get("subnet_id")
    if wanted is not None:
        found = next((s for s in subnets if s.id == wanted), None)
        if found is None:
            raise BadRequest(
                f"Invalid input for operation: Failed to create port on network {network_id}"
                f", because fixed_ips included invalid subnet {wanted}.",
                type_name="InvalidInput",
            )
        return found
    address = request["ip_address"]
    for subnet in subnets:
        if ipaddress.ip_address(address) in subnet.network:
            return subnet
    raise _invalid_ip(address, "network")


def allocate(
    subnets: list[Subnet],
    requests: list[dict[str, Any]] | None,
    taken: set[str],
    mac: str,
    network_id: str,
    kept: Iterable[dict[str, str]] = (),
) -> list[dict[str, str]]:
    """Resolve a port's fixed_ips. `requests` None: automatic; `kept`: the port's own addresses."""
    if requests is None:
        return _automatic(subnets, taken, mac)
    own = {k["subnet_id"]: k["ip_address"] for k in kept}
    out: list[dict[str, str]] = []
    used = set(taken)
    for request in requests:
        subnet = _find_subnet(subnets, request, network_id)
        address = request.get("ip_address")
        if address is None:
            if subnet.id in own and own[subnet.id] not in used:
                address = own[subnet.id]  # keeps its address on that subnet (Neutron update)
            elif subnet.auto_address:
                address = eui64(subnet, mac)
            else:
                address = first_free(subnet, used)
        elif not valid_for_subnet(subnet, address):
            raise _invalid_ip(address, "subnet")
        elif address in used:
            raise Conflict(
                f"IP address {address} already allocated in subnet {subnet.id}",
                type_name="IpAddressAlreadyAllocated",
            )
        used.add(address)
        out.append({"subnet_id": subnet.id, "ip_address": address})
    return out


def _automatic(subnets: list[Subnet], taken: set[str], mac: str) -> list[dict[str, str]]:
    """One address from the first IPv4 / stateful IPv6 subnet with room, plus every SLAAC subnet."""
    out: list[dict[str, str]] = []
    for version in (4, 6):
        failure: Conflict | None = None
        for subnet in (s for s in subnets if s.ip_version == version and not s.auto_address):
            try:
                out.append({"subnet_id": subnet.id, "ip_address": first_free(subnet, taken)})
                failure = None
                break
            except Conflict as err:
                failure = err
        if failure is not None:
            raise failure
    for subnet in (s for s in subnets if s.auto_address):
        out.append({"subnet_id": subnet.id, "ip_address": eui64(subnet, mac)})
    return out
