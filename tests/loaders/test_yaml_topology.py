"""YAML topology loader: the seed, references, deterministic UUIDs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ovntwin.loaders import NamedTrace, load_nb, load_topology, seed_path
from ovntwin.loaders.uuids import row_uuid
from ovntwin.model import rows as r
from ovntwin.model.runtime import CHASSIS_FEATURES_23_03


def test_seed_loads_switches_routers_and_ports() -> None:
    nb = load_topology(seed_path()).nb
    switches = {ls.name: ls for ls in nb.rows(r.LogicalSwitch)}
    assert sorted(switches) == ["A", "B"]
    a_ports = {p.name for p in nb.resolve(r.LogicalSwitchPort, switches["A"].ports)}
    assert a_ports == {"ln-A", "vm1", "vm2", "vm3", "A-r1"}  # a set column: no order
    ln_a = nb.by_name(r.LogicalSwitchPort, "ln-A")
    assert ln_a is not None and ln_a.tag == 2011 and ln_a.type == "localnet"
    assert dict(ln_a.options) == {"network_name": "physnet1"}
    assert ln_a.addresses == ("unknown",)
    vm4 = nb.by_name(r.LogicalSwitchPort, "vm4")
    assert vm4 is not None and vm4.addresses == ("fa:16:3e:00:00:04 10.0.2.14",)
    (router,) = nb.rows(r.LogicalRouter)
    lrps = nb.resolve(r.LogicalRouterPort, router.ports)
    assert {(p.name, p.mac, p.networks) for p in lrps} == {
        ("r1-A", "fa:16:3e:00:01:01", ("10.0.1.1/24",)),
        ("r1-B", "fa:16:3e:00:01:02", ("10.0.2.1/24",)),
    }
    assert nb.options["mac_prefix"] == "0a:00:00"


def test_seed_port_groups_and_acls() -> None:
    nb = load_topology(seed_path()).nb
    drop = nb.by_name(r.PortGroup, "neutron_pg_drop")
    assert drop is not None
    members = {p.name for p in nb.resolve(r.LogicalSwitchPort, drop.ports)}
    assert members == {"vm1", "vm2", "vm3", "vm4", "vm5", "vm6"}
    acls = nb.resolve(r.ACL, drop.acls)
    assert {(a.direction, a.priority, a.action) for a in acls} == {
        ("from-lport", 1001, "drop"),
        ("to-lport", 1001, "drop"),
    }
    sg = nb.by_name(r.PortGroup, "pg_sg1")
    assert sg is not None and len(sg.acls) == 3


def test_seed_runtime_and_traces() -> None:
    topo = load_topology(seed_path())
    runtime = topo.nb.runtime
    assert [c.name for c in runtime.chassis] == ["hv-a", "hv-b"]
    assert all(runtime.feature(f) for f in CHASSIS_FEATURES_23_03)
    assert runtime.ports["vm5"].chassis == "hv-b" and runtime.ports["vm5"].up is True
    assert runtime.chassis[0].encaps[0].ip == "192.0.2.11"
    assert [t.name for t in topo.traces] == ["vm1-to-vm4-icmp", "vm1-to-vm2-ssh", "vm1-arp-gateway"]
    assert "ip.ttl == 64" in topo.traces[0].microflow
    assert topo.trace("vm1-to-vm2-ssh") == topo.traces[1]
    assert topo.source == str(seed_path())


def test_uuids_are_deterministic_and_stable() -> None:
    first, second = load_topology(seed_path()).nb, load_topology(seed_path()).nb
    assert first.tables == second.tables
    vm1 = first.by_name(r.LogicalSwitchPort, "vm1")
    assert vm1 is not None and vm1.uuid == row_uuid("Logical_Switch_Port", "vm1")
    acl_uuids = {a.uuid for a in first.rows(r.ACL)}
    assert row_uuid("ACL", "Port_Group", "neutron_pg_drop", 0) in acl_uuids


def test_explicit_uuid_and_scalar_maps(write_yaml: Callable[[str], Path]) -> None:
    path = write_yaml(
        """
switches:
  - name: S
    uuid: 11111111-2222-3333-4444-555555555555
    other_config: {requested-tnl-key: 7, mcast_snoop: true}
    ports:
      - name: p
        addresses: 52:54:00:00:00:01 10.0.0.5
        port_security: [52:54:00:00:00:01]
"""
    )
    nb = load_topology(path).nb
    (switch,) = nb.rows(r.LogicalSwitch)
    assert switch.uuid == "11111111-2222-3333-4444-555555555555"
    assert dict(switch.other_config) == {"requested-tnl-key": "7", "mcast_snoop": "true"}
    port = nb.by_name(r.LogicalSwitchPort, "p")
    # An unquoted MAC must not become a YAML 1.1 base-60 integer.
    assert port is not None and port.port_security == ("52:54:00:00:00:01",)
    assert port.addresses == ("52:54:00:00:00:01 10.0.0.5",)


def test_router_lsp_naming_no_lrp_is_kept(write_yaml: Callable[[str], Path]) -> None:
    path = write_yaml(
        """
switches:
  - name: S
    ports: [{name: s-r, type: router, addresses: [router], options: {router-port: nowhere}}]
"""
    )
    port = load_topology(path).nb.by_name(r.LogicalSwitchPort, "s-r")
    assert port is not None and port.options["router-port"] == "nowhere"


def test_references_become_uuids(write_yaml: Callable[[str], Path]) -> None:
    path = write_yaml(
        """
address_sets: [{name: as1, addresses: [10.0.0.1]}]
ha_chassis_groups:
  - {name: hag, ha_chassis: [{chassis_name: gw1, priority: 20}]}
