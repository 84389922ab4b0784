"""The seed's Neutron state mapped to NB rows as ML2/OVN writes them; then compiled and traced."""

from __future__ import annotations

from ovntwin.compiler.compile import compile_nb
from ovntwin.model import rows as r
from ovntwin.model.db import NorthboundDB
from ovntwin.neutron.ml2ovn.northbound import build_nb
from ovntwin.trace.api import trace_text

from . import seed


def _nb(**kw: str | None) -> NorthboundDB:
    return build_nb(seed.state(**kw), seed.chassis())


def _lsp(nb: NorthboundDB, name: str) -> r.LogicalSwitchPort:
    lsp = nb.by_name(r.LogicalSwitchPort, name)
    assert lsp is not None
    return lsp


def test_networks_become_switches_with_localnet_ports() -> None:
    nb = _nb()
    ls = nb.by_name(r.LogicalSwitch, f"neutron-{seed.NET_A}")
    assert ls is not None and ls.uuid == seed.NET_A
    assert ls.external_ids["neutron:network_name"] == "A"
    assert ls.external_ids["neutron:provnet-network-type"] == "vlan"
    assert ls.external_ids["neutron:mtu"] == "1500"
    (localnet,) = [p for p in nb.resolve(r.LogicalSwitchPort, ls.ports) if p.type == "localnet"]
    assert localnet.name.startswith("provnet-")
    assert (localnet.tag_request, localnet.options["network_name"]) == (2011, "physnet1")
    ext = _lsp(
        nb, next(p.name for p in nb.rows(r.LogicalSwitchPort) if p.name.startswith("provnet-eeee"))
    )
    assert ext.tag_request is None and ext.options["network_name"] == "external"


def test_vm_port_rows() -> None:
    lsp = _lsp(_nb(), seed.VM1)
    assert lsp.addresses == ("fa:16:3e:00:00:01 10.0.1.11",)
    assert lsp.port_security == ("fa:16:3e:00:00:01 10.0.1.11",)
    assert lsp.options == {"requested-chassis": "comp1"}
    ext = lsp.external_ids
    assert ext["neutron:cidrs"] == "10.0.1.11/24"
    assert ext["neutron:device_owner"] == "compute:nova"
    assert ext["neutron:network_name"] == f"neutron-{seed.NET_A}"
    assert ext["neutron:security_group_ids"] == seed.SG
    assert ext["neutron:port_fip"] == "172.24.4.100"
    assert ext["neutron:host_id"] == "comp1"


def test_security_group_acls_and_drop_group() -> None:
    nb = _nb()
    pg_name = "pg_" + seed.SG.replace("-", "_")
    pg = nb.by_name(r.PortGroup, pg_name)
    assert pg is not None and pg.external_ids == {"neutron:security_group_id": seed.SG}
    assert {p.name for p in nb.resolve(r.LogicalSwitchPort, pg.ports)} == {
        seed.VM1,
        seed.VM2,
        seed.VM4,
    }
    acls = {(a.direction, a.priority, a.action, a.match) for a in nb.resolve(r.ACL, pg.acls)}
    assert acls == {
        ("from-lport", 1002, "allow-related", f"inport == @{pg_name} && ip4"),
        (
            "to-lport",
            1002,
            "allow-related",
            f"outport == @{pg_name} && ip4 && ip4.src == ${pg_name}_ip4",
        ),
        (
            "to-lport",
            1002,
            "allow-related",
            f"outport == @{pg_name} && ip4 && ip4.src == 0.0.0.0/0 && tcp && tcp.dst == 22",
        ),
        (
            "to-lport",
            1002,
            "allow-related",
            f"outport == @{pg_name} && ip4 && ip4.src == 0.0.0.0/0 && icmp4",
        ),
    }
    drop = nb.by_name(r.PortGroup, "neutron_pg_drop")
    assert drop is not None
    assert {(a.direction, a.priority, a.action, a.match) for a in nb.resolve(r.ACL, drop.acls)} == {
        ("from-lport", 1001, "drop", "inport == @neutron_pg_drop && ip"),
        ("to-lport", 1001, "drop", "outport == @neutron_pg_drop && ip"),
    }
    # Router ports are trusted (network:*): not in the drop group.
    assert len(drop.ports) == 3


def test_bw_limiter_qos_row_and_unset() -> None:
    nb = _nb()
    ls = nb.by_name(r.LogicalSwitch, f"neutron-{seed.NET_A}")
    assert ls is not None
    (qos,) = nb.resolve(r.QoS, ls.qos_rules)
    assert (qos.direction, qos.priority, qos.match) == (
        "from-lport",
        2002,
        f'inport == "{seed.VM1}"',
    )
    assert qos.bandwidth == {"rate": 3000, "burst": 300} and not qos.action
    assert qos.external_ids == {"neutron:port_id": seed.VM1}
    assert not _nb(vm1_policy=None).rows(r.QoS)


def test_router_gateway_nat() -> None:
    nb = _nb()
    lr = nb.by_name(r.LogicalRouter, f"neutron-{seed.ROUTER}")
    assert lr is not None and lr.external_ids["neutron:router_name"] == "R1"
    gw = nb.by_name(r.LogicalRouterPort, f"lrp-{seed.RGW}")
    assert gw is not None and gw.networks == ("172.24.4.10/24",)
    gcs = sorted(
        (g.chassis_name, g.priority) for g in nb.resolve(r.GatewayChassis, gw.gateway_chassis)
    )
    assert gcs == [("gw1", 2), ("gw2", 1)]
    rif = nb.by_name(r.LogicalRouterPort, f"lrp-{seed.RIF_A}")
    assert rif is not None and rif.options["reside-on-redirect-chassis"] == "true"
    gw_lsp = _lsp(nb, seed.RGW)
    assert (gw_lsp.type, gw_lsp.addresses) == ("router", ("router",))
    assert gw_lsp.options["router-port"] == f"lrp-{seed.RGW}"
    nats = {
        (x.type, x.external_ip, x.logical_ip, x.logical_port) for x in nb.resolve(r.NAT, lr.nat)
    }
    assert nats == {
        ("snat", "172.24.4.10", "10.0.1.0/24", None),
        ("snat", "172.24.4.10", "10.0.2.0/24", None),
        ("dnat_and_snat", "172.24.4.100", "10.0.1.11", seed.VM1),
    }
    (route,) = nb.resolve(r.LogicalRouterStaticRoute, lr.static_routes)
    assert (route.ip_prefix, route.nexthop) == ("0.0.0.0/0", "172.24.4.1")
    assert nb.by_name(r.LogicalSwitchPort, seed.FIP_PORT) is None


L2 = (
    f'inport == "{seed.VM1}" && eth.src == fa:16:3e:00:00:01 && eth.dst == fa:16:3e:00:00:02'
    " && ip4.src == 10.0.1.11 && ip4.dst == 10.0.1.12 && ip.ttl == 64"
)


def test_vm_to_vm_ping_is_delivered() -> None:
    sb = compile_nb(_nb())
    flow = L2 + " && icmp4.type == 8"
    out = trace_text(sb, flow, "minimal", ct=["new"], friendly_names=False)
    assert f'output("{seed.VM2}");' in out, out


def test_ssh_is_delivered_without_qos() -> None:
    sb = compile_nb(_nb(vm1_policy=None))
    out = trace_text(sb, L2 + " && tcp.dst == 22", "minimal", ct=["new"], friendly_names=False)
    assert f'output("{seed.VM2}");' in out, out
