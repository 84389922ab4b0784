"""Switch pipelines next to gateways, NAT and QoS, against real ovn-northd 23.03.

Each case builds a topology with ovn-nbctl and compares `ovn-sbctl lflow-list` of every
listed switch with ovntwin's: the router-facing ARP/ND steering for NAT addresses, the
self-originated flood set with distributed floating-IP MACs, chassis-resident gating of
router and floating-IP MACs, gateway routers, reside-on-redirect-chassis,
redirect-type=bridged, IPv6 NAT, and QoS rows shaped like Neutron's. The SB
Port_Binding nat_addresses northd derives from options:nat-addresses is compared too.
"""

from __future__ import annotations

import pytest
from switch_oracle import apply_case, mask, ours_for

from oracle.harness import OvnOracle
from oracle.shapes import localnet, router_lsp
from ovntwin.compiler.compile import compile_nb

pytestmark = pytest.mark.oracle


# The seed: A (tag 2011) and B (tag 2010) on physnet1, ext on "external", R1 with a
# distributed gateway port on gw1 (20) / gw2 (10), SNAT, a centralized and a distributed FIP.
SEED_BASE = [
    "ls-add A",
    "ls-add B",
    "ls-add ext",
    "lr-add R1",
    "lrp-add R1 r1-A fa:16:3e:00:01:01 10.0.1.1/24",
    "lrp-add R1 r1-B fa:16:3e:00:01:02 10.0.2.1/24",
    "lrp-add R1 r1-ext fa:16:3e:00:01:03 172.24.4.10/24",
    router_lsp("A", "a-r1", "r1-A"),
    router_lsp("B", "b-r1", "r1-B"),
    router_lsp("ext", "ext-r1", "r1-ext"),
    localnet("A", "ln-A", "physnet1", 2011),
    localnet("B", "ln-B", "physnet1", 2010),
    localnet("ext", "ln-ext", "external"),
    "lsp-add A vm1 -- lsp-set-addresses vm1 'fa:16:3e:00:00:01 10.0.1.11'",
    "lsp-add B vm4 -- lsp-set-addresses vm4 'fa:16:3e:00:00:04 10.0.2.14'",
    "lsp-add A vm2 -- lsp-set-addresses vm2 'fa:16:3e:00:00:02 10.0.1.12'",
    "lr-route-add R1 0.0.0.0/0 172.24.4.1",
]
GW_CHASSIS = ["lrp-set-gateway-chassis r1-ext gw1 20", "lrp-set-gateway-chassis r1-ext gw2 10"]
SEED_NAT = [
    "lr-nat-add R1 snat 172.24.4.10 10.0.0.0/16",
    "lr-nat-add R1 dnat_and_snat 172.24.4.100 10.0.1.11",
    "lr-nat-add R1 dnat_and_snat 172.24.4.101 10.0.1.12 vm2 fa:16:3e:00:aa:02",
]
SEED = [*SEED_BASE, *GW_CHASSIS, *SEED_NAT]
ALL_SEED_SWITCHES = ("A", "B", "ext")

