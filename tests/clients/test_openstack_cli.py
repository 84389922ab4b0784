"""The real `openstack` CLI (python-openstackclient, unmodified, auth type none) against a
live `ovntwin serve`, through the seed's whole workflow. After each step the NB rows are
those ML2/OVN writes, and our tracer on that NB shows the effect."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

from clients import nb_expect as x
from clients.live import LiveServer


class Osc:
    def __init__(self, url: str) -> None:
        exe = shutil.which("openstack")
        assert exe, "python-openstackclient is required (pip install '.[test]')"
        self.base = [exe, "--os-auth-type", "none", "--os-endpoint", url]

    def __call__(self, *args: str) -> Any:
        """Run one command; its `-f json` output, or None for commands that print nothing."""
        takes_format = args[-1] != "--no-format"
        argv = [*self.base, *(args if takes_format else args[:-1])]
        if takes_format:
            argv += ["-f", "json"]
        done = subprocess.run(argv, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, f"openstack {' '.join(args)}:\n{done.stderr}"
        return json.loads(done.stdout) if done.stdout.strip() else None


def test_seed_workflow_through_openstack_cli(server: LiveServer) -> None:
    osc = Osc(server.url)
    nb = lambda: x.nb_tables(server.url)  # noqa: E731

    # networks A (VLAN 2011) and B (VLAN 2010) on physnet1, and the external network
    nets = {}
    for name, tag in (("A", 2011), ("B", 2010)):
        nets[name] = osc("network", "create", "--provider-network-type", "vlan",
                         "--provider-physical-network", "physnet1",
                         "--provider-segment", str(tag), name)  # fmt: skip
        assert nets[name]["provider:segmentation_id"] == tag
        x.expect_provider_network(nb(), nets[name]["id"], name, "physnet1", tag)
    ext = osc("network", "create", "--external", "--provider-network-type", "flat",
              "--provider-physical-network", "physnet1", "ext")  # fmt: skip
    x.expect_provider_network(nb(), ext["id"], "ext", "physnet1", None)

    segments = osc("network", "segment", "list", "--network", "A")
    assert [(x["Network Type"], x["Segment"]) for x in segments] == [("vlan", 2011)]
    agents = {a["Host"]: a["Agent Type"] for a in osc("network", "agent", "list")}
    gateway, compute = "OVN Controller Gateway agent", "OVN Controller agent"
    assert agents == {"compute1": compute, "compute2": compute, "gw1": gateway, "gw2": gateway}

    # subnets
    osc("subnet", "create", "--network", "A", "--subnet-range", "10.0.0.0/24", "subA")
    osc("subnet", "create", "--network", "B", "--subnet-range", "10.0.1.0/24", "subB")
    osc("subnet", "create", "--network", "ext", "--subnet-range", "172.24.4.0/24",
        "--no-dhcp", "ext-sub")  # fmt: skip

    # router with an external gateway and both subnets
    router = osc("router", "create", "R1")
    osc("router", "set", "--external-gateway", "ext", "R1", "--no-format")
    osc("router", "add", "subnet", "R1", "subA", "--no-format")
    osc("router", "add", "subnet", "R1", "subB", "--no-format")
    owned = [osc("port", "show", p["ID"]) for p in osc("port", "list", "--router", "R1")]
    gw = [p for p in owned if p["device_owner"] == "network:router_gateway"]
    interfaces = [p for p in owned if p["device_owner"] == "network:router_interface"]
    assert len(gw) == 1 and len(interfaces) == 2
    x.expect_router(nb(), router, gw[0], interfaces, ["gw1", "gw2"])

    # ports on chassis
    vm1 = osc("port", "create", "--network", "A", "--host", "compute1", "vm1")
    vm2 = osc("port", "create", "--network", "B", "--host", "compute2", "vm2")
    assert vm1["binding_host_id"] == "compute1"
    default_sg = vm1["security_group_ids"]
    x.expect_vm_port(nb(), vm1, "compute1", default_sg)
    x.expect_vm_port(nb(), vm2, "compute2", default_sg)

    # security group rules for TCP 22 and ICMP
    osc("security", "group", "rule", "create", "--protocol", "tcp", "--dst-port", "22",
        default_sg[0])  # fmt: skip
    osc("security", "group", "rule", "create", "--protocol", "icmp", default_sg[0])
    x.expect_sg_acl(nb(), default_sg[0], "tcp && tcp.dst == 22", "0.0.0.0/0")
    x.expect_sg_acl(nb(), default_sg[0], "icmp4", "0.0.0.0/0")

    # QoS: policy, egress bandwidth limit 3000/300, attached to vm1
    policy = osc("network", "qos", "policy", "create", "bw-limiter")
    limit = ("--max-kbps", "3000", "--max-burst-kbits", "300", "--egress")
    rule = osc(
        "network", "qos", "rule", "create", "--type", "bandwidth-limit", *limit, "bw-limiter"
    )
    assert (rule["max_kbps"], rule["max_burst_kbps"], rule["direction"]) == (3000, 300, "egress")
    x.expect_port_qos(nb(), vm1["id"], None, None)  # a policy alone limits nobody
    osc("port", "set", "--qos-policy", "bw-limiter", "vm1", "--no-format")
    assert osc("port", "show", "vm1")["qos_policy_id"] == policy["id"]
    x.expect_port_qos(nb(), vm1["id"], 3000, 300)
    assert "set_meter(3000, 300);" in x.trace(server.url, vm1, "10.0.0.255")

    # the rule changed at run time
    osc("network", "qos", "rule", "set", "--max-kbps", "5000", "--max-burst-kbits", "500",
        "bw-limiter", rule["id"], "--no-format")  # fmt: skip
    x.expect_port_qos(nb(), vm1["id"], 5000, 500)
    assert "set_meter(5000, 500);" in x.trace(server.url, vm1, "10.0.0.255")

    # and removed from the port
    osc("port", "unset", "--qos-policy", "vm1", "--no-format")
    x.expect_port_qos(nb(), vm1["id"], None, None)
    assert "set_meter" not in x.trace(server.url, vm1, "10.0.0.255")


def test_cli_errors_are_neutron_errors(server: LiveServer, tmp_path: Path) -> None:
    """A refused request reaches the operator as Neutron's message, naming the attribute."""
    osc = Osc(server.url)
    done = subprocess.run(
        [*osc.base, "network", "create", "--provider-network-type", "vlan",
         "--provider-physical-network", "physnet1", "--provider-segment", "5000", "bad"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode != 0
    assert "segmentation_id" in done.stderr or "5000" in done.stderr, done.stderr
