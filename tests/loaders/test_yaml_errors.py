"""Every YAML topology error names FILE:LINE and never shows a traceback."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from ovntwin.errors import LoadError
from ovntwin.loaders import load_topology

SWITCH = """\
switches:
  - name: A
    ports:
      - {name: vm1, addresses: ["00:00:00:00:00:01 10.0.0.1"]}
"""
ROUTER = """\
routers:
  - name: R
    ports:
      - name: r-A
        mac: "00:00:00:00:01:01"
        networks: [10.0.0.254/24]
"""

CASES: list[tuple[str, str, int, str]] = [
    ("syntax", "switches:\n  - name: A\n    ports: [x\n  - name: B\n", 4, "YAML syntax error"),
    ("tab", "switches:\n\t- name: A\n", 2, "YAML syntax error"),
    ("duplicate-key", "switches:\n  - name: A\n    name: B\n", 3, "duplicate key 'name'"),
    ("top-level-list", "- a\n- b\n", 1, "is not of type object"),
    ("unknown-top-key", SWITCH + "switchs: []\n", 5, "unknown key 'switchs'"),
    (
        "unknown-port-key",
        SWITCH + "      - name: vm2\n        adresses: []\n",
        6,
        "switches[0].ports[1]: unknown key 'adresses'",
    ),
    (
        "missing-name",
        "switches:\n  - ports: []\n    acls: []\n",
        2,
        "switches[0]: 'name' is a required property",
    ),
    (
        "tag-too-big",
        SWITCH + "      - name: ln\n        type: localnet\n        tag: 4096\n",
        7,
        "switches[0].ports[1].tag: 4096 is greater than the maximum of 4095",
    ),
    (
        "tag-zero",
        SWITCH + "      - {name: ln, type: localnet, tag: 0}\n",
        5,
        "switches[0].ports[1].tag: 0 is less than the minimum of 1",
    ),
    (
        "tag-string",
        SWITCH + "      - {name: ln, tag: vlan10}\n",
        5,
        "'vlan10' is not of type integer or null",
    ),
    (
        "tag-request",
        SWITCH + "      - {name: c, tag_request: 5000}\n",
        5,
        "tag_request: 5000 is greater",
    ),
    (
        "bad-acl-action",
        SWITCH + "    acls:\n      - {direction: to-lport, priority: 1, match: ip,\n"
        "         action: permit}\n",
        7,
        "'permit' is not one of",
    ),
    (
        "acl-priority",
        SWITCH + "    acls:\n      - direction: to-lport\n        priority: 40000\n"
        "        match: ip\n        action: drop\n",
        7,
        "40000 is greater than the maximum of 32767",
    ),
    ("dup-switch", SWITCH + "  - name: A\n", 5, "duplicate switch name 'A' (first at line 2)"),
    (
        "dup-port",
        SWITCH + "  - name: B\n    ports: [{name: vm1}]\n",
        6,
        "duplicate port name 'vm1' (first at line 4)",
    ),
    ("dup-port-lsp-lrp", SWITCH + ROUTER.replace("r-A", "vm1"), 8, "duplicate port name 'vm1'"),
    (
        "dup-uuid",
        "address_sets:\n  - {name: a, uuid: 11111111-1111-1111-1111-111111111111}\n"
        "  - {name: b, uuid: 11111111-1111-1111-1111-111111111111}\n",
        3,
        "duplicate uuid",
    ),
    ("bad-uuid", "address_sets:\n  - {name: a, uuid: nope}\n", 2, "does not match"),
    (
        "bad-mac",
        ROUTER.replace('"00:00:00:00:01:01"', "00:00:00:00:01"),
        5,
        "router port r-A: bad MAC address '00:00:00:00:01'",
    ),
    (
        "bad-cidr",
        ROUTER.replace("[10.0.0.254/24]", "[10.0.0.254/24,\n                   10.0.0.300/24]"),
        7,
        "bad network '10.0.0.300/24'",
    ),
    ("no-prefix", ROUTER.replace("10.0.0.254/24", "10.0.0.254"), 6, "has no prefix length"),
    (
        "no-networks",
        ROUTER.replace("        networks: [10.0.0.254/24]\n", ""),
        4,
        "'networks' is a required property",
    ),
    (
        "pg-member-lrp",
        SWITCH + ROUTER + "port_groups:\n  - name: pg\n    ports: [vm1,\n      r-A]\n",
        14,
        "port group pg: 'r-A' is a router port, not a switch port",
    ),
    (
        "pg-member-unknown",
        SWITCH + "port_groups:\n  - name: pg\n    ports:\n      - vm9\n",
        8,
        "port group pg: unknown logical switch port 'vm9'",
    ),
    (
        "unknown-address-set",
        SWITCH + "    acls:\n      - direction: to-lport\n        priority: 1\n"
        "        match: ip4.src == $nope\n        action: drop\n",
        8,
        "match refers to unknown address set $nope",
    ),
    (
        "unknown-port-group",
        SWITCH + "    acls:\n      - {direction: to-lport, priority: 1,\n"
        "         match: outport == @pg, action: drop}\n",
        7,
        "unknown port group @pg",
    ),
    (
        "unknown-ha-group",
        SWITCH + "      - {name: vm2, ha_chassis_group: hag}\n",
        5,
        "unknown HA chassis group 'hag'",
    ),
    (
        "unknown-nat-as",
        ROUTER + "    nat:\n      - {type: snat, external_ip: 1.1.1.1, logical_ip: 10.0.0.0/24,\n"
        "         allowed_ext_ips: nope}\n",
        9,
        "unknown address set 'nope'",
    ),
    (
        "runtime-unknown-port",
        SWITCH + "runtime:\n  port_bindings:\n    vm9: {up: true}\n",
        7,
        "unknown logical port 'vm9'",
    ),
    (
        "runtime-unknown-chassis",
        SWITCH + "runtime:\n  port_bindings:\n    vm1:\n      chassis: hv9\n",
        8,
        "port vm1: unknown chassis 'hv9'",
    ),
    (
        "runtime-dup-chassis",
        "runtime:\n  chassis:\n    - name: hv1\n    - name: hv1\n",
        4,
        "duplicate chassis name 'hv1'",
    ),
    (
        "runtime-fdb-datapath",
        SWITCH + ROUTER + "runtime:\n  fdb:\n    - {mac: 'a', datapath: R, port: vm1}\n",
        13,
        "unknown logical switch 'R'",
    ),
    (
        "runtime-dp-key",
        SWITCH + "runtime:\n  datapath_keys:\n    A: 1\n    Z: 2\n",
        8,
        "unknown logical switch or router 'Z'",
    ),
    (
        "runtime-dp-key-range",
        SWITCH + "runtime:\n  datapath_keys: {A: 0}\n",
        6,
        "less than the minimum",
    ),
    (
        "trace-datapath",
        SWITCH + "traces:\n  - name: t\n    microflow: x\n    datapath: Q\n",
        8,
        "unknown logical switch or router 'Q'",
    ),
    (
        "trace-dup",
        "traces:\n  - {name: t, microflow: x}\n  - {name: t, microflow: y}\n",
        3,
        "duplicate trace name 't' (first at line 2)",
    ),
    ("options-nested", SWITCH + "      - {name: p, options: {a: {b: c}}}\n", 5, "is not of type"),
    (
        "nat-bad-external-ip",
        SWITCH
        + ROUTER
        + "    nat:\n      - {type: snat, external_ip: 10.0.0.300, logical_ip: 10.0.0.0/24}\n",
        12,
        "NAT external_ip: '10.0.0.300' is not an IP address",
    ),
    (
        "nat-external-ip-network",
        SWITCH
        + ROUTER
        + "    nat:\n      - {type: snat, external_ip: 10.9.0.0/24, logical_ip: 10.0.0.5}\n",
        12,
        "'10.9.0.0/24' is not an IP address",
    ),
    (
        "nat-bad-logical-ip",
        SWITCH + ROUTER + "    nat:\n      - type: dnat\n        external_ip: 10.9.0.5\n"
        "        logical_ip: vm1\n",
        14,
        "NAT logical_ip: 'vm1' is not an IP address or network",
    ),
    (
        "nat-bad-external-mac",
        SWITCH + ROUTER + "    nat:\n      - type: dnat_and_snat\n        external_ip: 10.9.0.5\n"
        "        logical_ip: 10.0.0.1\n        logical_port: vm1\n        external_mac: fa:16\n",
        16,
        "NAT external_mac: bad MAC address 'fa:16'",
    ),
    (
        "nat-unknown-logical-port",
        SWITCH + ROUTER + "    nat:\n      - type: dnat_and_snat\n        external_ip: 10.9.0.5\n"
        "        logical_ip: 10.0.0.1\n        logical_port: vm9\n",
        15,
        "NAT logical_port: unknown switch port 'vm9'",
    ),
    (
        "nat-unknown-gateway-port",
        SWITCH
        + ROUTER
        + "    nat:\n      - {type: snat, external_ip: 10.9.0.5, logical_ip: 10.0.0.0/24,\n"
        "         gateway_port: r-Z}\n",
        13,
        "unknown router port 'r-Z'",
    ),
    (
        "nat-bad-type",
        SWITCH
        + ROUTER
        + "    nat:\n      - {type: masquerade, external_ip: 10.9.0.5, logical_ip: 10.0.0.1}\n",
        12,
        "routers[0].nat[0].type: 'masquerade' is not one of",
    ),
    (
        "qos-dscp-range",
        "switches:\n  - name: A\n    qos_rules:\n      - direction: from-lport\n"
        "        priority: 2002\n"
        "        match: 'inport == \"p\"'\n        action: {dscp: 64}\n",
        7,
        "64 is greater than the maximum of 63",
    ),
    (
        "hcg-unknown",
        ROUTER + "        ha_chassis_group: nope\n",
        7,
        "unknown HA chassis group 'nope'",
    ),
]


@pytest.mark.parametrize(
    ("text", "line", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_error_names_file_and_line(
    write_yaml: Callable[[str], Path], text: str, line: int, message: str
) -> None:
    path = write_yaml(text)
    with pytest.raises(LoadError) as info:
        load_topology(path)
    text_of_error = str(info.value)
    assert text_of_error.startswith(f"{path}:{line}: "), text_of_error
    assert message in text_of_error


def test_missing_file_is_a_load_error(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="cannot read"):
        load_topology(tmp_path / "nope.yaml")


def test_empty_file_is_a_load_error(write_yaml: Callable[[str], Path]) -> None:
    path = write_yaml("")
    with pytest.raises(LoadError, match=rf"^{path}:1: "):
        load_topology(path)


def test_errors_are_reported_topmost_first(write_yaml: Callable[[str], Path]) -> None:
    path = write_yaml("switches:\n  - name: A\n    bogus: 1\n  - name: B\n    tag: 1\n")
    with pytest.raises(LoadError, match=rf"^{path}:3: .*unknown key 'bogus' \(and 1 more"):
        load_topology(path)
