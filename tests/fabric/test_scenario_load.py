"""Scenario files: the shipped examples load with the values they say, and mistakes are
reported as FILE:LINE with the line of the offending node."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ovntwin.agents.replay import is_replay
from ovntwin.errors import LoadError
from ovntwin.fabric import scenario as sc
from ovntwin.fabric.load import load_scenario, scenario_variants
from ovntwin.model import rows as r

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

# -- the shipped examples ------------------------------------------------------------


def test_examples_load_in_every_variant() -> None:
    for path in sorted(EXAMPLES.glob("*.yaml")):
        if path.name == "seed-network.yaml" or is_replay(path):
            continue  # a topology, and API replays (tests/cli/test_simulate_api.py)
        for variant in (None, *scenario_variants(path)):
            scenario = load_scenario(path, variant)
            assert scenario.variant == variant
            assert scenario.until_us > 0


def test_vlan_dvr_flapping() -> None:
    path = EXAMPLES / "vlan-dvr-flapping.yaml"
    assert scenario_variants(path) == ("with-chassis-mac-mappings", "reside-on-redirect-chassis")
    s = load_scenario(path)
    assert s.until_us == 60_000_000 and s.seed == 1
    assert [c.name for c in s.fabric.chassis] == ["hv-a", "hv-b", "gw1", "gw2"]
    tor = s.fabric.switches[0]
    assert tor.mac_aging_us == 300_000_000
    policy = tor.move_detection
    assert policy is not None and policy.preset == "nexus-9000"
    assert (policy.moves, policy.window_us, policy.hold_us) == (6, 30_000_000, 120_000_000)
    assert policy.action == "stop-learning"
    assert {p.vif: p.chassis for p in s.placement} == {
        "vm1": "hv-a",
        "vm2": "hv-a",
        "vm6": "hv-a",
        "vm3": "hv-b",
        "vm4": "hv-b",
        "vm5": "hv-b",
    }
    pings = {t.name: t for t in s.traffic}
    assert pings["vm1-to-vm4"] == sc.Ping(
        name="vm1-to-vm4",
        source="vm1",
        dst_ip="10.0.2.14",
        start_us=1_000_000,
        interval_us=1_000_000,
    )
    assert pings["vm6-to-vm3"].dst_ip == "10.0.1.13"
    hv_a = next(c for c in s.nb.runtime.chassis if c.name == "hv-a")
    assert hv_a.other_config["ovn-bridge-mappings"] == "physnet1:br-ex"
    assert "ovn-chassis-mac-mappings" not in hv_a.other_config
    assert hv_a.encaps[0].ip == "192.0.2.11"
    gw1 = next(c for c in s.nb.runtime.chassis if c.name == "gw1")
    assert gw1.other_config["ovn-bridge-mappings"] == "physnet1:br-ex,external:br-ext"
    assert gw1.other_config["ovn-cms-options"] == "enable-chassis-as-gw"
    assert s.nb.runtime.ports["vm6"].chassis == "hv-a"
    assert s.nb.runtime.mac_bindings[0].mac == "52:54:00:00:99:01"
    assert s.fabric.links.at(s.fabric.chassis[0].nics[0].attachment).delay_us == 10


def test_vlan_dvr_flapping_variants() -> None:
    path = EXAMPLES / "vlan-dvr-flapping.yaml"
    mapped = load_scenario(path, "with-chassis-mac-mappings")
    macs = {
        c.name: c.other_config.get("ovn-chassis-mac-mappings") for c in mapped.nb.runtime.chassis
    }
    assert macs["hv-a"] == "physnet1:0e:00:00:00:00:0a"
    assert macs["gw2"] == "physnet1:0e:00:00:00:00:02"
    # the patch changed only the mappings: bridge mappings and NICs are the base's
    assert mapped.fabric.chassis[0].bridge_mappings == {"physnet1": "br-ex"}
    assert len(mapped.fabric.chassis[2].nics) == 3
    reside = load_scenario(path, "reside-on-redirect-chassis")
    lrps = {p.name: p for p in reside.nb.rows(r.LogicalRouterPort)}
    assert lrps["r1-A"].options == {"reside-on-redirect-chassis": "true"}
    assert lrps["r1-B"].options == {"reside-on-redirect-chassis": "true"}
    assert lrps["r1-A"].mac == "fa:16:3e:00:01:01"  # merged by name, not replaced
    assert len(lrps["r1-ext"].gateway_chassis) == 2
    base = load_scenario(path)
    assert {p.name: p for p in base.nb.rows(r.LogicalRouterPort)}["r1-A"].options == {}


def test_l3ha_failover() -> None:
    path = EXAMPLES / "l3ha-failover.yaml"
    s = load_scenario(path)
    assert s.events == (sc.ChassisEvent(at_us=10_000_000, action="crash", chassis="gw1"),)
    (ping,) = s.traffic
    assert isinstance(ping, sc.Ping)
    assert (ping.source, ping.dst_ip, ping.interval_us) == ("vm1", "172.24.4.1", 100_000)
    assert "bfd-min-rx" not in s.nb.options
    fast = load_scenario(path, "bfd-100-100-3")
    assert {k: fast.nb.options[k] for k in ("bfd-min-rx", "bfd-min-tx", "bfd-mult")} == {
        "bfd-min-rx": "100",
        "bfd-min-tx": "100",
        "bfd-mult": "3",
    }
    assert fast.nb.options["mac_prefix"] == "0a:00:00"  # merged into the base options


def test_qos_bandwidth_limit() -> None:
    s = load_scenario(EXAMPLES / "qos-bandwidth-limit.yaml")
    assert s.until_us == 40_000_000
    (udp,) = s.traffic
    assert isinstance(udp, sc.UdpFlow) and udp.rate_kbps == 10_000_000 and udp.dst_ip == "10.0.1.13"
    events = [e for e in s.events if isinstance(e, sc.QoSEvent)]
    assert [(e.at_us, e.action) for e in events] == [
        (10_000_000, "apply"),
        (20_000_000, "update"),
        (30_000_000, "remove"),
    ]
    first = events[0].row
    assert first is not None
    assert (first.priority, first.direction, first.match) == (2002, "from-lport", 'inport == "vm2"')
    assert first.bandwidth == {"rate": 3000, "burst": 300} and first.action == {}
    assert events[1].row is not None and events[1].row.bandwidth == {"rate": 5000, "burst": 500}
    assert events[2].row is None and events[0].switch == "A"
    nb = s.nb
    for event in events[:2]:
        nb = sc.with_qos(nb, event)
    switch_a = nb.by_name(r.LogicalSwitch, "A")
    assert switch_a is not None and len(switch_a.qos_rules) == 1
    assert nb.get(r.QoS, switch_a.qos_rules[0]).bandwidth == {"rate": 5000, "burst": 500}
    nb = sc.with_qos(nb, events[2])
    assert nb.by_name(r.LogicalSwitch, "A").qos_rules == ()  # type: ignore[union-attr]
    assert nb.rows(r.QoS) == []


# -- a small inline scenario ------------------------------------------------------------

BASE = """\
topology:
  switches:
    - name: A
      ports:
        - {name: ln-A, type: localnet, addresses: [unknown], tag: 100,
           options: {network_name: phys}}
        - {name: vm1, addresses: ["00:00:00:00:00:01 10.0.0.1"]}
        - {name: vm2, addresses: ["00:00:00:00:00:02 10.0.0.2"]}
    - name: O
      ports:
        - {name: vm3, addresses: ["00:00:00:00:00:03 10.1.0.3"]}
