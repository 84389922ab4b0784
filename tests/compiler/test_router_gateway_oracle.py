"""Gateways without NAT against real OVN 23.03: router flows and Port_Binding rows.

Shapes: a distributed gateway port (Gateway_Chassis, HA_Chassis_Group, the legacy
options:redirect-chassis that 23.03 ignores), two DGPs, reside-on-redirect-chassis,
redirect-type=bridged, gateway_mtu (also behind a VLAN), a DGP disabled, on a switch
with vtep ports or without a localnet port, peered router to router, multicast relay,
policies and ECMP routes out of a DGP, and gateway routers (options:chassis), with
symmetric ECMP replies.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence

import pytest
from router_oracle import mask, router_diff

from oracle.harness import OvnOracle, join_batch
from oracle.shapes import localnet, lrp_options, router_lsp
from ovntwin.compiler.compile import compile_nb
from ovntwin.southbound.lflow_list import format_lflow_list, select_datapaths

pytestmark = pytest.mark.oracle


# The seed: R1 between VLAN networks A (2011) / B (2010) and an external network.
BASE = [
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
    localnet("A", "ln-A", tag=2011),
    localnet("B", "ln-B", tag=2010),
    localnet("ext", "ln-ext"),
    'lsp-add A vm1 -- lsp-set-addresses vm1 "fa:16:3e:00:00:01 10.0.1.11"',
    'lsp-add A vm2 -- lsp-set-addresses vm2 "fa:16:3e:00:00:02 10.0.1.12"',
    'lsp-add B vm4 -- lsp-set-addresses vm4 "fa:16:3e:00:00:04 10.0.2.14"',
    "lr-route-add R1 0.0.0.0/0 172.24.4.1",
]
GW_CHASSIS = ["lrp-set-gateway-chassis r1-ext gw1 20", "lrp-set-gateway-chassis r1-ext gw2 10"]
DGP = BASE + GW_CHASSIS
HA_GROUP = [
    "ha-chassis-group-add hagrp",
    "ha-chassis-group-add-chassis hagrp gw1 20",
    "ha-chassis-group-add-chassis hagrp gw2 10",
    "--id=@g get HA_Chassis_Group hagrp -- set Logical_Router_Port r1-ext ha_chassis_group=@g",
]
RESIDE = [
    lrp_options("r1-A", "reside-on-redirect-chassis=true"),
    lrp_options("r1-B", "reside-on-redirect-chassis=true"),
]
BRIDGED = [lrp_options("r1-ext", "redirect-type=bridged")]
SECOND_DGP = [
    "ls-add ext2",
    "lrp-add R1 r1-ext2 fa:16:3e:00:01:04 172.25.0.10/24",
    router_lsp("ext2", "ext2-r1", "r1-ext2"),
    localnet("ext2", "ln-ext2"),
    "lrp-set-gateway-chassis r1-ext2 gw2 20",
    "lr-route-add R1 192.168.0.0/16 172.25.0.1",
    lrp_options("r1-A", "reside-on-redirect-chassis=true"),  # ignored with two DGPs
]
PEERED = [
    "lr-add R1",
    "lr-add R2",
    "ls-add A",
    "lrp-add R1 r1-A fa:16:3e:00:01:01 10.0.1.1/24",
    router_lsp("A", "a-r1", "r1-A"),
    "lrp-add R1 r1-r2 fa:16:3e:00:05:01 169.254.0.1/30 peer=r2-r1",
    "lrp-add R2 r2-r1 fa:16:3e:00:05:02 169.254.0.2/30 peer=r1-r2",
    "lrp-set-gateway-chassis r1-r2 gw1 10",
    "lr-route-add R1 0.0.0.0/0 169.254.0.2",
    'lsp-add A vm1 -- lsp-set-addresses vm1 "fa:16:3e:00:00:01 10.0.1.11"',
]
GW_ROUTER = [
    "ls-add A",
    "ls-add ext",
    "lr-add GW",
    "lrp-add GW gw-A fa:16:3e:00:02:01 10.0.1.1/24",
    "lrp-add GW gw-ext fa:16:3e:00:02:03 172.24.4.20/24 2001:db8::20/64",
    router_lsp("A", "a-gw", "gw-A"),
    router_lsp("ext", "ext-gw", "gw-ext"),
    localnet("ext", "ln-ext"),
    'lsp-add A vm1 -- lsp-set-addresses vm1 "fa:16:3e:00:00:01 10.0.1.11"',
    "set Logical_Router GW options:chassis=gw1",
    "lr-route-add GW 0.0.0.0/0 172.24.4.1",
    "lr-route-add GW ::/0 2001:db8::1",
]

SHAPES: dict[str, tuple[list[str], tuple[str, ...]]] = {
    "dgp": (DGP, ("R1",)),
    "dgp_ha_group": (BASE + HA_GROUP, ("R1",)),
    "dgp_legacy_redirect_chassis": (
        BASE + [lrp_options("r1-ext", "redirect-chassis=gw1")],
        ("R1",),
    ),
    "dgp_ha_group_and_gateway_chassis": (BASE + HA_GROUP + GW_CHASSIS, ("R1",)),
    "dgp_several_networks": (
        BASE
        + [
            "set Logical_Router_Port r1-ext"
            """ 'networks=["172.24.4.10/24","198.18.0.1/24","2001:db8::10/64"]'""",
            """set Logical_Router_Port r1-A 'networks=["10.0.1.1/24","10.9.1.1/24"]'""",
            lrp_options("r1-A", "reside-on-redirect-chassis=true"),
            lrp_options("r1-ext", "gateway_mtu=1400"),
        ]
        + GW_CHASSIS,
        ("R1",),
    ),
    "dgp_learn_only_requests": (
        DGP + ["set Logical_Router R1 options:always_learn_from_arp_request=false"],
        ("R1",),
    ),
    "dgp_ipv6": (
        [c for c in BASE if "r1-ext fa:" not in c]
        + ["lrp-add R1 r1-ext fa:16:3e:00:01:03 172.24.4.10/24 2001:db8::10/64"]
        + GW_CHASSIS
        + ["lr-route-add R1 ::/0 2001:db8::1"],
        ("R1",),
    ),
    "dgp_without_localnet": ([c for c in DGP if "ln-ext" not in c], ("R1",)),
    "dgp_disabled": (DGP + ["set Logical_Router_Port r1-ext enabled=false"], ("R1",)),
    "dgp_vtep_switch": (
        DGP
        + [
            "lsp-add ext vtep1 -- lsp-set-type vtep1 vtep"
            " -- lsp-set-options vtep1 vtep-physical-switch=ps1 vtep-logical-switch=ls1"
        ],
        ("R1",),
    ),
    "dgp_gateway_mtu": (
        DGP
        + [
            lrp_options("r1-ext", "gateway_mtu=1400", "gateway_mtu_bypass=tcp"),
            lrp_options("r1-A", "gateway_mtu=1300"),
        ],
        ("R1",),
    ),
    "dgp_gateway_mtu_vlan": (
        DGP + ["set Logical_Switch_Port ln-ext tag=100", lrp_options("r1-ext", "gateway_mtu=1500")],
        ("R1",),
    ),
    "dgp_routes_policies": (
        DGP
        + [
            'lr-policy-add R1 100 "ip4.src == 10.0.1.0/24" reroute 172.24.4.1',
            "lr-route-add R1 198.51.100.0/24 172.24.4.254 r1-ext",
            "--ecmp lr-route-add R1 203.0.113.0/24 172.24.4.2",
            "--ecmp lr-route-add R1 203.0.113.0/24 172.24.4.3",
        ],
        ("R1",),
    ),
    "dgp_mcast_relay": (
        DGP
        + [
            "set Logical_Router R1 options:mcast_relay=true",
            "set Logical_Switch A other_config:mcast_snoop=true",
            "set Logical_Switch ext other_config:mcast_snoop=true",
        ],
        ("R1",),
    ),
    "reside_on_redirect_chassis": (DGP + RESIDE, ("R1",)),
    "reside_without_localnet": ([c for c in DGP + RESIDE if "ln-A" not in c], ("R1",)),
    "redirect_type_bridged": (DGP + BRIDGED, ("R1",)),
    "redirect_type_bridged_mixed_case": (
        DGP + [lrp_options("r1-ext", "redirect-type=Bridged")],
        ("R1",),
    ),
    "bridged_and_reside": (DGP + RESIDE + BRIDGED, ("R1",)),
    "two_dgps": (DGP + SECOND_DGP, ("R1",)),
    "dgp_peered_routers": (PEERED, ("R1", "R2")),
    "gateway_router": (GW_ROUTER, ("GW",)),
    "gateway_router_options": (
        GW_ROUTER
        + [
            "set Logical_Router GW options:dynamic_neigh_routers=true"
            " options:always_learn_from_arp_request=false options:mcast_relay=true",
            lrp_options("gw-ext", "gateway_mtu=1400"),
        ],
        ("GW",),
    ),
    "gateway_router_with_gateway_chassis": (
        GW_ROUTER + ["lrp-set-gateway-chassis gw-ext gw1 20"],  # ignored: no cr- port
        ("GW",),
    ),
    # Output ports' tunnel keys appear in the flows: pin them (ours follow NB order).
    "gateway_router_ecmp_symmetric_reply": (
        GW_ROUTER
        + [
            lrp_options("gw-ext", "requested-tnl-key=7"),
            lrp_options("gw-A", "requested-tnl-key=3"),
            "--ecmp-symmetric-reply lr-route-add GW 198.51.100.0/24 172.24.4.2",
            "--ecmp-symmetric-reply lr-route-add GW 198.51.100.0/24 172.24.4.3",
            "--ecmp-symmetric-reply lr-route-add GW 2001:db8:99::/64 2001:db8::2",
            "--ecmp-symmetric-reply lr-route-add GW 2001:db8:99::/64 2001:db8::3",
            "--ecmp-symmetric-reply lr-route-add GW 203.0.113.9/32 172.24.4.4",
            "--ecmp-symmetric-reply lr-route-add GW 203.0.113.9/32 10.0.1.254",
        ],
        ("GW",),
    ),
    "dgp_ecmp_symmetric_reply_ignored": (
        DGP
        + [
            "--ecmp-symmetric-reply lr-route-add R1 198.51.100.0/24 172.24.4.2",
            "--ecmp-symmetric-reply lr-route-add R1 198.51.100.0/24 172.24.4.3",
        ],
        ("R1",),
    ),
}

CASES = [(shape, router) for shape in sorted(SHAPES) for router in SHAPES[shape][1]]


@pytest.mark.parametrize(("shape", "router"), CASES)
def test_gateway_router_lflows_match_northd(ovn_oracle: OvnOracle, shape: str, router: str) -> None:
    assert router_diff(ovn_oracle, SHAPES[shape][0], router) == ""


# Port_Binding columns that gateways change (datapaths and keys are masked).
_NAT = [
    "lr-nat-add R1 snat 172.24.4.10 10.0.0.0/16",
    "lr-nat-add R1 dnat_and_snat 172.24.4.100 10.0.1.11",
    "lr-nat-add R1 dnat_and_snat 172.24.4.101 10.0.1.12 vm2 fa:16:3e:00:aa:02",
]
BINDING_SHAPES: dict[str, list[str]] = {
    "dgp": DGP,
    "dgp_ha_group": BASE + HA_GROUP,
    "reside": DGP + RESIDE,
    "bridged": DGP + BRIDGED,
    "two_dgps_nat_addresses_router": DGP
    + SECOND_DGP
    + _NAT
    + [
        "lr-nat-add R1 dnat_and_snat 172.25.0.50 10.0.2.14",
        "lsp-set-options ext-r1 router-port=r1-ext nat-addresses=router",
        "lsp-set-options ext2-r1 router-port=r1-ext2 nat-addresses=router",
    ],
    "distributed_fip_no_always_redirect": DGP + _NAT,
    "nat_addresses_explicit": DGP
    + _NAT
    + ['lsp-set-options ext-r1 router-port=r1-ext "nat-addresses=fa:16:3e:00:01:03 172.24.4.200"'],
    "gateway_router_l3gateway": GW_ROUTER
    + [
        "lr-nat-add GW snat 172.24.4.20 10.0.1.0/24",
        "lr-nat-add GW dnat_and_snat 172.24.4.30 10.0.1.11",
        "lsp-set-options ext-gw router-port=gw-ext nat-addresses=router",
    ],
    "gateway_router_with_gateway_chassis": GW_ROUTER + ["lrp-set-gateway-chassis gw-ext gw1 20"],
    "dgp_vtep_switch": DGP
    + [
        "lsp-add ext vtep1 -- lsp-set-type vtep1 vtep"
        " -- lsp-set-options vtep1 vtep-physical-switch=ps1 vtep-logical-switch=ls1"
    ],
}


def _as_list(value: object) -> list[str]:
    return sorted(value) if isinstance(value, list) else [str(value)]


def _binding_facts(oracle: OvnOracle, commands: Sequence[str]) -> tuple[dict, dict]:  # type: ignore[type-arg]
    oracle.reset()
    oracle.run(commands)
    real = {
        row["logical_port"]: (
            row["type"],
            dict(row["options"]),  # type: ignore[call-overload]
            _as_list(row["mac"]),
            _as_list(row["nat_addresses"]),
        )
        for row in oracle.sb_rows("Port_Binding", "logical_port,type,options,mac,nat_addresses")
    }
    sb = compile_nb(oracle.load_nb(sb=False))
    ours = {
        pb.logical_port: (pb.type, dict(pb.options), sorted(pb.mac), sorted(pb.nat_addresses))
        for pb in sb.port_bindings
    }
    return real, ours


@pytest.mark.parametrize("shape", sorted(BINDING_SHAPES))
def test_gateway_port_bindings_match_northd(ovn_oracle: OvnOracle, shape: str) -> None:
    real, ours = _binding_facts(ovn_oracle, BINDING_SHAPES[shape])
    assert ours == real


@pytest.mark.parametrize("requested", [None, 10])
def test_chassisredirect_port_keys_follow_their_dgp(
    ovn_oracle: OvnOracle, requested: int | None
) -> None:
    """Created in one transaction, northd keys ports in UUID order, each cr- right after
    its DGP (ovntwin's NB order is that UUID order); after a requested key, new keys
    continue above it, and a cr- port's repeat of its DGP's request loses."""
    commands = ["lr-add R"] + [
        f"lrp-add R p{i} 02:00:00:00:00:0{i} 10.0.{i}.1/24" for i in range(6)
    ]
    commands += ["lrp-set-gateway-chassis p2 gw1 10", "lrp-set-gateway-chassis p4 gw1 10"]
    if requested is not None:
        commands.append(f"set Logical_Router_Port p2 options:requested-tnl-key={requested}")
    ovn_oracle.reset()
    ovn_oracle.nbctl("--wait=sb", *join_batch([shlex.split(c) for c in commands]))
    real = {
        row["logical_port"]: row["tunnel_key"]
        for row in ovn_oracle.sb_rows("Port_Binding", "logical_port,tunnel_key")
    }
    sb = compile_nb(ovn_oracle.load_nb(sb=False))
    assert {pb.logical_port: pb.tunnel_key for pb in sb.port_bindings} == real


def test_runtime_keys_and_masked_label_chassis(ovn_oracle: OvnOracle) -> None:
    """With the live SB as runtime: northd's tunnel keys are kept as they are, and a
    chassis without ct-no-masked-label turns ct_mark.ecmp_reply_port into ct_label."""
    commands, _ = SHAPES["gateway_router_ecmp_symmetric_reply"]
    ovn_oracle.reset()
    ovn_oracle.run(commands)
    ovn_oracle.sbctl("chassis-add", "hv-old", "geneve", "192.0.2.1")
    ovn_oracle.nbctl("--wait=sb", "sync")
    real_keys = {
        row["logical_port"]: row["tunnel_key"]
        for row in ovn_oracle.sb_rows("Port_Binding", "logical_port,tunnel_key")
    }
    sb = compile_nb(ovn_oracle.load_nb(sb=True))
    assert {pb.logical_port: pb.tunnel_key for pb in sb.port_bindings} == real_keys
    real = mask(ovn_oracle.lflow_list("GW"))
    assert "ct_label.ecmp_reply_port" in real
    assert mask(format_lflow_list(sb, select_datapaths(sb, "GW"))) == real
