"""Router NAT flows against real OVN 23.03: lflow-list of each router must be identical.

Shapes cover distributed gateway ports (gateway_chassis and HA_Chassis_Group) and
gateway routers (options:chassis) with snat / dnat / dnat_and_snat, IPv4 and IPv6,
distributed floating IPs, stateless rules, port ranges, allowed / exempted external
address sets, gateway_port on routers with several DGPs, force-SNAT options and
external IPs shared between rows or equal to a router port address.
"""

from __future__ import annotations

import pytest
from router_oracle import mask, router_diff

from oracle.harness import OvnOracle
from oracle.shapes import localnet, router_lsp
from ovntwin.compiler.compile import compile_nb
from ovntwin.southbound.lflow_list import format_lflow_list, select_datapaths

pytestmark = pytest.mark.oracle


# R1 with inside switches A / B and an external switch behind r1-ext.
BASE = [
    "ls-add A",
    "ls-add B",
    "ls-add ext",
    "lr-add R1",
    "lrp-add R1 r1-A fa:16:3e:00:01:01 10.0.1.1/24 2001:db8:1::1/64",
    "lrp-add R1 r1-B fa:16:3e:00:01:02 10.0.2.1/24",
    "lrp-add R1 r1-ext fa:16:3e:00:01:03 172.24.4.10/24 2001:db8:ff::10/64",
    router_lsp("A", "a-r1", "r1-A"),
    router_lsp("B", "b-r1", "r1-B"),
    router_lsp("ext", "ext-r1", "r1-ext"),
    localnet("A", "ln-A", tag=2011),
    localnet("B", "ln-B", tag=2010),
    localnet("ext", "ln-ext"),
    'lsp-add A vm1 -- lsp-set-addresses vm1 "fa:16:3e:00:00:01 10.0.1.11 2001:db8:1::11"',
    'lsp-add A vm2 -- lsp-set-addresses vm2 "fa:16:3e:00:00:02 10.0.1.12 2001:db8:1::12"',
    'lsp-add B vm4 -- lsp-set-addresses vm4 "fa:16:3e:00:00:04 10.0.2.14"',
    "lr-route-add R1 0.0.0.0/0 172.24.4.1",
]
DGP = BASE + ["lrp-set-gateway-chassis r1-ext gw1 20", "lrp-set-gateway-chassis r1-ext gw2 10"]
GW_ROUTER = BASE + ["set Logical_Router R1 options:chassis=gw1"]