fabric:
  networks:
    - {name: phys, kind: vlan}
    - {name: tun, kind: overlay, underlay: 192.0.2.0/24}
  switches:
    - name: tor
      move_detection: {preset: comware, action: notify}
      ports:
        - {name: p1, vlans: [100]}
        - {name: p2, vlans: [100, 200]}
        - {name: t1, mode: access, vlan: 10}
        - {name: t2, mode: access, vlan: 10}
        - {name: h1, mode: access, vlan: 100}
  chassis:
    - name: hv1
      encap_ip: 192.0.2.1
      ovn-bridge-mappings: "phys:br-ex"
      nics: {phys: "tor:p1", tun: "tor:t1"}
    - name: hv2
      encap_ip: 192.0.2.2
      ovn-bridge-mappings: {phys: br-ex}
      nics: {phys: "tor:p2", tun: "tor:t2"}
  hosts:
    - {name: srv, network: phys, mac: "52:54:00:00:00:09", ip: 10.0.0.9/24, port: "tor:h1"}
  links:
    delay_us: 20
    overrides:
      "tor:h1": {delay_ms: 1.5}
placement:
  vm1: hv1
  vm2: {chassis: hv2, ingress_policing_rate: 1000, ingress_policing_burst: 100}
  vm3: hv2
traffic:
  - {name: p, type: ping, from: vm1, to: vm2, start_ms: 500, count: 3}
  - {name: u, type: udp, from: vm2, to: 10.0.0.9, start_s: 1, stop_s: 2, rate_kbps: 1000}
  - {name: t, type: tcp, from: srv, to: vm1, start_s: 0.25}
