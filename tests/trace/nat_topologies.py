"""Gateway / NAT / QoS topologies (ovn-nbctl commands) and microflows for tracer tests.

DGP: the seed's network with a distributed gateway port r1-ext on gw1/gw2, SNAT, a
centralized, a distributed (logical_port + external_mac) and a stateless floating IP,
IPv6 NAT, gateway_mtu, Neutron-shaped QoS rows and a static MAC binding for the IPv4
next hop in SB MAC_Binding (so N/S packets leave on ln-ext; HA / BR keep the ARP
request instead). GWR: a gateway router
(options:chassis) with a port-range SNAT, DNAT, IPv6 NAT and gateway_mtu. HA / BR: the
DGP network with an HA_Chassis_Group, reside-on-redirect-chassis and nat-addresses=router,
or with redirect-type=bridged. GR_OPTIONS: the gateway router with dnat_force_snat_ip,
lb_force_snat_ip, always_learn_from_arp_request=false, dynamic_neigh_routers, NAT
add_route / allowed_ext_ips / exempted_ext_ips and explicit nat-addresses.
"""

from __future__ import annotations

import re

from oracle.harness import OvnOracle
from oracle.shapes import localnet, router_lsp


def build(oracle: OvnOracle, commands: list[str]) -> None:
    """Reset `oracle` and run `commands` in order.

    "{dp NAME}" stands for a datapath's SB uuid and "{nat IP}" for the uuid of the NAT row
    with that external IP (ovn-nbctl has no command that sets NAT options or ext IPs).
    """
    oracle.reset()
    batch: list[str] = []
    for command in commands:
        if _PLACEHOLDER.search(command):
            oracle.run(batch)  # the rows a placeholder names must exist first
            batch = []
        batch.append(_PLACEHOLDER.sub(lambda m: _lookup(oracle, m[1], m[2]), command))
    oracle.run(batch)


_PLACEHOLDER = re.compile(r"\{(dp|nat) ([^}]+)\}")


def _lookup(oracle: OvnOracle, kind: str, key: str) -> str:
    if kind == "dp":
        found = oracle.sbctl(
            "--bare", "--columns=_uuid", "find", "Datapath_Binding", f"external_ids:name={key}"
        )
    else:
        found = oracle.nbctl("--bare", "--columns=_uuid", "find", "NAT", f"external_ip={key}")
    return found.strip()


DGP = [
    "ls-add A", "ls-add B", "ls-add ext", "lr-add R1",
    "lrp-add R1 r1-A fa:16:3e:00:01:01 10.0.1.1/24 fd00:1::1/64",
    "lrp-add R1 r1-B fa:16:3e:00:01:02 10.0.2.1/24",
    "lrp-add R1 r1-ext fa:16:3e:00:01:03 172.24.4.10/24 2001:db8::10/64",
    router_lsp("A", "a-r1", "r1-A"), router_lsp("B", "b-r1", "r1-B"),
    router_lsp("ext", "ext-r1", "r1-ext"),
    localnet("A", "ln-A", "physnet1", "2011"), localnet("B", "ln-B", "physnet1", "2010"),
    localnet("ext", "ln-ext", "external"),
    'lsp-add A vm1 -- lsp-set-addresses vm1 "fa:16:3e:00:00:01 10.0.1.11 fd00:1::11"',
    'lsp-add A vm2 -- lsp-set-addresses vm2 "fa:16:3e:00:00:02 10.0.1.12"',
    'lsp-add A vm3 -- lsp-set-addresses vm3 "fa:16:3e:00:00:03 10.0.1.13"',
    'lsp-add B vm4 -- lsp-set-addresses vm4 "fa:16:3e:00:00:04 10.0.2.14"',
    "lrp-set-gateway-chassis r1-ext gw1 20", "lrp-set-gateway-chassis r1-ext gw2 10",
    "lr-nat-add R1 snat 172.24.4.10 10.0.0.0/16",
    "lr-nat-add R1 dnat_and_snat 172.24.4.100 10.0.1.11",
    "lr-nat-add R1 dnat_and_snat 172.24.4.101 10.0.1.12 vm2 fa:16:3e:00:aa:02",
    "lr-nat-add R1 dnat_and_snat 2001:db8::100 fd00:1::11",
    "--stateless lr-nat-add R1 dnat_and_snat 172.24.4.103 10.0.1.13",
    "lr-route-add R1 0.0.0.0/0 172.24.4.1", "lr-route-add R1 ::/0 2001:db8::1",
    # Learned MAC bindings for the IPv4 and IPv6 next hops.
    "sbctl create MAC_Binding logical_port=r1-ext ip=172.24.4.1 "
    """mac='"00:00:5e:00:53:01"' datapath={dp R1}""",
    "sbctl create MAC_Binding logical_port=r1-ext ip='\"2001:db8::1\"' "
    """mac='"00:00:5e:00:53:01"' datapath={dp R1}""",
    "set Logical_Router_Port r1-ext options:gateway_mtu=1400",
    'qos-add A from-lport 2002 "inport == \\"vm1\\"" dscp=10',
    'qos-add A from-lport 2001 "inport == \\"vm2\\"" rate=1000 burst=100',
    'qos-add B to-lport 2002 "outport == \\"vm4\\"" dscp=20 rate=2000',
]  # fmt: skip