meters: [{name: m1, unit: pktps, bands: [{rate: 10}]}]
switches:
  - name: S
    ports: [{name: p, ha_chassis_group: hag}]
    acls: [{direction: to-lport, priority: 100, match: "ip4.src == $as1", action: drop,
            meter: m1, log: true, severity: info, name: a1}]
    qos_rules: [{direction: from-lport, priority: 10, match: ip4, action: {dscp: 12},
                 bandwidth: {rate: 100, burst: 10}}]
routers:
  - name: R
    ports:
      - name: rp
        mac: "00:00:00:00:00:01"
        networks: 192.0.2.1/24
        gateway_chassis: [{chassis_name: gw1, priority: 5}]
    static_routes: [{ip_prefix: 0.0.0.0/0, nexthop: 192.0.2.254, output_port: rp,
                     policy: src-ip}]
    policies: [{priority: 100, match: "ip4.src == $as1", action: reroute,
                nexthops: [192.0.2.5]}]
    nat: [{type: snat, external_ip: 192.0.2.1, logical_ip: 10.0.0.0/24, gateway_port: rp,
           allowed_ext_ips: as1}]
"""
    )
    nb = load_topology(path).nb
    port = nb.by_name(r.LogicalSwitchPort, "p")
    group = nb.by_name(r.HAChassisGroup, "hag")
    assert port is not None and group is not None and port.ha_chassis_group == group.uuid
    assert nb.resolve(r.HAChassis, group.ha_chassis)[0].priority == 20
    (acl,) = nb.rows(r.ACL)
    assert (acl.meter, acl.log, acl.severity, acl.name) == ("m1", True, "info", "a1")
    (qos,) = nb.rows(r.QoS)
    assert dict(qos.action) == {"dscp": 12} and dict(qos.bandwidth) == {"rate": 100, "burst": 10}
    lrp = nb.by_name(r.LogicalRouterPort, "rp")
    assert lrp is not None and lrp.networks == ("192.0.2.1/24",)
    (gw,) = nb.resolve(r.GatewayChassis, lrp.gateway_chassis)
    assert (gw.name, gw.chassis_name, gw.priority) == ("rp-gw1", "gw1", 5)
    (route,) = nb.rows(r.LogicalRouterStaticRoute)
    assert (route.policy, route.output_port) == ("src-ip", "rp")
    (nat,) = nb.rows(r.NAT)
    assert nat.gateway_port == lrp.uuid
    assert nat.allowed_ext_ips == nb.by_name(r.AddressSet, "as1").uuid  # type: ignore[union-attr]
    (meter,) = nb.rows(r.Meter)
    assert meter.unit == "pktps" and nb.resolve(r.MeterBand, meter.bands)[0].rate == 10
    (policy,) = nb.rows(r.LogicalRouterPolicy)
    assert policy.nexthops == ("192.0.2.5",)


def test_port_group_address_sets_are_known(write_yaml: Callable[[str], Path]) -> None:
    path = write_yaml(
        """
switches: [{name: S, ports: [{name: p}]}]
port_groups:
  - name: pg1
    ports: [p]
    acls: [{direction: to-lport, priority: 1, action: allow,
             match: 'outport == @pg1 && ip4.src == $pg1_ip4 &&
                     ip6.src == $pg1_ip6 && eth.src == "$x"'}]
"""
    )
    assert len(load_topology(path).nb.rows(r.ACL)) == 1


def test_runtime_section(write_yaml: Callable[[str], Path]) -> None:
    path = write_yaml(
        """
switches: [{name: S, ports: [{name: p}]}]
routers: [{name: R, ports: [{name: rp, mac: "00:00:00:00:00:01", networks: [10.0.0.1/24]}]}]
runtime:
  chassis: [{name: hv1, encaps: [{type: geneve, ip: 192.0.2.1}]}]
  port_bindings: {p: {chassis: hv1, up: false, tunnel_key: 5}}
  mac_bindings: [{logical_port: rp, ip: 10.0.0.9, mac: "52:54:00:00:00:09"}]
  fdb: [{mac: "52:54:00:00:00:01", datapath: S, port: p}]
  datapath_keys: {S: 3, R: 4}
traces: [{name: t, microflow: 'inport == "p"', datapath: S}]
"""
    )
    topo = load_topology(path)
    runtime = topo.nb.runtime
    assert runtime.chassis[0].hostname == "hv1"
    assert runtime.ports["p"].tunnel_key == 5 and runtime.ports["p"].up is False
    assert runtime.mac_bindings[0].mac == "52:54:00:00:00:09"
    assert runtime.fdb[0].port == "p"
    assert dict(runtime.datapath_keys) == {"S": 3, "R": 4}
    assert topo.traces == (NamedTrace(name="t", microflow='inport == "p"', datapath="S"),)
    assert not runtime.feature("port-up-notif")  # a chassis without the flag


def test_load_nb_dispatches_yaml() -> None:
    nb = load_nb(str(seed_path()))
    assert nb.by_name(r.LogicalSwitch, "A") is not None
    assert nb.runtime.ports["vm1"].chassis == "hv-a"


def test_documented_example_is_the_seed(tmp_path: Path) -> None:
    import re

    doc = Path(__file__).parents[2] / "docs" / "topology-format.md"
    (example,) = re.findall(r"```yaml\n(.*?)```", doc.read_text(), re.S)
    path = tmp_path / "example.yaml"
    path.write_text(example)
    documented, seed = load_topology(path), load_topology(seed_path())
    assert documented.nb.tables == seed.nb.tables
    assert documented.nb.runtime == seed.nb.runtime
    assert documented.traces == seed.traces
