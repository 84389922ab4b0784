"""Switch pipelines against real ovn-northd 23.03: lflow-list of one switch must be identical.

Each case is a list of ovn-nbctl commands (strings starting "sbctl " go to ovn-sbctl)
and optional NB_Global options; the switch under test is always "sw".
"""

from __future__ import annotations

import pytest
from switch_oracle import apply_case, compare_switch, our_groups, real_groups

from oracle.harness import OvnOracle

pytestmark = pytest.mark.oracle

TWO_VIFS = [
    "ls-add sw",
    "lsp-add sw a",
    "lsp-set-addresses a '00:00:00:00:00:0a 192.168.0.10'",
    "lsp-add sw b",
    "lsp-set-addresses b '00:00:00:00:00:0b 192.168.0.11'",
]

ROUTER = [
    "lr-add r",
    "lrp-add r r-sw 00:00:00:00:01:01 192.168.0.1/24 2001:db8::1/64",
    "lsp-add sw sw-r",
    "lsp-set-type sw-r router",
    "lsp-set-addresses sw-r router",
    "lsp-set-options sw-r router-port=r-sw",
]

LOCALNET = [
    "lsp-add sw ln",
    "lsp-set-type ln localnet",
    "lsp-set-addresses ln unknown",
    "lsp-set-options ln network_name=physnet1",
    "set Logical_Switch_Port ln tag=2011",
]

PG_STATEFUL = [
    "pg-add pg_web a b",
    "acl-add pg_web from-lport 1002 'inport == @pg_web && ip4' allow-related",
    "acl-add pg_web to-lport 1002 'outport == @pg_web && ip4 && tcp.dst == 22' allow-related",
    "acl-add pg_web to-lport 1002 'outport == @pg_web && icmp4' allow-related",
    "pg-add neutron_pg_drop a b",
    "acl-add neutron_pg_drop from-lport 1001 'inport == @neutron_pg_drop && ip' drop",
    "acl-add neutron_pg_drop to-lport 1001 'outport == @neutron_pg_drop && ip' drop",
]

OLD_CHASSIS = ["sbctl chassis-add ch1 geneve 10.0.0.1"]