_DGP_NO_NEXTHOP_MAC = [c for c in DGP if not c.startswith("sbctl create MAC_Binding")]
HA = [c for c in _DGP_NO_NEXTHOP_MAC if not c.startswith("lrp-set-gateway-chassis")] + [
    "--id=@hg create HA_Chassis_Group name=hagrp -- "
    "set Logical_Router_Port r1-ext ha_chassis_group=@hg",
    "ha-chassis-group-add-chassis hagrp gw1 30", "ha-chassis-group-add-chassis hagrp gw2 20",
    "set Logical_Router_Port r1-A options:reside-on-redirect-chassis=true",
    "set Logical_Router_Port r1-B options:reside-on-redirect-chassis=true",
    "lsp-set-options ext-r1 router-port=r1-ext nat-addresses=router",
    "lr-nat-add R1 dnat 172.24.4.110 10.0.2.14",
    "pg-add pg_sg vm1 vm4",
    'acl-add pg_sg from-lport 1002 "inport == @pg_sg && ip4" allow-related',
    'acl-add pg_sg to-lport 1002 "outport == @pg_sg && ip4 && tcp && tcp.dst == 22" '
    "allow-related",
]  # fmt: skip

BRIDGED = _DGP_NO_NEXTHOP_MAC + [
    "set Logical_Router_Port r1-ext options:redirect-type=bridged",
    "set Logical_Router_Port r1-A options:reside-on-redirect-chassis=true",
]

GWR = [
    "ls-add in", "ls-add out", "lr-add GW -- set Logical_Router GW options:chassis=gw1",
    "lrp-add GW gw-in fa:16:3e:00:02:01 192.168.1.1/24 fd00:2::1/64",
    "lrp-add GW gw-out fa:16:3e:00:02:02 172.16.0.10/24 2001:db8:1::10/64",
    router_lsp("in", "in-gw", "gw-in"), router_lsp("out", "out-gw", "gw-out"),
    localnet("out", "ln-out", "external"),
    'lsp-add in h1 -- lsp-set-addresses h1 "fa:16:3e:00:00:11 192.168.1.11 fd00:2::11"',
    'lsp-add in h2 -- lsp-set-addresses h2 "fa:16:3e:00:00:12 192.168.1.12"',
    "--portrange lr-nat-add GW snat 172.16.0.10 192.168.1.0/24 1024-65535",
    "lr-nat-add GW dnat_and_snat 172.16.0.100 192.168.1.11",
    "lr-nat-add GW dnat 172.16.0.102 192.168.1.12",
    "--stateless lr-nat-add GW dnat_and_snat 172.16.0.103 192.168.1.13",
    "lr-nat-add GW snat 2001:db8:1::10 fd00:2::/64",
    "lr-nat-add GW dnat_and_snat 2001:db8:1::100 fd00:2::11",
    "set Logical_Router_Port gw-out options:gateway_mtu=1300",
    "lr-route-add GW 0.0.0.0/0 172.16.0.1", "lr-route-add GW ::/0 2001:db8:1::1",
    "sbctl create MAC_Binding logical_port=gw-out ip=172.16.0.1 "
    """mac='"00:00:5e:00:53:02"' datapath={dp GW}""",
]  # fmt: skip

