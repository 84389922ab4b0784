"""openstacksdk (unmodified, auth type none with an endpoint) against a live `ovntwin serve`,
through the seed's workflow, checking the NB rows after each step as the CLI test does."""

from __future__ import annotations

from typing import Any

import openstack
import pytest
from openstack import exceptions

from clients import nb_expect as x
from clients.live import LiveServer

# the SDK's own deprecation notices about its internals, not about how it is called here
pytestmark = pytest.mark.filterwarnings("ignore::openstack.warnings._RemovedInSDKWarning")


def _connect(url: str) -> Any:
    return openstack.connect(
        auth_type="none", auth={"endpoint": url}, network_endpoint_override=url
    )


def _port(resource: Any) -> dict[str, Any]:
    """The SDK's Port as the API's dict (what the NB expectations read)."""
    return {
        "id": resource.id,
        "name": resource.name,
        "mac_address": resource.mac_address,
        "fixed_ips": resource.fixed_ips,
    }


def test_seed_workflow_through_openstacksdk(server: LiveServer) -> None:
    conn = _connect(server.url)
    net = conn.network
    nb = lambda: x.nb_tables(server.url)  # noqa: E731

    a = net.create_network(
        name="A",
        provider_network_type="vlan",
        provider_physical_network="physnet1",
        provider_segmentation_id=2011,
    )
    b = net.create_network(
        name="B",
        provider_network_type="vlan",
        provider_physical_network="physnet1",
        provider_segmentation_id=2010,
    )
    ext = net.create_network(
        name="ext",
        is_router_external=True,
        provider_network_type="flat",
        provider_physical_network="physnet1",
    )
    x.expect_provider_network(nb(), a.id, "A", "physnet1", 2011)
    x.expect_provider_network(nb(), b.id, "B", "physnet1", 2010)
    sub_a = net.create_subnet(network_id=a.id, ip_version=4, cidr="10.0.0.0/24", name="subA")
    sub_b = net.create_subnet(network_id=b.id, ip_version=4, cidr="10.0.1.0/24", name="subB")
    net.create_subnet(network_id=ext.id, ip_version=4, cidr="172.24.4.0/24", is_dhcp_enabled=False)

    router = net.create_router(name="R1", external_gateway_info={"network_id": ext.id})
    for sub in (sub_a, sub_b):
        net.add_interface_to_router(router, subnet_id=sub.id)
    owned = list(net.ports(device_id=router.id))
    gw = [_port(p) for p in owned if p.device_owner == "network:router_gateway"]
    interfaces = [_port(p) for p in owned if p.device_owner == "network:router_interface"]
    x.expect_router(nb(), {"id": router.id}, gw[0], interfaces, ["gw1", "gw2"])

    vm1 = net.create_port(network_id=a.id, name="vm1", binding_host_id="compute1")
    vm2 = net.create_port(network_id=b.id, name="vm2", binding_host_id="compute2")
    x.expect_vm_port(nb(), _port(vm1), "compute1", vm1.security_group_ids)
    x.expect_vm_port(nb(), _port(vm2), "compute2", vm2.security_group_ids)

    sg = vm1.security_group_ids[0]
    net.create_security_group_rule(
        security_group_id=sg,
        direction="ingress",
        ethertype="IPv4",
        protocol="tcp",
        port_range_min=22,
        port_range_max=22,
    )
    net.create_security_group_rule(
        security_group_id=sg, direction="ingress", ethertype="IPv4", protocol="icmp"
    )
    x.expect_sg_acl(nb(), sg, "tcp && tcp.dst == 22")
    x.expect_sg_acl(nb(), sg, "icmp4")

    policy = net.create_qos_policy(name="bw-limiter")
    rule = net.create_qos_bandwidth_limit_rule(
        policy, max_kbps=3000, max_burst_kbps=300, direction="egress"
    )
    net.update_port(vm1, qos_policy_id=policy.id)
    x.expect_port_qos(nb(), vm1.id, 3000, 300)
    assert "set_meter(3000, 300);" in x.trace(server.url, _port(vm1), "10.0.0.255")
    net.update_qos_bandwidth_limit_rule(rule, policy, max_kbps=5000, max_burst_kbps=500)
    assert net.get_qos_bandwidth_limit_rule(rule, policy).max_kbps == 5000
    x.expect_port_qos(nb(), vm1.id, 5000, 500)
    net.update_port(vm1, qos_policy_id=None)
    x.expect_port_qos(nb(), vm1.id, None, None)

    # the policy cannot go while a port uses it; it can once nothing does
    net.update_port(vm2, qos_policy_id=policy.id)
    with pytest.raises(exceptions.ConflictException):
        net.delete_qos_policy(policy)
    net.update_port(vm2, qos_policy_id=None)
    net.delete_qos_policy(policy)
    assert net.find_qos_policy("bw-limiter") is None
    assert x.rows(nb(), "QoS") == []


def test_sdk_sees_neutron_errors(server: LiveServer) -> None:
    conn = _connect(server.url)
    with pytest.raises(exceptions.BadRequestException) as bad:
        conn.network.create_network(
            provider_network_type="vlan",
            provider_physical_network="physnet1",
            provider_segmentation_id=5000,
        )
    assert "segmentation_id" in str(bad.value) or "5000" in str(bad.value)
    with pytest.raises(exceptions.NotFoundException):
        conn.network.get_network("6b1a1b52-3a2b-4e55-9b0c-3d9e7c4b1a11")
