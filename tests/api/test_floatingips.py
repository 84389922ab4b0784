from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from .test_routers import _error, _ok, _post, _router_put, external, internal


def _topology(client: TestClient) -> dict[str, Any]:
    """public net with a router gateway, a tenant subnet on the router, one VM port."""
    ext, ext_subnet = external(client)
    net, subnet = internal(client)
    router = _post(client, "router", name="r", external_gateway_info={"network_id": ext["id"]})
    _ok(_router_put(client, router["id"], "add_router_interface", {"subnet_id": subnet["id"]}))
    vm = _post(client, "port", network_id=net["id"], name="vm")
    return {"ext": ext, "ext_subnet": ext_subnet, "net": net, "router": router, "vm": vm}


def _fip(client: TestClient, **attrs: Any) -> dict[str, Any]:
    return _post(client, "floatingip", **attrs)


def test_fip_associated_on_create(client: TestClient) -> None:
    t = _topology(client)
    fip = _fip(client, floating_network_id=t["ext"]["id"], port_id=t["vm"]["id"])
    assert fip["floating_ip_address"] == "172.24.4.3"  # .2 is the router gateway
    assert fip["port_id"] == t["vm"]["id"] and fip["fixed_ip_address"] == "10.0.0.2"
    assert fip["router_id"] == t["router"]["id"] and fip["status"] == "ACTIVE"
    assert fip["qos_policy_id"] is None and "subnet_id" not in fip
    assert fip["port_details"]["network_id"] == t["net"]["id"]
    own = _ok(client.get("/v2.0/ports", params={"device_owner": "network:floatingip"}))["ports"]
    assert [(p["device_id"], p["project_id"]) for p in own] == [(fip["id"], "")]
    gw = _error(
        client.put(
            f"/v2.0/routers/{t['router']['id']}", json={"router": {"external_gateway_info": None}}
        ),
        409,
    )
    assert gw["type"] == "RouterExternalGatewayInUseByFloatingIp"
    direct = _error(client.delete(f"/v2.0/ports/{own[0]['id']}"), 409)
    assert direct["type"] == "ServicePortInUse"


def test_fip_associate_disassociate_delete(client: TestClient) -> None:
    t = _topology(client)
    fip = _fip(client, floating_network_id=t["ext"]["id"], floating_ip_address="172.24.4.50")
    assert fip["floating_ip_address"] == "172.24.4.50"
    assert fip["port_id"] is None and fip["router_id"] is None and fip["status"] == "DOWN"
    url = f"/v2.0/floatingips/{fip['id']}"
    up = _ok(client.put(url, json={"floatingip": {"port_id": t["vm"]["id"]}}))["floatingip"]
    assert up["router_id"] == t["router"]["id"] and up["status"] == "ACTIVE"
    second = _error(
        client.post(
            "/v2.0/floatingips",
            json={"floatingip": {"floating_network_id": t["ext"]["id"], "port_id": t["vm"]["id"]}},
        ),
        409,
    )
    assert second["type"] == "FloatingIPPortAlreadyAssociated"
    down = _ok(client.put(url, json={"floatingip": {"port_id": None}}))["floatingip"]
    assert down["port_id"] is None and down["fixed_ip_address"] is None
    assert down["router_id"] is None and down["status"] == "DOWN"
    _ok(client.put(url, json={"floatingip": {"port_id": t["vm"]["id"]}}))
    # deleting the VM port disassociates the FIP (l3_db.disassociate_floatingips)
    _ok(client.delete(f"/v2.0/ports/{t['vm']['id']}"), 204)
    after = _ok(client.get(url))["floatingip"]
    assert after["port_id"] is None and after["status"] == "DOWN"
    _ok(client.delete(url), 204)
    left = _ok(client.get("/v2.0/ports", params={"device_owner": "network:floatingip"}))
    assert left["ports"] == []


def test_fip_errors(client: TestClient) -> None:
    t = _topology(client)
    tenant_net = t["net"]["id"]
    err = _error(
        client.post("/v2.0/floatingips", json={"floatingip": {"floating_network_id": tenant_net}}),
        400,
    )
    assert err["message"] == (
        f"Bad floatingip request: Network {tenant_net} is not a valid external network."
    )
    err = _error(client.post("/v2.0/floatingips", json={"floatingip": {}}), 400)
    assert "floating_network_id" in err["message"]
    # a subnet with no router towards the external network
    lonely, subnet = internal(client, "10.7.0.0/24")
    port = _post(client, "port", network_id=lonely["id"])
    err = _error(
        client.post(
            "/v2.0/floatingips",
            json={"floatingip": {"floating_network_id": t["ext"]["id"], "port_id": port["id"]}},
        ),
        404,
    )
    assert err["type"] == "ExternalGatewayForFloatingIPNotFound"
    assert err["message"] == (
        f"External network {t['ext']['id']} is not reachable from subnet {subnet['id']}.  "
        f"Therefore, cannot associate Port {port['id']} with a Floating IP."
    )
    v6net = _post(client, "network", name="v6")
    _post(client, "subnet", network_id=v6net["id"], cidr="fd00::/64", ip_version=6)
    v6port = _post(client, "port", network_id=v6net["id"])
    err = _error(
        client.post(
            "/v2.0/floatingips",
            json={"floatingip": {"floating_network_id": t["ext"]["id"], "port_id": v6port["id"]}},
        ),
        400,
    )
    assert "no fixed IPv4 addresses" in err["message"]
    err = _error(
        client.post(
            "/v2.0/floatingips",
            json={
                "floatingip": {
                    "floating_network_id": t["ext"]["id"],
                    "fixed_ip_address": "10.0.0.9",
                }
            },
        ),
        400,
    )
    assert "fixed_ip_address cannot be specified without a port_id" in err["message"]
    assert _ok(client.get("/v2.0/floatingips"))["floatingips"] == []


def test_fip_interface_in_use_and_qos(client: TestClient) -> None:
    t = _topology(client)
    policy = _ok(client.post("/v2.0/qos/policies", json={"policy": {"name": "fip"}}), 201)
    fip = _fip(
        client,
        floating_network_id=t["ext"]["id"],
        port_id=t["vm"]["id"],
        qos_policy_id=policy["policy"]["id"],
    )
    assert fip["qos_policy_id"] == policy["policy"]["id"]
    subnet_id = t["vm"]["fixed_ips"][0]["subnet_id"]
    err = _error(
        _router_put(client, t["router"]["id"], "remove_router_interface", {"subnet_id": subnet_id}),
        409,
    )
    assert err["type"] == "RouterInterfaceInUseByFloatingIP"
    err = _error(client.delete(f"/v2.0/qos/policies/{policy['policy']['id']}"), 409)
    assert err["type"] == "QosPolicyInUse" and "floatingip" in err["message"]
    net_err = _error(client.delete(f"/v2.0/networks/{t['ext']['id']}"), 409)
    assert net_err["type"] == "NetworkInUse"