GR_OPTIONS = [
    c.replace("lr-add GW -- set Logical_Router GW options:chassis=gw1",
              "lr-add GW -- set Logical_Router GW options:chassis=gw1 "
              "options:dnat_force_snat_ip=172.16.0.10 options:lb_force_snat_ip=router_ip "
              "options:always_learn_from_arp_request=false options:dynamic_neigh_routers=true")
    for c in GWR
] + [
    "lr-nat-add GW dnat_and_snat 172.16.0.104 192.168.1.14",
    "set NAT {nat 172.16.0.104} options:add_route=true",
    "--id=@as create Address_Set name=ext_ok addresses=8.8.8.8 -- "
    "set NAT {nat 172.16.0.102} allowed_ext_ips=@as",
    "--id=@as create Address_Set name=ext_no addresses=9.9.9.9 -- "
    "set NAT {nat 172.16.0.100} exempted_ext_ips=@as",
    'lsp-set-options out-gw router-port=gw-out "nat-addresses=fa:16:3e:00:02:02 172.16.0.100 '
    '172.16.0.102"',
]  # fmt: skip

_VM1 = 'inport == "vm1" && eth.src == fa:16:3e:00:00:01'
_VM2 = 'inport == "vm2" && eth.src == fa:16:3e:00:00:02'
_VM3 = 'inport == "vm3" && eth.src == fa:16:3e:00:00:03'
_VM4 = 'inport == "vm4" && eth.src == fa:16:3e:00:00:04'
_EXT = 'inport == "ln-ext" && eth.src == 00:00:5e:00:53:01'
_R1 = "eth.dst == fa:16:3e:00:01:01"
_R1EXT = "eth.dst == fa:16:3e:00:01:03"
_V4 = "ip.ttl == 64"
_OUT = "ip4.dst == 8.8.8.8 && ip.ttl == 64"


def _arp(src: str, sha: str, spa: str, tpa: str) -> str:
    return (
        f"{src} && eth.dst == ff:ff:ff:ff:ff:ff && arp.op == 1 && arp.sha == {sha} && "
        f"arp.spa == {spa} && arp.tha == 00:00:00:00:00:00 && arp.tpa == {tpa}"
    )