CASES: dict[str, tuple[list[str], str]] = {
    "two_vifs": (TWO_VIFS, ""),
    "port_security": (
        [
            *TWO_VIFS,
            "lsp-set-port-security a '00:00:00:00:00:0a 192.168.0.10 2001:db8::a'",
            "lsp-set-port-security b 00:00:00:00:00:0b",
        ],
        "",
    ),
    "disabled_port": ([*TWO_VIFS, "lsp-set-enabled b disabled"], ""),
    "unknown_port": (
        [*TWO_VIFS, "lsp-add sw u", "lsp-set-addresses u '00:00:00:00:00:0c 192.168.0.12' unknown"],
        "",
    ),
    "unknown_port_secured": (
        [
            *TWO_VIFS,
            "lsp-add sw u",
            "lsp-set-addresses u unknown",
            "lsp-set-port-security u 00:00:00:00:00:0d",
        ],
        "",
    ),
    "disabled_unknown": (
        [*TWO_VIFS, "lsp-add sw u", "lsp-set-addresses u unknown", "lsp-set-enabled u disabled"],
        "",
    ),
    "localnet_tagged": ([*TWO_VIFS, *LOCALNET], ""),
    "router_dual_stack": (
        [
            *TWO_VIFS,
            *ROUTER,
            "lsp-set-addresses a '00:00:00:00:00:0a 192.168.0.10 2001:db8::a'",
            "lsp-set-addresses b '00:00:00:00:00:0b 2001:db8::b'",
        ],
        "",
    ),
    "router_only": (["ls-add sw", *ROUTER], ""),
    "router_localnet": ([*TWO_VIFS, *ROUTER, *LOCALNET], ""),
    "stateful_pg": ([*TWO_VIFS, *ROUTER, *LOCALNET, *PG_STATEFUL], ""),
    "stateful_pg_old_chassis": ([*TWO_VIFS, *ROUTER, *PG_STATEFUL, *OLD_CHASSIS], ""),
    "stateless": (
        [
            *TWO_VIFS,
            "acl-add sw from-lport 1000 'ip4 && udp' allow-stateless",
            "acl-add sw to-lport 1000 'ip4 && udp' allow-stateless",
            "acl-add sw to-lport 900 'ip4' allow",
        ],
        "",
    ),
    "stateless_with_stateful": (
        [
            *TWO_VIFS,
            *ROUTER,
            "acl-add sw from-lport 1000 'ip4 && udp' allow-stateless",
            "acl-add sw to-lport 1000 'ip4 && udp' allow-stateless",
            "acl-add sw to-lport 900 'ip4 && tcp' allow-related",
            "acl-add sw to-lport 900 'ip6' allow",
        ],
        "",
    ),
    "drop_reject_stateless_switch": (
        [
            *TWO_VIFS,
            "acl-add sw from-lport 1001 'ip4.src == 10.0.0.1' drop",
            "acl-add sw to-lport 1002 'tcp.dst == 80' reject",
            "acl-add sw from-lport 1003 'udp' reject",
        ],
        "",
    ),
    "drop_reject_stateful_switch": (
        [
            *TWO_VIFS,
            "acl-add sw from-lport 1001 'ip4.src == 10.0.0.1' drop",
            "acl-add sw to-lport 1002 'tcp.dst == 80' reject",
            "acl-add sw from-lport 1003 'udp' reject",
            "acl-add sw to-lport 1000 'ip' allow-related",
        ],
        "",
    ),
    "acl_log_label": (
        [
            *TWO_VIFS,
            "--log --name=web_in --severity=alert --label=1234 acl-add sw to-lport 1001 "
            "'tcp.dst == 80' allow-related",
            "--log acl-add sw from-lport 1001 'ip4' allow-related",
            "--log --name=deny --severity=warning acl-add sw from-lport 1100 'udp' drop",
            "--log --name=rej --meter=m1 acl-add sw from-lport 1101 'tcp.dst == 23' reject",
            "--log --label=9 acl-add sw from-lport 1103 'tcp.dst == 8443' allow",
            "--id=@a create ACL direction=from-lport priority=1104 "
            "match='\"tcp.dst == 8080\"' action=allow-related log=true label=11 name=lr "
            "options:log-related=true -- add Logical_Switch sw acls @a",
            "--id=@a create ACL direction=to-lport priority=1105 "
            "match='\"tcp.dst == 8081\"' action=allow-related log=true label=12 "
            "options:log-related=true -- add Logical_Switch sw acls @a",
        ],
        "",
    ),
    "acl_log_stateless_switch": (
        [
            *TWO_VIFS,
            "--log --name=x --severity=debug acl-add sw from-lport 1001 'tcp' allow",
            "--log acl-add sw to-lport 1001 'udp' drop",
            "--log acl-add sw to-lport 1002 'icmp' allow-stateless",
        ],
        "",
    ),
    "address_sets": (
        [
            *TWO_VIFS,
            'create Address_Set name=as_web addresses=\'"10.0.0.1", "10.0.0.2"\'',
            "acl-add sw to-lport 1001 'ip4.src == $as_web && tcp.dst == 80' allow-related",
            "acl-add sw to-lport 1000 'ip4.src == $as_web' drop",
        ],
        "",
    ),
    "default_acl_drop": (
        [*TWO_VIFS, *ROUTER, *PG_STATEFUL],
        "options:default_acl_drop=true",
    ),
    "default_acl_drop_stateless": (
        [*TWO_VIFS, "acl-add sw from-lport 1001 'ip4' allow"],
        "options:default_acl_drop=true",
    ),
    "apply_after_lb": (
        [
            *TWO_VIFS,
            "--apply-after-lb acl-add sw from-lport 1001 'ip4 && tcp' allow-related",
            "--apply-after-lb acl-add sw from-lport 1000 'ip4' drop",
        ],
        "",
    ),
    "lsp_down_checked": (
        [
            *TWO_VIFS,
            *ROUTER,
            "lsp-add sw lp",
            "lsp-set-type lp localport",
            "lsp-set-addresses lp '00:00:00:00:00:99 192.168.0.99'",
        ],
        "options:ignore_lsp_down=false",
    ),
    "no_ct_inv": ([*TWO_VIFS, *PG_STATEFUL], "options:use_ct_inv_match=false"),
    "qos": (
        [
            *TWO_VIFS,
            "qos-add sw from-lport 100 'ip4' dscp=12",
            "qos-add sw to-lport 101 'ip4' rate=1000 burst=200",
            "qos-add sw from-lport 102 'udp' rate=500",
        ],
        "",
    ),
    "disabled_router_port": ([*TWO_VIFS, *ROUTER, "lrp-set-enabled r-sw disabled"], ""),
    "mcast_snoop": ([*TWO_VIFS, "set Logical_Switch sw other_config:mcast_snoop=true"], ""),
    "mcast_relay_static": (
        [
            *TWO_VIFS,
            *ROUTER,
            "set Logical_Switch sw other_config:mcast_snoop=true",
            "set Logical_Router r options:mcast_relay=true",
            "lsp-set-options a mcast_flood=true",
        ],
        "",
    ),
    "mcast_flood_unreg": (
        [
            *TWO_VIFS,
            "set Logical_Switch sw other_config:mcast_snoop=true "
            "other_config:mcast_flood_unregistered=true",
        ],
        "",
    ),
    "vlan_passthru": ([*TWO_VIFS, "set Logical_Switch sw other_config:vlan-passthru=true"], ""),
    "virtual_port": (
        [
            *TWO_VIFS,
            "lsp-add sw vip",
            "lsp-set-type vip virtual",
            "lsp-set-options vip virtual-ip=192.168.0.50 virtual-parents=a,b",
            "lsp-add sw vip6",
            "lsp-set-type vip6 virtual",
            "lsp-set-options vip6 virtual-ip=2001:db8::50 virtual-parents=a",
        ],
        "",
    ),
    "arp_proxy": (
        [
            *TWO_VIFS,
            *ROUTER,
            "lsp-set-options sw-r router-port=r-sw arp_proxy='169.254.0.1 169.254.0.2'",
        ],
        "",
    ),
    "localnet_learn": (
        [*TWO_VIFS, *LOCALNET, "lsp-set-options ln network_name=physnet1 localnet_learn_fdb=true"],
        "",
    ),
    "external_port": (
        [
            *TWO_VIFS,
            *LOCALNET,
            "lsp-add sw ext",
            "lsp-set-type ext external",
            "lsp-set-addresses ext '00:00:00:00:00:ee 192.168.0.77' unknown",
        ],
        "",
    ),
    "vtep_port": (
        [
            *TWO_VIFS,
            "lsp-add sw vt",
            "lsp-set-type vt vtep",
            "lsp-set-addresses vt unknown",
            "lsp-set-options vt vtep-physical-switch=ps vtep-logical-switch=ls",
        ],
        "",
    ),
    "gw_router_localnet": (
        [*TWO_VIFS, *ROUTER, *LOCALNET, "lrp-set-gateway-chassis r-sw ch1 10"],
        "",
    ),
    "dynamic_addr": (
        [
            "ls-add sw",
            "set Logical_Switch sw other_config:subnet=192.168.0.0/24",
            "lsp-add sw a",
            "lsp-set-addresses a dynamic",
            "lsp-add sw b",
            "lsp-set-addresses b '00:00:00:00:00:0b dynamic'",
        ],
        "",
    ),
    "debug_drop": (
        [*TWO_VIFS, *PG_STATEFUL, "lsp-set-enabled b disabled"],
        "options:debug_drop_collector_set=5 options:debug_drop_domain_id=3",
    ),
    "fair_meter": (
        [
            *TWO_VIFS,
            "meter-add m1 drop 10 pktps",
            "--fair meter-add mf drop 5 pktps",
            "--log --meter=m1 acl-add sw from-lport 1001 ip4 drop",
            "--log --meter=mf acl-add sw from-lport 1002 ip6 drop",
        ],
        "",
    ),
    "transit_two_routers": (
        [
            "ls-add sw",
            "lr-add r1",
            "lr-add r2",
            "lrp-add r1 r1-sw 00:00:00:00:01:01 10.0.0.1/24",
            "lrp-add r2 r2-sw 00:00:00:00:02:01 10.0.0.2/24 fd00::2/64",
            "lsp-add sw sw-r1",
            "lsp-set-type sw-r1 router",
            "lsp-set-addresses sw-r1 router",
            "lsp-set-options sw-r1 router-port=r1-sw",
            "lsp-add sw sw-r2",
            "lsp-set-type sw-r2 router",
            "lsp-set-addresses sw-r2 '00:00:00:00:02:01 10.0.0.2'",
            "lsp-set-options sw-r2 router-port=r2-sw",
        ],
        "",
    ),
    "pg_two_switches": (
        [
            *TWO_VIFS,
            "ls-add sw2",
            "lsp-add sw2 c",
            "lsp-set-addresses c '00:00:00:00:00:0c 10.1.0.3'",
            "pg-add pg c",
            "acl-add pg to-lport 1001 'outport == @pg && ip4' allow-related",
        ],
        "",
    ),
    "localport_up": (
        [
            *TWO_VIFS,
            "lsp-add sw lp",
            "lsp-set-type lp localport",
            "lsp-set-addresses lp '00:00:00:00:00:99 192.168.0.99'",
        ],
        "",
    ),
    "nested": (
        [
            *TWO_VIFS,
            "lsp-add sw a-c a 42",
            "lsp-set-addresses a-c '00:00:00:00:01:0a 192.168.0.110'",
        ],
        "",
    ),
    "multi_addr": (
        [
            *TWO_VIFS,
            "lsp-set-addresses a '00:00:00:00:00:0a 192.168.0.10 10.1.1.1/24 fe80::1' "
            "'00:00:00:00:00:1a 192.168.1.10'",
            "lsp-set-enabled a disabled",
        ],
        "",
    ),
    "router_extra_addr": (
        [*TWO_VIFS, *ROUTER, "lsp-set-addresses sw-r router '00:00:00:00:09:09 192.168.0.250'"],
        "",
    ),
    "label_stateless": (
        [
            *TWO_VIFS,
            "--label=5 acl-add sw from-lport 1001 'tcp' allow",
            "--log --severity=notice --apply-after-lb acl-add sw from-lport 1002 'udp' reject",
        ],
        "",
    ),
    "dup_pgs": (
        [
            *TWO_VIFS,
            "pg-add pg1 a",
            "pg-add pg2 a b",
            "acl-add pg1 from-lport 1001 'ip4' allow-related",
            "acl-add pg2 from-lport 1001 'ip4' allow-related",
            "acl-add sw from-lport 1001 'ip4' allow-related",
        ],
        "",
    ),
    "flood_reports": (
        [
            *TWO_VIFS,
            "lsp-set-options a mcast_flood_reports=true",
            "set Logical_Switch sw other_config:mcast_snoop=true",
        ],
        "",
    ),
    "stateful_localnet_only": (
        [*TWO_VIFS, *LOCALNET, "acl-add sw to-lport 1001 'tcp' allow-related"],
        "",
    ),
    "ipv6_only_router": (
        [
            "ls-add sw",
            "lsp-add sw a",
            "lsp-set-addresses a '00:00:00:00:00:0a fd00::a'",
            "lr-add r",
            "lrp-add r r-sw 00:00:00:00:01:01 fd00::1/64",
            "lsp-add sw sw-r",
            "lsp-set-type sw-r router",
            "lsp-set-addresses sw-r router",
            "lsp-set-options sw-r router-port=r-sw",
        ],
        "",
    ),
    "no_addresses_router": (
        [
            *TWO_VIFS,
            "lr-add r",
            "lrp-add r r-sw 00:00:00:00:01:01 192.168.0.1/24",
            "lsp-add sw sw-r",
            "lsp-set-type sw-r router",
            "lsp-set-options sw-r router-port=r-sw",
        ],
        "",
    ),
    "dangling_router": (
        [
            *TWO_VIFS,
            "lsp-add sw sw-r",
            "lsp-set-type sw-r router",
            "lsp-set-addresses sw-r router",
            "lsp-set-options sw-r router-port=nothere",
        ],
        "",
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_switch_matches_northd(ovn_oracle: OvnOracle, name: str) -> None:
    commands, nb_options = CASES[name]
    diff = compare_switch(ovn_oracle, commands, "sw", nb_options)
    assert diff == "", f"{name}:\n{diff}"


GROUP_CASES = [
    "unknown_port",
    "disabled_unknown",
    "router_localnet",
    "mcast_relay_static",
    "external_port",
    "transit_two_routers",
    "pg_two_switches",
]


@pytest.mark.parametrize("name", GROUP_CASES)
def test_multicast_groups_match_northd(ovn_oracle: OvnOracle, name: str) -> None:
    commands, nb_options = CASES[name]
    apply_case(ovn_oracle, commands, nb_options)
    assert our_groups(ovn_oracle) == real_groups(ovn_oracle)