events:
  - {at_s: 2, type: qos-update, port: vm1, max_kbps: 2000}
  - {at_s: 1, type: qos-apply, port: vm1, max_kbps: 1000, max_burst_kbits: 100, dscp_mark: 10}
  - {at_ms: 1500, type: nic-down, chassis: hv1, network: phys}
  - {at_s: 3, type: overlay-partition, groups: [[hv1], [hv2]]}
  - {at_s: 4, type: link-down, port: "tor:h1"}
  - {at_s: 4.5, type: chassis-crash, chassis: hv2}
until_s: 5
variants:
  v1:
    fabric:
      chassis:
        - {name: hv1, ovn-chassis-mac-mappings: "phys:0E:00:00:00:00:01"}
"""


def _write(tmp_path: Path, text: str, name: str = "s.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_inline_scenario_values(tmp_path: Path) -> None:
    s = load_scenario(_write(tmp_path, BASE))
    assert s.fabric.chassis_named("hv1").bridge_mappings == {"phys": "br-ex"}  # type: ignore[union-attr]
    policy = s.fabric.switches[0].move_detection
    assert policy is not None and (policy.moves, policy.action) == (3, "notify")
    assert s.fabric.hosts[0].prefix_len == 24
    assert s.fabric.links.at(s.fabric.hosts[0].attachment).delay_us == 1500
    assert s.placed("vm2") is not None and s.placed("vm2").ingress_policing_burst == 100  # type: ignore[union-attr]
    ping, udp, tcp = s.traffic
    assert isinstance(ping, sc.Ping) and (ping.start_us, ping.count, ping.dst_ip) == (
        500_000,
        3,
        "10.0.0.2",
    )
    assert isinstance(udp, sc.UdpFlow) and (udp.start_us, udp.stop_us) == (1_000_000, 2_000_000)
    assert isinstance(tcp, sc.TcpFlow) and (tcp.source, tcp.start_us) == ("srv", 250_000)
    kinds = [type(e).__name__ for e in s.events]
    assert kinds == [
        "QoSEvent",
        "LinkEvent",
        "QoSEvent",
        "PartitionEvent",
        "LinkEvent",
        "ChassisEvent",
    ]
    apply = s.events[0]
    assert isinstance(apply, sc.QoSEvent) and apply.row is not None
    assert apply.row.action == {"dscp": 10} and apply.row.bandwidth == {"rate": 1000, "burst": 100}
    link = s.events[4]
    assert isinstance(link, sc.LinkEvent) and link.host == "srv" and not link.up
    v1 = load_scenario(_write(tmp_path, BASE), "v1")
    hv1 = next(c for c in v1.nb.runtime.chassis if c.name == "hv1")
    assert hv1.other_config["ovn-chassis-mac-mappings"] == "phys:0e:00:00:00:00:01"


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


# (what to replace in BASE, replacement, text of the line the error must point at, message)
MISTAKES = [
    (
        "      encap_ip: 192.0.2.1\n",
        "      encap-ip: 192.0.2.1\n",
        "encap-ip",
        "unknown key 'encap-ip'",
    ),
    ("until_s: 5", "until_s: ten", "until_s: ten", "is not of type number"),
    ("  vm1: hv1\n", "  vm1: hv9\n", "vm1: hv9", "unknown chassis 'hv9'"),
    ("  vm3: hv2\n", "  vm3: hv2\n  vm9: hv2\n", "vm9: hv2", "'vm9' is not a logical switch port"),
    ('tun: "tor:t1"', 'tun: "tor:t9"', 'tun: "tor:t9"', "switch tor has no port 't9'"),
    ('phys: "tor:p2"', 'phys: "tor:p1"', 'phys: "tor:p1", tun: "tor:t2"', "already wired"),
    (
        "options: {network_name: phys}",
        "options: {network_name: physX}",
        "physX",
        "network_name 'physX' is not a vlan or flat network",
    ),
    (
        "{name: p2, vlans: [100, 200]}",
        "{name: p2, vlans: [200]}",
        'phys: "tor:p2"',
        "does not carry VLAN 100",
    ),
    ('"phys:br-ex"', '"phys:br-ex,nope:br-x"', "nope:br-x", "unknown physical network 'nope'"),
    (
        "{at_s: 2, type: qos-update",
        "{at_s: 0.5, type: qos-update",
        "at_s: 0.5",
        "qos-update: vm1 has no egress QoS rule",
    ),
    ("{at_s: 4, type: link-down", "{at_s: 7, type: link-down", "at_s: 7", "not before the end"),
    ("{at_s: 3, type: overlay", "{at_s: 3, at_ms: 3, type: overlay", "at_ms: 3", "both given"),
    (
        "groups: [[hv1], [hv2]]",
        "groups: [[hv1], [hv1]]",
        "groups: [[hv1], [hv1]]",
        "chassis hv1 is in two groups",
    ),
    (
        "from: vm2, to: 10.0.0.9",
        "from: srv9, to: 10.0.0.9",
        "from: srv9",
        "'srv9' is neither a VIF of the topology nor a host",
    ),
    ("  vm1: hv1\n", "", "from: vm1, to: vm2", "'vm1' sends traffic but is not placed"),
    ("to: vm2, start_ms", "to: 10.0.0.300, start_ms", "10.0.0.300", "is not an IP address"),
    (
        "    - name: hv2\n",
        "    - name: hv1  # again\n",
        "hv1  # again",
        "duplicate chassis name 'hv1'",
    ),
    ("encap_ip: 192.0.2.2", "encap_ip: 198.51.100.2", "198.51.100.2", "outside the overlay"),
    ("{preset: comware, action: notify}", "{moves: 3}", "move_detection", "give a `preset`"),
    (
        "network: phys, mac:",
        "network: tun, mac:",
        "name: srv",
        "'tun' is not a vlan or flat network",
    ),
    (
        "{name: vm1, addresses",
        "{name: vm1, type: localport, addresses",
        "  vm1: hv1",
        "'vm1' is a localport port, not a VIF",
    ),
    (
        "ovn-bridge-mappings: {phys: br-ex}",
        "ovn-bridge-mappings: {}",
        "  vm2: {chassis",
        "has no ovn-bridge-mappings entry for phys",
    ),
    ("type: ping", "type: pong", "type: pong", "is not one of ping, udp, tcp"),
]


@pytest.mark.parametrize(("old", "new", "at", "message"), MISTAKES)
def test_mistakes_are_reported_with_file_and_line(
    tmp_path: Path, old: str, new: str, at: str, message: str
) -> None:
    assert old in BASE
    text = BASE.replace(old, new, 1)
    path = _write(tmp_path, text)
    with pytest.raises(LoadError) as err:
        load_scenario(path)
    wanted = f"{path}:{_line_of(text, at)}: "
    assert str(err.value).startswith(wanted), str(err.value)
    assert message in str(err.value)


def test_unknown_variant(tmp_path: Path) -> None:
    path = _write(tmp_path, BASE)
    with pytest.raises(LoadError, match=re.escape(f"{path}:{_line_of(BASE, 'variants:')}: ")):
        load_scenario(path, "v2")


TOPOLOGY = """\
switches:
  - name: ext
    ports:
      - {name: ln-ext, type: localnet, addresses: [unknown], options: {network_name: phys}}
      - {name: ext-r, type: router, addresses: [router], options: {router-port: r-ext}}
      - {name: vm1, addresses: ["00:00:00:00:00:01 10.0.0.1"]}