# snat on the router port IP, a centralized FIP and a distributed FIP (the seed).
SEED_NAT = [
    "lr-nat-add R1 snat 172.24.4.10 10.0.0.0/16",
    "lr-nat-add R1 dnat_and_snat 172.24.4.100 10.0.1.11",
    "lr-nat-add R1 dnat_and_snat 172.24.4.101 10.0.1.12 vm2 fa:16:3e:00:aa:02",
]
IPV6_NAT = [
    "lr-nat-add R1 snat 2001:db8:ff::10 2001:db8:1::/64",
    "lr-nat-add R1 dnat_and_snat 2001:db8:ff::100 2001:db8:1::11",
    "lr-nat-add R1 dnat_and_snat 2001:db8:ff::101 2001:db8:1::12 vm2 fa:16:3e:00:aa:12",
    "lr-nat-add R1 dnat 2001:db8:ff::102 2001:db8:1::11",
]
OPTIONS_NAT = [
    "lr-nat-add R1 snat 172.24.4.20 10.0.2.0/24",
    "lr-nat-add R1 snat 172.24.4.20 10.0.1.0/24",  # two SNAT rows, one external IP
    "--stateless lr-nat-add R1 dnat_and_snat 172.24.4.30 10.0.1.11",
    "--portrange lr-nat-add R1 dnat_and_snat 172.24.4.31 10.0.2.14 1000-2000",
    "lr-nat-add R1 dnat 172.24.4.32 10.0.1.12",
    "lr-nat-add R1 snat 172.24.4.32 10.0.1.12",  # dnat + snat sharing an external IP
    "lr-nat-add R1 snat 172.24.4.33 10.0.1.128/25",
    # gateway_port naming a port that is not a DGP (or a gateway router): skipped.
    "--id=@p get Logical_Router_Port r1-A -- --id=@n create NAT type=dnat"
    " external_ip=172.24.4.78 logical_ip=10.0.1.11 gateway_port=@p"
    " -- add Logical_Router R1 nat @n",
]
EXT_IPS = [
    "create Address_Set name=allowed addresses=198.51.100.0/24",
    "create Address_Set name=exempt addresses=203.0.113.5",
    "lr-nat-add R1 dnat_and_snat 172.24.4.40 10.0.1.11",
    "lr-nat-add R1 snat 172.24.4.41 10.0.3.0/24",
    "lr-nat-update-ext-ip R1 dnat_and_snat 172.24.4.40 allowed",
    "--is-exempted lr-nat-update-ext-ip R1 snat 10.0.3.0/24 exempt",
]
TWO_DGPS = [
    "ls-add ext2",
    "lrp-add R1 r1-ext2 fa:16:3e:00:01:04 192.0.2.10/24",
    router_lsp("ext2", "ext2-r1", "r1-ext2"),
    "lrp-set-gateway-chassis r1-ext gw1 20",
    "lrp-set-gateway-chassis r1-ext2 gw2 20",
    "lr-nat-add R1 snat 172.24.4.10 10.0.1.0/24",
    "lr-nat-add R1 snat 192.0.2.10 10.0.2.0/24",
    "lr-nat-add R1 dnat_and_snat 192.0.2.50 10.0.1.11 vm1 fa:16:3e:00:bb:01",
    "--gateway-port=r1-ext2 lr-nat-add R1 dnat_and_snat 198.51.100.7 10.0.1.12",
    # gateway_port naming a port that is not a DGP: northd skips the row.
    "--id=@p get Logical_Router_Port r1-A -- --id=@n create NAT type=dnat_and_snat"
    " external_ip=172.24.4.77 logical_ip=10.0.1.11 gateway_port=@p"
    " -- add Logical_Router R1 nat @n",
    "--gateway-port=r1-ext lr-nat-add R1 snat 198.51.100.8 10.0.2.0/25",
    # On no DGP's subnet (ovn-nbctl refuses it; northd skips it).
    "--id=@n create NAT type=dnat_and_snat external_ip=203.0.113.9 logical_ip=10.0.2.14"
    " -- add Logical_Router R1 nat @n",
]
HA_GROUP = BASE + [
    "ha-chassis-group-add hagrp",
    "ha-chassis-group-add-chassis hagrp gw1 30",
    "ha-chassis-group-add-chassis hagrp gw2 20",
    "--id=@g get HA_Chassis_Group hagrp -- set Logical_Router_Port r1-ext ha_chassis_group=@g",
]
# Rows northd refuses (created directly: ovn-nbctl would reject most of them).
ODD_ROWS = [
    "create Address_Set name=allowed addresses=198.51.100.0/24",
    "create Address_Set name=exempt addresses=203.0.113.5",
    "--id=@n create NAT type=dnat external_ip=172.24.4.60 logical_ip=10.0.1.0/24"
    " -- add Logical_Router R1 nat @n",  # dnat to a subnet
    "--id=@n create NAT type=snat external_ip=172.24.4.61/24 logical_ip=10.0.1.0/24"
    " -- add Logical_Router R1 nat @n",  # external IP with a prefix
    "--id=@a get Address_Set allowed -- --id=@e get Address_Set exempt"
    " -- --id=@n create NAT type=snat external_ip=172.24.4.62 logical_ip=10.0.2.0/24"
    " allowed_ext_ips=@a exempted_ext_ips=@e -- add Logical_Router R1 nat @n",  # both sets
    "--id=@n create NAT type=dnat_and_snat external_ip=172.24.4.63 logical_ip=10.0.1.11"
    " logical_port=vm1 -- add Logical_Router R1 nat @n",  # logical_port, no MAC: central
    "--id=@n create NAT type=dnat_and_snat external_ip=172.24.4.64 logical_ip=10.0.2.14"
    " logical_port=vm4 'external_mac=\"FA:16:3E:00:AA:04\"' -- add Logical_Router R1 nat @n",
    "--id=@n create NAT type=snat external_ip=bogus logical_ip=10.0.2.0/24"
    " -- add Logical_Router R1 nat @n",
]
# A FIP on the router port's own IP.
FIP_ON_ROUTER_IP = ["lr-nat-add R1 dnat_and_snat 172.24.4.10 10.0.2.14"]
SHAPES: dict[str, list[str]] = {
    "dgp_seed": DGP + SEED_NAT,
    "dgp_ipv6": DGP + IPV6_NAT,
    "dgp_options": DGP + OPTIONS_NAT,
    "dgp_ext_ips": DGP + EXT_IPS,
    "dgp_two_ports": BASE + TWO_DGPS,
    "dgp_ha_group": HA_GROUP + SEED_NAT,
    "dgp_bridged_mtu": DGP
    + SEED_NAT
    + ["lrp-set-options r1-ext redirect-type=bridged gateway_mtu=1400"],
    "gw_router_seed": GW_ROUTER + SEED_NAT,
    "gw_router_ipv6": GW_ROUTER + IPV6_NAT,
    "gw_router_options": GW_ROUTER + OPTIONS_NAT + EXT_IPS,
    "gw_router_force_snat": GW_ROUTER
    + SEED_NAT
    + [
        "set Logical_Router R1 options:dnat_force_snat_ip=172.24.4.200"
        ' "options:lb_force_snat_ip=172.24.4.201 2001:db8:ff::201"'
    ],
    "gw_router_lb_force_snat_router_ip": GW_ROUTER
    + SEED_NAT
    + ["set Logical_Router R1 options:lb_force_snat_ip=router_ip"],
    "no_gateway": BASE + SEED_NAT + IPV6_NAT,
    "dgp_odd_rows": DGP + ODD_ROWS,
    "gw_router_odd_rows": GW_ROUTER + ODD_ROWS,
    "dgp_fip_on_router_ip": DGP + FIP_ON_ROUTER_IP,
    "gw_router_fip_on_router_ip": GW_ROUTER + FIP_ON_ROUTER_IP,
    "dgp_force_snat_options_ignored": DGP
    + SEED_NAT
    + [
        "set Logical_Router R1 options:dnat_force_snat_ip=172.24.4.10"
        " options:lb_force_snat_ip=2001:db8:ff::10"
    ],
    "dgp_mtu_bypass_debug_drop": DGP
    + SEED_NAT
    + IPV6_NAT
    + [
        "lrp-set-options r1-ext gateway_mtu=1500 gateway_mtu_bypass=tcp",
        "set NB_Global . options:debug_drop_collector_set=5 options:debug_drop_domain_id=3",
    ],
    "gw_router_lb_force_snat_router_ip_v6": GW_ROUTER
    + IPV6_NAT
    + [
        "set Logical_Router R1 options:lb_force_snat_ip=router_ip"
        " options:dnat_force_snat_ip=2001:db8:ff::200"
    ],
}