DGP_FLOWS = {
    "ew": f"{_VM1} && {_R1} && ip4.src == 10.0.1.11 && ip4.dst == 10.0.2.14 && {_V4} && "
    "tcp && tcp.dst == 22",
    "snat": f"{_VM4} && eth.dst == fa:16:3e:00:01:02 && ip4.src == 10.0.2.14 && {_OUT} && "
    "udp && udp.dst == 53",
    "fip-central-out": f"{_VM1} && {_R1} && ip4.src == 10.0.1.11 && {_OUT} && icmp4.type == 8",
    "fip-dist-out": f"{_VM2} && {_R1} && ip4.src == 10.0.1.12 && {_OUT} && icmp4.type == 8",
    "fip-stateless-out": f"{_VM3} && {_R1} && ip4.src == 10.0.1.13 && {_OUT} && icmp4.type == 8",
    "ext-fip-central": f"{_EXT} && {_R1EXT} && ip4.src == 8.8.8.8 && ip4.dst == 172.24.4.100 "
    f"&& {_V4} && tcp && tcp.dst == 22",
    "ext-fip-dist": f"{_EXT} && eth.dst == fa:16:3e:00:aa:02 && ip4.src == 8.8.8.8 && "
    f"ip4.dst == 172.24.4.101 && {_V4} && tcp && tcp.dst == 22",
    "ext-fip-dist-router-mac": f"{_EXT} && {_R1EXT} && ip4.src == 8.8.8.8 && "
    f"ip4.dst == 172.24.4.101 && {_V4} && tcp && tcp.dst == 22",
    "ext-fip-stateless": f"{_EXT} && {_R1EXT} && ip4.src == 8.8.8.8 && "
    f"ip4.dst == 172.24.4.103 && {_V4} && icmp4.type == 8",
    "ext-snat-reply": f"{_EXT} && {_R1EXT} && ip4.src == 8.8.8.8 && ip4.dst == 172.24.4.10 && "
    f"{_V4} && udp && udp.src == 53",
    "ext-ping-router": f"{_EXT} && {_R1EXT} && ip4.src == 8.8.8.8 && ip4.dst == 172.24.4.10 && "
    f"{_V4} && icmp4.type == 8",
    "arp-fip-central": _arp(_EXT, "00:00:5e:00:53:01", "172.24.4.1", "172.24.4.100"),
    "arp-fip-dist": _arp(_EXT, "00:00:5e:00:53:01", "172.24.4.1", "172.24.4.101"),
    "arp-snat-ip": _arp(_EXT, "00:00:5e:00:53:01", "172.24.4.1", "172.24.4.10"),
    # ovn-trace leaves check_pkt_larger()'s bit alone: a microflow starting on the router
    # with reg9[1] set takes the "packet too big" branch.
    "big-out": 'inport == "r1-B" && eth.src == fa:16:3e:00:00:04 && eth.dst == '
    "fa:16:3e:00:01:02 && ip4.src == 10.0.2.14 && ip4.dst == 8.8.8.8 && ip.ttl == 64 && udp "
    "&& udp.dst == 53 && reg9[1] == 1",
    "big-in": 'inport == "r1-ext" && eth.src == 00:00:5e:00:53:01 && eth.dst == '
    "fa:16:3e:00:01:03 && ip4.src == 8.8.8.8 && ip4.dst == 172.24.4.100 && ip.ttl == 64 && "
    "tcp && tcp.dst == 22 && reg9[1] == 1",
    "big-out6": 'inport == "r1-A" && eth.src == fa:16:3e:00:00:01 && eth.dst == '
    "fa:16:3e:00:01:01 && ip6.src == fd00:1::11 && ip6.dst == 2001:db8::99 && ip.ttl == 64 "
    "&& udp && reg9[1] == 1",
    "big-in6": 'inport == "r1-ext" && eth.src == 00:00:5e:00:53:01 && eth.dst == '
    "fa:16:3e:00:01:03 && ip6.src == 2001:db8::99 && ip6.dst == 2001:db8::100 && "
    "ip.ttl == 64 && udp && reg9[1] == 1",
    "dscp-mark": f"{_VM1} && eth.dst == fa:16:3e:00:00:02 && ip4.src == 10.0.1.11 && "
    f"ip4.dst == 10.0.1.12 && {_V4} && udp",
    "dscp-in-microflow": f"{_VM1} && eth.dst == fa:16:3e:00:00:02 && ip4.src == 10.0.1.11 && "
    f"ip4.dst == 10.0.1.12 && {_V4} && ip.dscp == 46 && ip.ecn == 1 && udp",
    "meter": f"{_VM2} && eth.dst == fa:16:3e:00:00:01 && ip4.src == 10.0.1.12 && "
    f"ip4.dst == 10.0.1.11 && {_V4} && udp",
    "to-vm4-qos": f"{_VM1} && {_R1} && ip4.src == 10.0.1.11 && ip4.dst == 10.0.2.14 && "
    f"{_V4} && udp",
    "v6-out": f"{_VM1} && {_R1} && ip6.src == fd00:1::11 && ip6.dst == 2001:db9::99 && "
    f"{_V4} && udp",
    "v6-in": f"{_EXT} && {_R1EXT} && ip6.src == 2001:db8::99 && ip6.dst == 2001:db8::100 && "
    f"{_V4} && udp",
    "hairpin-dist-fip": f"{_VM1} && {_R1} && ip4.src == 10.0.1.11 && ip4.dst == 172.24.4.101 "
    f"&& {_V4} && tcp && tcp.dst == 22",
    "hairpin-central-fip": f"{_VM4} && eth.dst == fa:16:3e:00:01:02 && ip4.src == 10.0.2.14 "
    f"&& ip4.dst == 172.24.4.100 && {_V4} && tcp && tcp.dst == 22",
    "ns-v6-fip": f"{_EXT} && eth.dst == 33:33:ff:00:01:00 && ip6.src == 2001:db8::99 && "
    "ip6.dst == ff02::1:ff00:100 && nd_ns && nd.target == 2001:db8::100 && "
    "nd.sll == 00:00:5e:00:53:01 && ip.ttl == 255",
}

