"""Router pipelines against real OVN 23.03: lflow-list of the router must be identical."""

from __future__ import annotations

import pytest
from router_oracle import router_diff

from oracle.harness import OvnOracle
from oracle.shapes import router_lsp

pytestmark = pytest.mark.oracle


SEED = [
    "ls-add A",
    "ls-add B",
    "lr-add R1",
    "lrp-add R1 r1-A fa:16:3e:00:01:01 10.0.1.1/24",
    "lrp-add R1 r1-B fa:16:3e:00:01:02 10.0.2.1/24",
    router_lsp("A", "a-r1", "r1-A"),
    router_lsp("B", "b-r1", "r1-B"),
    'lsp-add A vm1 -- lsp-set-addresses vm1 "fa:16:3e:00:00:01 10.0.1.11"',
    'lsp-add B vm4 -- lsp-set-addresses vm4 "fa:16:3e:00:00:04 10.0.2.14"',
]

SHAPES: dict[str, list[str]] = {
    "seed": SEED,
    "static_routes_overlapping": SEED
    + [
        "lr-route-add R1 0.0.0.0/0 10.0.2.254",
        "lr-route-add R1 10.0.0.0/8 10.0.1.254",
        "lr-route-add R1 10.1.0.0/16 10.0.2.253",
        "lr-route-add R1 10.1.2.3 10.0.1.253",
        "lr-route-add R1 99.0.0.0/8 192.0.2.1",  # no port on that subnet: ignored
    ],
    "src_ip_route": SEED
    + [
        "--policy=src-ip lr-route-add R1 10.0.1.0/24 10.0.2.254",
        "--policy=src-ip lr-route-add R1 0.0.0.0/0 10.0.2.253",
        "lr-route-add R1 10.0.1.0/24 10.0.2.252",
    ],
    "output_port": SEED
    + [
        "lr-route-add R1 192.168.0.0/16 10.0.2.254 r1-B",
        "lr-route-add R1 172.16.0.0/12 192.0.2.1 r1-A",
        "lr-route-add R1 203.0.113.0/24 discard",
    ],
    "ecmp": SEED
    + [
        "--ecmp lr-route-add R1 20.0.0.0/8 10.0.1.254",
        "--ecmp lr-route-add R1 20.0.0.0/8 10.0.2.254",
        "--ecmp lr-route-add R1 20.0.0.0/8 10.0.2.253",
        "--ecmp lr-route-add R1 0.0.0.0/0 10.0.1.252",
        "--ecmp lr-route-add R1 0.0.0.0/0 10.0.2.252",
        "lr-route-add R1 30.0.0.0/8 10.0.1.251",
    ],
    "route_table": SEED
    + [
        "lrp-set-options r1-A route_table=rtb1",
        "--route-table=rtb1 lr-route-add R1 0.0.0.0/0 10.0.2.254",
        "--route-table=rtb2 lr-route-add R1 40.0.0.0/8 10.0.2.253",
        "lr-route-add R1 0.0.0.0/0 10.0.1.254",
        "--ecmp --route-table=rtb1 lr-route-add R1 50.0.0.0/8 10.0.1.250",
        "--ecmp --route-table=rtb1 lr-route-add R1 50.0.0.0/8 10.0.2.250",
    ],
    "ipv6_and_dual_stack": [
        "ls-add C",
        "ls-add D",
        "lr-add R1",
        "lrp-add R1 r1-C 02:00:00:00:00:03 2001:db8::1/64",
        "lrp-add R1 r1-D 02:00:00:00:00:04 10.0.4.1/24 2001:db8:4::1/64 10.0.5.1/24",
        router_lsp("C", "c-r1", "r1-C"),
        router_lsp("D", "d-r1", "r1-D"),
        'lsp-add C vm6 -- lsp-set-addresses vm6 "02:00:00:00:01:06 2001:db8::6"',
        'lsp-add D vm7 -- lsp-set-addresses vm7 "02:00:00:00:01:07 10.0.4.7 2001:db8:4::7"',
        'lsp-add D vm8 -- lsp-set-addresses vm8 "02:00:00:00:01:08 10.0.5.8 10.9.9.9 fe80::8"',
        "lr-route-add R1 2001:db8:100::/48 2001:db8::2",
        "lr-route-add R1 ::/0 2001:db8:4::fe",
        "--ecmp lr-route-add R1 2001:db8:200::/64 2001:db8::3",
        "--ecmp lr-route-add R1 2001:db8:200::/64 2001:db8:4::3",
        "lr-route-add R1 0.0.0.0/0 10.0.5.254",
    ],
    "router_peering": SEED
    + [
        "lr-add R2",
        "lrp-add R1 r1-r2 02:00:00:00:00:10 169.254.0.1/30 fd00::1/64 peer=r2-r1",
        "lrp-add R2 r2-r1 02:00:00:00:00:11 169.254.0.2/30 fd00::2/64 peer=r1-r2",
        "lrp-add R2 r2-x 02:00:00:00:00:12 10.20.0.1/24",
        "lr-route-add R1 10.20.0.0/24 169.254.0.2",
    ],
    "disabled_router_port": SEED + ["lrp-set-enabled r1-B disabled"],
    "policies": SEED
    + [
        'lr-policy-add R1 1000 "ip4.src == 10.0.1.0/24 && ip4.dst == 10.0.2.0/24" drop',
        'lr-policy-add R1 900 "ip4.src == 10.0.1.11" allow',
        'lr-policy-add R1 800 "ip4.src == 10.0.1.12" allow pkt_mark=7',
        'lr-policy-add R1 700 "ip4.dst == 8.8.8.8" reroute 10.0.2.254',
        'lr-policy-add R1 600 "ip4.dst == 9.9.9.9" reroute 10.0.2.254,10.0.1.254',
        'lr-policy-add R1 500 "ip4.dst == 7.7.7.7" reroute 10.0.2.250,10.0.2.251',
        'lr-policy-add R1 400 "ip4.dst == 6.6.6.6" reroute 192.0.2.1',
    ],
    "no_learn_from_arp_request": SEED
    + ["set Logical_Router R1 options:always_learn_from_arp_request=false"],
    "shared_switch_two_routers": [
        "ls-add S",
        "ls-add A",
        "lr-add R1",
        "lr-add R2",
        "lrp-add R1 r1-S 02:00:00:00:00:01 192.168.0.1/24 2001:db8:5::1/64",
        "lrp-add R1 r1-A 02:00:00:00:00:02 10.0.1.1/24",
        "lrp-add R2 r2-S 02:00:00:00:00:03 192.168.0.2/24 192.168.1.2/24",
        router_lsp("S", "s-r1", "r1-S"),
        router_lsp("S", "s-r2", "r2-S"),
        router_lsp("A", "a-r1", "r1-A"),
        'lsp-add S vm1 -- lsp-set-addresses vm1 "02:00:00:00:01:01 192.168.0.11 2001:db8:5::11"',
        'lsp-add S vm2 -- lsp-set-addresses vm2 "02:00:00:00:01:02 192.168.0.12" unknown',
        'lsp-add S vm3 -- lsp-set-addresses vm3 "02:00:00:00:01:03 192.168.0.13"'
        " -- lsp-set-enabled vm3 disabled",
        "lsp-add S ln -- lsp-set-type ln localnet -- lsp-set-addresses ln unknown"
        " -- lsp-set-options ln network_name=phys",
        "lr-route-add R1 10.30.0.0/16 192.168.0.2",
    ],
    "gateway_mtu_and_ra": SEED
    + [
        "lrp-set-options r1-A gateway_mtu=1400",
        "lrp-add R1 r1-C 02:00:00:00:00:03 2001:db8::1/64 2001:db8:1::1/64",
        "ls-add C",
        router_lsp("C", "c-r1", "r1-C"),
        "set Logical_Router_Port r1-C ipv6_ra_configs:address_mode=slaac"
        " ipv6_ra_configs:mtu=1450 ipv6_ra_configs:router_preference=HIGH",
    ],
    "mcast_relay": SEED + ["set Logical_Router R1 options:mcast_relay=true"],
    "mcast_flood_static": SEED
    + [
        "set Logical_Router R1 options:mcast_relay=true",
        "lrp-set-options r1-A mcast_flood=true",
    ],
    "mcast_flood_without_relay": SEED + ["lrp-set-options r1-B mcast_flood=true"],
    "one_sided_peering": SEED
    + [
        "lr-add R2",
        "lrp-add R1 r1-r2 02:00:00:00:00:10 169.254.0.1/30 peer=r2-r1",
        "lrp-add R2 r2-r1 02:00:00:00:00:11 169.254.0.2/30 10.50.0.1/24",
    ],
    "debug_drop_sampling": SEED
    + ["set NB_Global . options:debug_drop_collector_set=5 options:debug_drop_domain_id=3"],
    "odd_prefix_lengths_and_ra_options": SEED
    + [
        "ls-add C",
        "lrp-add R1 r1-C 02:00:00:00:00:0c 10.9.0.1/32 10.9.1.0/31 2001:db8:c::1/128",
        router_lsp("C", "c-r1", "r1-C"),
        "set Logical_Router_Port r1-C ipv6_ra_configs:address_mode=dhcpv6_stateful"
        " ipv6_ra_configs:rdnss=2001:db8::53 ipv6_ra_configs:dnssl=example.org"
        ' "ipv6_ra_configs:route_info=HIGH-2001:db8:9::/64" ipv6_ra_configs:mtu=1200',
        "set Logical_Router_Port r1-A ipv6_ra_configs:address_mode=slaac",
        "lr-route-add R1 10.9.9.0/24 10.9.1.1",
    ],
    "empty_router": ["lr-add R1"],
    "edge_options": SEED
    + [
        "lsp-set-enabled b-r1 disabled",
        "lrp-set-options r1-A gateway_mtu=1300 gateway_mtu_bypass=tcp",
        "lrp-add R1 r1-V6 02:00:00:00:00:06 2001:db8:6::1/64",
        'lr-policy-add R1 100 "ip6.dst == 2001:db8:99::/64" reroute 2001:db8:6::fe',
        "lr-route-add R1 10.99.0.0/16 10.0.2.254 r1-V6",  # port has no IPv4: ignored
        "lr-route-add R1 2001:db8:77::/64 fe80::1 r1-V6",
        "lrp-add R1 r1-lonely 02:00:00:00:00:07 10.7.0.1/24 peer=nowhere",
    ],
    "dynamic_neigh_routers": [
        "ls-add S",
        "lr-add R1",
        "lr-add R2",
        "lrp-add R1 r1-S 02:00:00:00:00:01 192.168.0.1/24",
        "lrp-add R2 r2-S 02:00:00:00:00:03 192.168.0.2/24",
        router_lsp("S", "s-r1", "r1-S"),
        router_lsp("S", "s-r2", "r2-S"),
        "set Logical_Router R1 options:dynamic_neigh_routers=true",
    ],
}


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_router_lflows_match_real_ovn(ovn_oracle: OvnOracle, shape: str) -> None:
    routers = ["R1", "R2"] if any("lr-add R2" in c for c in SHAPES[shape]) else ["R1"]
    for router in routers:
        assert router_diff(ovn_oracle, SHAPES[shape], router) == ""