HA_GROUP = [
    "ha-chassis-group-add hagrp",
    "ha-chassis-group-add-chassis hagrp gw1 20",
    "ha-chassis-group-add-chassis hagrp gw2 10",
    "--id=@hagrp get HA_Chassis_Group hagrp"
    " -- set Logical_Router_Port r1-ext ha_chassis_group=@hagrp",
]
RESIDE = [
    "lrp-set-options r1-A reside-on-redirect-chassis=true",
    "lrp-set-options r1-B reside-on-redirect-chassis=true",
]
MANY_FIPS = [
    f"lsp-add A vm{i} -- lsp-set-addresses vm{i} 'fa:16:3e:00:00:{i:02x} 10.0.1.{i}'"
    for i in range(20, 27)
] + [
    f"lr-nat-add R1 dnat_and_snat 172.24.4.{i} 10.0.1.{i} vm{i} fa:16:3e:00:bb:{i:02x}"
    for i in range(20, 27)
]
# A second gateway port on ext2, NATs pinned to a port or left to the subnet match.
TWO_DGPS = [
    "ls-add ext2",
    "lrp-add R1 r1-ext2 fa:16:3e:00:01:04 198.51.100.10/24",
    router_lsp("ext2", "ext2-r1", "r1-ext2"),
    localnet("ext2", "ln-ext2", "external2"),
    "lrp-set-gateway-chassis r1-ext2 gw2 20",
    "lr-nat-add R1 dnat_and_snat 198.51.100.50 10.0.2.14",
    "lr-nat-add R1 snat 198.51.100.10 10.0.2.0/24",
    "lsp-set-options ext-r1 router-port=r1-ext nat-addresses=router",
    "lsp-set-options ext2-r1 router-port=r1-ext2 nat-addresses=router",
]
QOS_ON_EXT = [
    "qos-add ext from-lport 2003 'ip4.src == 172.24.4.100' rate=5000 burst=500",
    "qos-add ext to-lport 2003 'ip4.dst == 172.24.4.100' rate=6000 burst=600",
    "qos-add A from-lport 2002 'inport == \"vm1\"' dscp=18 rate=1000 burst=100",
    "qos-add A to-lport 2002 'outport == \"vm1\"' rate=1000",
]
# Baremetal-style external ports, bound through an HA chassis group, on a bridged switch.
EXTERNAL_PORTS = [
    "ha-chassis-group-add bm",
    "ha-chassis-group-add-chassis bm gw1 30",
    "lsp-add A bm1 -- lsp-set-type bm1 external",
    "lsp-set-addresses bm1 'fa:16:3e:00:0b:01 10.0.1.51'"
    " 'fa:16:3e:00:0b:02 10.0.1.52 2001:db8::52'",
    "--id=@bm get HA_Chassis_Group bm -- set Logical_Switch_Port bm1 ha_chassis_group=@bm",
    "lsp-add A bm2 -- lsp-set-type bm2 external -- lsp-set-addresses bm2 'fa:16:3e:00:0b:03'",
    "lrp-add R1 r1-A6 fa:16:3e:00:01:06 2001:db8::1/64",
    "lsp-add A a-r1-6 -- lsp-set-type a-r1-6 router -- lsp-set-addresses a-r1-6 router"
    " -- lsp-set-options a-r1-6 router-port=r1-A6",
]
VTEP_ON_EXT = [
    "lsp-add ext vt -- lsp-set-type vt vtep -- lsp-set-addresses vt unknown"
    " -- lsp-set-options vt vtep-physical-switch=ps vtep-logical-switch=ls",
]
# A gateway router on gw1 between a tenant switch and a provider switch.
GW_ROUTER = [
    "ls-add ten",
    "ls-add pub",
    "lr-add GR -- set Logical_Router GR options:chassis=gw1",
    "lrp-add GR gr-ten 00:00:00:00:02:01 192.168.10.1/24",
    "lrp-add GR gr-pub 00:00:00:00:02:02 172.16.0.2/24 2001:db8:1::2/64",
    router_lsp("ten", "ten-gr", "gr-ten"),
    router_lsp("pub", "pub-gr", "gr-pub"),
    localnet("pub", "ln-pub", "external"),
    "lsp-add ten t1 -- lsp-set-addresses t1 '00:00:00:00:10:01 192.168.10.11'",
    "lr-nat-add GR snat 172.16.0.2 192.168.10.0/24",
    "lr-nat-add GR dnat_and_snat 172.16.0.50 192.168.10.11",
    "lr-nat-add GR dnat 172.16.0.51 192.168.10.12",
    "lr-nat-add GR dnat_and_snat 2001:db8:1::50 fd00::11",
]
QOS_NEUTRON = [
    "ls-add net",
    "lsp-add net P -- lsp-set-addresses P 'fa:16:3e:00:00:50 10.0.5.5'",
    "lsp-add net Q -- lsp-set-addresses Q 'fa:16:3e:00:00:51 10.0.5.6'",
    "qos-add net from-lport 2002 'inport == \"P\"' dscp=26",
    "qos-add net to-lport 2002 'outport == \"P\"' rate=10000 burst=8000",
    "qos-add net from-lport 2002 'inport == \"Q\"' dscp=10 rate=2000 burst=1000",
    "qos-add net to-lport 2002 'outport == \"Q\"' rate=3000",
    "qos-add net from-lport 2003 'ip4.src == 172.24.4.100' rate=5000 burst=500",
    "qos-add net to-lport 2003 'ip4.dst == 172.24.4.100' dscp=46",
]