HA_FLOWS = {
    **DGP_FLOWS,
    "ew-reside": f"{_VM4} && eth.dst == fa:16:3e:00:01:02 && ip4.src == 10.0.2.14 && "
    f"ip4.dst == 10.0.1.11 && {_V4} && udp",
    "ext-dnat-only": f"{_EXT} && {_R1EXT} && ip4.src == 8.8.8.8 && ip4.dst == 172.24.4.110 && "
    f"{_V4} && tcp && tcp.dst == 22",
    "arp-dnat-only": _arp(_EXT, "00:00:5e:00:53:01", "172.24.4.1", "172.24.4.110"),
    "related-icmp": f"{_VM4} && eth.dst == fa:16:3e:00:01:02 && ip4.src == 10.0.2.14 && "
    f"ip4.dst == 10.0.1.11 && {_V4} && icmp4.type == 3 && icmp4.code == 3",
    "garp-from-router": _arp(
        'inport == "ext-r1" && eth.src == fa:16:3e:00:01:03',
        "fa:16:3e:00:01:03",
        "172.24.4.100",
        "172.24.4.100",
    ),  # fmt: skip
}

_H1 = 'inport == "h1" && eth.src == fa:16:3e:00:00:11 && eth.dst == fa:16:3e:00:02:01'
_H2 = 'inport == "h2" && eth.src == fa:16:3e:00:00:12 && eth.dst == fa:16:3e:00:02:01'
_LN = 'inport == "ln-out" && eth.src == 00:00:5e:00:53:02'
_GW = "eth.dst == fa:16:3e:00:02:02"

GWR_FLOWS = {
    "gr-snat": f"{_H2} && ip4.src == 192.168.1.12 && {_OUT} && udp && udp.dst == 53",
    "gr-fip-out": f"{_H1} && ip4.src == 192.168.1.11 && {_OUT} && tcp && tcp.dst == 80",
    "gr-fip-in": f"{_LN} && {_GW} && ip4.src == 8.8.8.8 && ip4.dst == 172.16.0.100 && "
    f"{_V4} && tcp && tcp.dst == 22",
    "gr-dnat-in": f"{_LN} && {_GW} && ip4.src == 8.8.8.8 && ip4.dst == 172.16.0.102 && "
    f"{_V4} && tcp && tcp.dst == 22",
    "gr-snat-reply": f"{_LN} && {_GW} && ip4.src == 8.8.8.8 && ip4.dst == 172.16.0.10 && "
    f"{_V4} && udp && udp.src == 53",
    "gr-arp-fip": _arp(_LN, "00:00:5e:00:53:02", "172.16.0.1", "172.16.0.100"),
    "gr-v6-out": f"{_H1} && ip6.src == fd00:2::11 && ip6.dst == 2001:db8:9::1 && {_V4} && udp",
    "gr-v6-in": f"{_LN} && {_GW} && ip6.src == 2001:db8:9::1 && ip6.dst == 2001:db8:1::100 && "
    f"{_V4} && udp",
    "gr-ew": 'inport == "h1" && eth.src == fa:16:3e:00:00:11 && eth.dst == fa:16:3e:00:00:12 '
    f"&& ip4.src == 192.168.1.11 && ip4.dst == 192.168.1.12 && {_V4} && udp",
    "gr-hairpin": f"{_H2} && ip4.src == 192.168.1.12 && ip4.dst == 172.16.0.100 && {_V4} && "
    "tcp && tcp.dst == 22",
    "gr-big-in": 'inport == "gw-out" && eth.src == 00:00:5e:00:53:02 && '
    f"{_GW} && ip4.src == 8.8.8.8 && ip4.dst == 172.16.0.100 && {_V4} && tcp && "
    "tcp.dst == 22 && reg9[1] == 1",
}

GR_OPTIONS_FLOWS = {
    **GWR_FLOWS,
    "gr-exempted": f"{_LN} && {_GW} && ip4.src == 9.9.9.9 && ip4.dst == 172.16.0.100 && "
    f"{_V4} && tcp && tcp.dst == 22",
    "gr-not-allowed": f"{_LN} && {_GW} && ip4.src == 9.9.9.9 && ip4.dst == 172.16.0.102 && "
    f"{_V4} && tcp && tcp.dst == 22",
    "gr-arp-learn": _arp(_LN, "00:00:5e:00:53:09", "172.16.0.9", "172.16.0.10"),
    "gr-arp-nat-addresses": _arp(_LN, "00:00:5e:00:53:02", "172.16.0.1", "172.16.0.102"),
}

TOPOLOGIES = {
    "dgp": (DGP, DGP_FLOWS),
    "gateway-router": (GWR, GWR_FLOWS),
    "ha-reside": (HA, HA_FLOWS),
    "bridged": (BRIDGED, DGP_FLOWS),
    "gr-options": (GR_OPTIONS, GR_OPTIONS_FLOWS),
}