routers:
  - name: R
    ports:
      - name: r-ext
        mac: "00:00:00:00:01:01"
        networks: [10.0.0.254/24]
        gateway_chassis: [{chassis_name: gw9, priority: 10}]
"""

SCENARIO = """\
topology: topo.yaml
fabric:
  networks: [{name: phys, kind: flat}]
  switches: [{name: tor, ports: [{name: p1}]}]
  chassis:
    - {name: hv1, ovn-bridge-mappings: {phys: br-ex}, nics: {phys: "tor:p1"}}
placement: {vm1: hv1}
until_s: 1
variants:
  fix:
    topology:
      routers:
        - name: R
          ports:
            - name: r-ext
              gateway_chassis: [{chassis_name: hv1, priority: 10}]
  bad:
    topology:
      switches:
        - name: ext
          ports:
            - {name: vm1, tag: 5000}
"""


def test_errors_name_the_file_the_node_came_from(tmp_path: Path) -> None:
    topo = _write(tmp_path, TOPOLOGY, "topo.yaml")
    path = _write(tmp_path, SCENARIO)
    with pytest.raises(LoadError) as err:
        load_scenario(path)  # gw9 is not a fabric chassis: the topology file's line
    assert str(err.value).startswith(f"{topo.resolve()}:{_line_of(TOPOLOGY, 'gw9')}: ")
    assert "gateway chassis 'gw9' is not a chassis of the fabric" in str(err.value)
    fixed = load_scenario(path, "fix")
    assert fixed.topology.source == str(topo.resolve())
    with pytest.raises(LoadError) as err:
        load_scenario(path, "bad")  # the variant's patch: the scenario file's line
    assert str(err.value).startswith(f"{path}:{_line_of(SCENARIO, 'tag: 5000')}: ")
    assert "5000" in str(err.value)


def test_missing_topology_file(tmp_path: Path) -> None:
    path = _write(tmp_path, SCENARIO.replace("topo.yaml", "nope.yaml"))
    with pytest.raises(
        LoadError, match=re.escape(f"{path}:1: topology file 'nope.yaml' not found")
    ):
        load_scenario(path)


def test_schema_is_a_valid_json_schema() -> None:
    import jsonschema

    from ovntwin.fabric.load import scenario_schema

    jsonschema.Draft202012Validator.check_schema(scenario_schema())


def test_variant_replaces_scalars_and_unnamed_lists(tmp_path: Path) -> None:
    text = BASE + "  v2:\n    until_s: 6\n    events: []\n    description: other\n"
    s = load_scenario(_write(tmp_path, text), "v2")
    assert (s.until_us, s.events, s.description) == (6_000_000, (), "other")
    assert s.variants == ("v1", "v2")