def _neighbour(n: int, extra: str) -> list[str]:
    """Router R<n> with one port on the external switch (and `extra` nbctl setup)."""
    return [
        f"lr-add R{n}",
        f"lrp-add R{n} r{n}-ext fa:16:3e:00:0{n}:03 172.24.4.{n}/24",
        router_lsp("ext", f"ext-r{n}", f"r{n}-ext"),
    ] + ([extra] if extra else [])


# NAT IPs with options:add_route: the other routers on ext route them to R1's DGP.
ADD_ROUTE = (
    DGP
    + [
        "lr-nat-add R1 snat 172.24.4.10 10.0.0.0/16",
        "--add-route lr-nat-add R1 dnat_and_snat 172.24.4.100 10.0.1.11",
        "--add-route lr-nat-add R1 dnat_and_snat 172.24.4.101 10.0.1.12 vm2 fa:16:3e:00:aa:02",
        "--add-route lr-nat-add R1 dnat 172.24.4.102 10.0.2.14",
        "--add-route lr-nat-add R1 dnat_and_snat 2001:db8:ff::100 2001:db8:1::11",
    ]
    + _neighbour(2, "lrp-set-gateway-chassis r2-ext gw2 20")
    + _neighbour(3, "set Logical_Router R3 options:chassis=gw1")
    + _neighbour(4, "")
)
MULTI_ROUTER_SHAPES: dict[str, tuple[list[str], list[str]]] = {
    "add_route_neighbours": (ADD_ROUTE, ["R1", "R2", "R3", "R4"]),
}


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_router_nat_lflows_match_real_ovn(ovn_oracle: OvnOracle, shape: str) -> None:
    assert router_diff(ovn_oracle, SHAPES[shape], "R1") == ""


@pytest.mark.parametrize("shape", sorted(MULTI_ROUTER_SHAPES))
def test_nat_neighbour_routers_match_real_ovn(ovn_oracle: OvnOracle, shape: str) -> None:
    commands, routers = MULTI_ROUTER_SHAPES[shape]
    for router in routers:
        assert router_diff(ovn_oracle, commands, router) == ""


def test_nat_on_chassis_without_ct_no_masked_label(ovn_oracle: OvnOracle) -> None:
    """A chassis lacking ct-no-masked-label makes northd test ct_label.natted instead."""
    ovn_oracle.reset()
    ovn_oracle.run(DGP + SEED_NAT)
    ovn_oracle.sbctl("chassis-add", "hv1", "geneve", "127.0.0.1")
    ovn_oracle.sync()
    real = mask(ovn_oracle.lflow_list("R1"))
    sb = compile_nb(ovn_oracle.load_nb())
    assert "ct_label.natted" in real
    assert mask(format_lflow_list(sb, select_datapaths(sb, "R1"))) == real