CASES: dict[str, tuple[list[str], tuple[str, ...]]] = {
    "seed": (SEED, ALL_SEED_SWITCHES),
    "seed_no_nat": ([*SEED_BASE, *GW_CHASSIS], ALL_SEED_SWITCHES),
    "seed_ha_group": ([*SEED_BASE, *HA_GROUP, *SEED_NAT], ALL_SEED_SWITCHES),
    "seed_reside": ([*SEED, *RESIDE], ALL_SEED_SWITCHES),
    "seed_bridged": ([*SEED, "lrp-set-options r1-ext redirect-type=bridged"], ALL_SEED_SWITCHES),
    "seed_many_fips": ([*SEED, *MANY_FIPS], ("A", "ext")),
    "seed_nat_addresses_router": (
        [*SEED, "lsp-set-options ext-r1 router-port=r1-ext nat-addresses=router"],
        ALL_SEED_SWITCHES,
    ),
    "seed_nat_addresses_explicit": (
        [
            *SEED,
            "lsp-set-options ext-r1 router-port=r1-ext"
            " 'nat-addresses=fa:16:3e:00:01:03 172.24.4.10 172.24.4.200'",
            "lsp-set-options a-r1 router-port=r1-A 'nat-addresses=fa:16:3e:00:01:01 10.0.1.1'",
            "lsp-set-options b-r1 router-port=r1-B nat-addresses=bogus",
        ],
        ALL_SEED_SWITCHES,
    ),
    "seed_two_dgps": (SEED + TWO_DGPS, ("A", "B", "ext", "ext2")),
    "seed_disabled_lrp": ([*SEED, "set Logical_Router_Port r1-A enabled=false"], ("A", "ext")),
    "gateway_router": (GW_ROUTER, ("ten", "pub")),
    "gateway_router_nat_addresses": (
        [
            *GW_ROUTER,
            "lsp-set-options pub-gr router-port=gr-pub nat-addresses=router",
            "lsp-set-options ten-gr router-port=gr-ten 'nat-addresses=00:00:00:00:02:01 1.1.1.1'",
        ],
        ("ten", "pub"),
    ),
    "explicit_router_mac": (
        [*SEED, "lsp-set-addresses ext-r1 fa:16:3e:00:01:03", "lsp-set-addresses a-r1 router"],
        ("A", "ext"),
    ),
    "dual_stack_dgp": (
        [
            *SEED,
            "lrp-del r1-ext",
            "lrp-add R1 r1-ext fa:16:3e:00:01:03 172.24.4.10/24 172.24.5.10/24 2001:db8:e::10/64",
            *GW_CHASSIS,
            "lrp-set-options r1-A reside-on-redirect-chassis=true",
            "lr-nat-add R1 dnat_and_snat 2001:db8:e::100 fd00::11",
            "lr-nat-add R1 dnat_and_snat 2001:db8:e::101 fd00::12 vm2 fa:16:3e:00:aa:12",
            "lr-nat-add R1 dnat 172.24.5.50 10.0.1.11",
            "lr-nat-add R1 dnat_and_snat 172.24.5.51 10.0.1.12 vm2 FA:16:3E:00:AA:22",
            "lsp-set-options ext-r1 router-port=r1-ext nat-addresses=router",
        ],
        ALL_SEED_SWITCHES,
    ),
    "overlay_ext": ([*SEED, "lsp-del ln-ext"], ("ext",)),
    "disabled_router_lsp": (
        [*SEED, "lsp-set-enabled ext-r1 disabled", "lsp-set-enabled a-r1 disabled"],
        ("A", "ext"),
    ),
    # Rows ovn-nbctl's lr-nat-add refuses: two external IPs (not a valid NAT entry, yet
    # its FIP MAC still gets a flow), and a CIDR external IP (valid for the ARP flows).
    "odd_nat_rows": (
        [
            *SEED,
            "--id=@n create NAT type=dnat_and_snat external_ip='\"172.24.4.120 172.24.4.121\"'"
            " logical_ip=10.0.1.13 logical_port=vm2 external_mac='\"fa:16:3e:00:aa:99\"'"
            " -- add Logical_Router R1 nat @n",
            "--id=@n create NAT type=dnat_and_snat external_ip=172.24.4.0/24 logical_ip=10.0.1.14"
            " -- add Logical_Router R1 nat @n",
        ],
        ("A", "ext"),
    ),
    "only_router_ports": (
        [
            *SEED,
            "lsp-del ln-ext",
            "lr-add R2",
            "lrp-add R2 r2-ext fa:16:3e:00:02:03 172.24.4.20/24",
            router_lsp("ext", "ext-r2", "r2-ext"),
            "lr-nat-add R2 dnat_and_snat 172.24.4.200 192.168.9.9",
        ],
        ("ext",),
    ),
    "qos_neutron": (QOS_NEUTRON, ("net",)),
    "qos_odd_rows": (
        [
            *QOS_NEUTRON,
            "--id=@q create QoS priority=100 direction=from-lport match=ip6 bandwidth:burst=300"
            " -- add Logical_Switch net qos_rules @q",
            "qos-add net to-lport 100 'ip6' dscp=0",
            "qos-add net from-lport 2004 'udp' rate=1",
        ],
        ("net",),
    ),
    "qos_on_provider": ([*SEED, *QOS_ON_EXT], ALL_SEED_SWITCHES),
    "external_ports": ([*SEED, *EXTERNAL_PORTS], ("A", "ext")),
    "vtep_behind_dgp": ([*SEED, *VTEP_ON_EXT], ("ext",)),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_switch_gateway_matches_northd(ovn_oracle: OvnOracle, name: str) -> None:
    commands, switches = CASES[name]
    apply_case(ovn_oracle, commands)
    for ls in switches:
        assert mask(ours_for(ovn_oracle, ls)) == mask(ovn_oracle.lflow_list(ls)), f"{name}: {ls}"


def _real_nat_addresses(oracle: OvnOracle) -> dict[str, set[str]]:
    rows = oracle.sb_rows("Port_Binding", "logical_port,nat_addresses")
    out: dict[str, set[str]] = {}
    for row in rows:
        value = row["nat_addresses"]
        items = value if isinstance(value, list) else [value]
        out[str(row["logical_port"])] = {str(v) for v in items if v != []}
    return {k: v for k, v in out.items() if v}


def _our_nat_addresses(oracle: OvnOracle) -> dict[str, set[str]]:
    sb = compile_nb(oracle.load_nb(files=True))
    return {pb.logical_port: set(pb.nat_addresses) for pb in sb.port_bindings if pb.nat_addresses}


NAT_ADDRESS_CASES = [
    "seed",
    "seed_reside",
    "seed_nat_addresses_router",
    "seed_nat_addresses_explicit",
    "seed_two_dgps",
    "dual_stack_dgp",
    "explicit_router_mac",
    "odd_nat_rows",
    "gateway_router",
    "gateway_router_nat_addresses",
]


@pytest.mark.parametrize("name", NAT_ADDRESS_CASES)
def test_sb_nat_addresses_match_northd(ovn_oracle: OvnOracle, name: str) -> None:
    commands, _ = CASES[name]
    apply_case(ovn_oracle, commands)
    assert _our_nat_addresses(ovn_oracle) == _real_nat_addresses(ovn_oracle)
