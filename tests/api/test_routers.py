from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient


def _ok(r: Any, status: int = 200) -> Any:
    assert r.status_code == status, r.text
    return r.json() if r.content else None


def _error(r: Any, status: int) -> dict[str, Any]:
    assert r.status_code == status, r.text
    return r.json()["NeutronError"]  # type: ignore[no-any-return]


def _post(client: TestClient, kind: str, **attrs: Any) -> dict[str, Any]:
    return _ok(client.post(f"/v2.0/{kind}s", json={kind: attrs}), 201)[kind]  # type: ignore[no-any-return]


def external(client: TestClient) -> tuple[dict[str, Any], dict[str, Any]]:
    net = _post(
        client,
        "network",
        name="public",
        **{
            "router:external": True,
            "provider:network_type": "flat",
            "provider:physical_network": "physnet1",
        },
    )
    subnet = _post(client, "subnet", network_id=net["id"], cidr="172.24.4.0/24", ip_version=4)
    return net, subnet


def internal(
    client: TestClient, cidr: str = "10.0.0.0/24"
) -> tuple[dict[str, Any], dict[str, Any]]:
    net = _post(client, "network", name=f"net-{cidr}")
    subnet = _post(client, "subnet", network_id=net["id"], cidr=cidr, ip_version=4)
    return net, subnet


def _router_put(client: TestClient, router_id: str, action: str, body: Any) -> Any:
    return client.put(f"/v2.0/routers/{router_id}/{action}", json=body)


def test_router_defaults_and_extensions(client: TestClient) -> None:
    router = _post(client, "router", name="r1")
    assert router["status"] == "ACTIVE" and router["admin_state_up"] is True
    assert router["external_gateway_info"] is None and router["routes"] == []
    assert router["distributed"] is False and router["ha"] is False
    assert router["flavor_id"] is None and router["availability_zone_hints"] == []
    assert router["revision_number"] == 0 and router["tags"] == []
    aliases = {e["alias"] for e in _ok(client.get("/v2.0/extensions"))["extensions"]}
    assert {"router", "ext-gw-mode", "extraroute", "extraroute-atomic", "qos-fip"} <= aliases
    assert "qos-gateway-ip" in aliases
    err = _error(client.get("/v2.0/routers/0b4c1e3a-9b9e-4f5e-8a8f-1c1d2e3f4a5b"), 404)
    assert err["type"] == "RouterNotFound"


def test_gateway_port_set_and_cleared(client: TestClient) -> None:
    net, subnet = external(client)
    router = _post(client, "router", name="r", external_gateway_info={"network_id": net["id"]})
    gw = router["external_gateway_info"]
    assert gw["network_id"] == net["id"] and gw["enable_snat"] is True
    assert gw["external_fixed_ips"] == [{"subnet_id": subnet["id"], "ip_address": "172.24.4.2"}]
    assert gw["qos_policy_id"] is None
    ports = _ok(client.get("/v2.0/ports", params={"device_owner": "network:router_gateway"}))
    (port,) = ports["ports"]
    assert port["device_id"] == router["id"] and port["project_id"] == ""
    assert port["network_id"] == net["id"] and port["security_groups"] == []
    # enable_snat false + a chosen address: the same port gets the new address
    body = {
        "external_gateway_info": {
            "network_id": net["id"],
            "enable_snat": False,
            "external_fixed_ips": [{"ip_address": "172.24.4.100"}],
        }
    }
    updated = _ok(client.put(f"/v2.0/routers/{router['id']}", json={"router": body}))["router"]
    gw = updated["external_gateway_info"]
    assert (
        gw["enable_snat"] is False and gw["external_fixed_ips"][0]["ip_address"] == "172.24.4.100"
    )
    assert updated["revision_number"] == 1
    cleared = client.put(
        f"/v2.0/routers/{router['id']}", json={"router": {"external_gateway_info": {}}}
    )
    assert _ok(cleared)["router"]["external_gateway_info"] is None
    assert _ok(client.get("/v2.0/ports"))["ports"] == []


def test_gateway_validation(client: TestClient) -> None:
    tenant, _ = internal(client)
    err = _error(
        client.post(
            "/v2.0/routers",
            json={"router": {"external_gateway_info": {"network_id": tenant["id"]}}},
        ),
        400,
    )
    assert err["type"] == "BadRequest"
    assert (
        err["message"] == f"Bad router request: Network {tenant['id']} is not an external network."
    )
    net, _ = external(client)
    err = _error(
        client.post(
            "/v2.0/routers",
            json={
                "router": {
                    "external_gateway_info": {
                        "network_id": net["id"],
                        "external_fixed_ips": [{"ip_address": "172.24.4.1"}],
                    }
                }
            },
        ),
        400,
    )
    assert "is the same as the gateway IP" in err["message"]
    err = _error(
        client.post("/v2.0/routers", json={"router": {"external_gateway_info": {"bogus": 1}}}),
        400,
    )
    assert "external_gateway_info" in err["message"]
    assert _ok(client.get("/v2.0/routers"))["routers"] == []  # nothing half-created
    assert _ok(client.get("/v2.0/ports"))["ports"] == []


def test_interface_by_subnet_and_port(client: TestClient) -> None:
    net, subnet = internal(client)
    router = _post(client, "router", name="r")
    info = _ok(
        _router_put(client, router["id"], "add_router_interface", {"subnet_id": subnet["id"]})
    )
    assert info["id"] == router["id"] and info["subnet_id"] == subnet["id"]
    assert info["subnet_ids"] == [subnet["id"]] and info["network_id"] == net["id"]
    assert info["project_id"] == router["project_id"] == info["tenant_id"]
    port = _ok(client.get(f"/v2.0/ports/{info['port_id']}"))["port"]
    assert port["device_owner"] == "network:router_interface" and port["device_id"] == router["id"]
    assert port["fixed_ips"] == [{"subnet_id": subnet["id"], "ip_address": "10.0.0.1"}]
    assert port["status"] == "ACTIVE"
    again = _error(
        _router_put(client, router["id"], "add_router_interface", {"subnet_id": subnet["id"]}), 400
    )
    assert again["message"] == (
        f"Bad router request: Router already has a port on subnet {subnet['id']}."
    )
    # a second network attached through a port the user made
    net2, subnet2 = internal(client, "10.0.1.0/24")
    own = _post(client, "port", network_id=net2["id"])
    info2 = _ok(_router_put(client, router["id"], "add_router_interface", {"port_id": own["id"]}))
    assert info2["port_id"] == own["id"] and info2["subnet_ids"] == [subnet2["id"]]
    attached = _ok(client.get(f"/v2.0/ports/{own['id']}"))["port"]
    assert attached["device_owner"] == "network:router_interface"
    busy = _error(
        _router_put(client, router["id"], "add_router_interface", {"port_id": own["id"]}), 409
    )
    assert busy["type"] == "PortInUse"
    direct = _error(client.delete(f"/v2.0/ports/{own['id']}"), 409)
    assert direct["type"] == "ServicePortInUse"
    assert direct["message"] == (
        f"Port {own['id']} cannot be deleted directly via the port API: has device owner "
        "network:router_interface."
    )
    in_use = _error(client.delete(f"/v2.0/routers/{router['id']}"), 409)
    assert in_use["type"] == "RouterInUse" and info["port_id"] in in_use["message"]
    assert _ok(client.get(f"/v2.0/routers/{router['id']}"))["router"]["revision_number"] == 2


def test_interface_overlap_and_body_errors(client: TestClient) -> None:
    _, subnet = internal(client)
    _, overlapping = internal(client, "10.0.0.0/16")
    router = _post(client, "router", name="r")
    _ok(_router_put(client, router["id"], "add_router_interface", {"subnet_id": subnet["id"]}))
    err = _error(
        _router_put(client, router["id"], "add_router_interface", {"subnet_id": overlapping["id"]}),
        400,
    )
    assert "overlaps with cidr 10.0.0.0/24" in err["message"]
    neither = _error(_router_put(client, router["id"], "add_router_interface", {}), 400)
    assert (
        neither["message"] == "Bad router request: Either subnet_id or port_id must be specified."
    )
    both = _error(
        _router_put(
            client,
            router["id"],
            "add_router_interface",
            {"subnet_id": subnet["id"], "port_id": subnet["id"]},
        ),
        400,
    )
    assert both["message"] == "Bad router request: Cannot specify both subnet-id and port-id."
    net3 = _post(client, "network", name="nogw")
    nogw = _post(
        client, "subnet", network_id=net3["id"], cidr="10.9.0.0/24", ip_version=4, gateway_ip=None
    )
    err = _error(
        _router_put(client, router["id"], "add_router_interface", {"subnet_id": nogw["id"]}), 400
    )
    assert "must have a gateway IP" in err["message"]


def test_remove_interface(client: TestClient) -> None:
    _, subnet = internal(client)
    _, other = internal(client, "10.0.5.0/24")
    router = _post(client, "router", name="r")
    info = _ok(
        _router_put(client, router["id"], "add_router_interface", {"subnet_id": subnet["id"]})
    )
    missing = _error(
        _router_put(client, router["id"], "remove_router_interface", {"subnet_id": other["id"]}),
        404,
    )
    assert missing["type"] == "RouterInterfaceNotFoundForSubnet"
    assert missing["message"] == f"Router {router['id']} has no interface on subnet {other['id']}"
    wrong = _error(
        _router_put(client, router["id"], "remove_router_interface", {"port_id": other["id"]}), 404
    )
    assert wrong["type"] == "RouterInterfaceNotFound"
    removed = _ok(
        _router_put(client, router["id"], "remove_router_interface", {"subnet_id": subnet["id"]})
    )
    assert removed["port_id"] == info["port_id"]
    assert _ok(client.get("/v2.0/ports"))["ports"] == []
    _ok(client.delete(f"/v2.0/routers/{router['id']}"), 204)


def test_extra_routes(client: TestClient) -> None:
    _, subnet = internal(client)
    router = _post(client, "router", name="r")
    _ok(_router_put(client, router["id"], "add_router_interface", {"subnet_id": subnet["id"]}))
    url = f"/v2.0/routers/{router['id']}"
    route = {"destination": "192.168.0.0/24", "nexthop": "10.0.0.10"}
    updated = _ok(client.put(url, json={"router": {"routes": [route]}}))["router"]
    assert updated["routes"] == [route]
    bad = {"destination": "192.168.1.0/24", "nexthop": "10.1.0.1"}
    err = _error(client.put(url, json={"router": {"routes": [bad]}}), 400)
    assert err["type"] == "InvalidRoutes"
    assert err["message"].endswith("the nexthop is not connected with router")
    own = {"destination": "192.168.1.0/24", "nexthop": "10.0.0.1"}
    err = _error(client.put(url, json={"router": {"routes": [own]}}), 400)
    assert err["message"].endswith("the nexthop is used by router")
    more = {"destination": "192.168.2.0/24", "nexthop": "10.0.0.11"}
    added = _ok(client.put(f"{url}/add_extraroutes", json={"router": {"routes": [more]}}))
    assert added["router"]["routes"] == [route, more]
    left = _ok(client.put(f"{url}/remove_extraroutes", json={"router": {"routes": [route]}}))
    assert left["router"]["routes"] == [more]
    err = _error(
        _router_put(client, router["id"], "remove_router_interface", {"subnet_id": subnet["id"]}),
        409,
    )
    assert err["type"] == "RouterInterfaceInUseByRoute"
    assert _error(client.post("/v2.0/routers", json={"router": {"routes": []}}), 400)


def test_gateway_qos_policy(client: TestClient) -> None:
    net, _ = external(client)
    policy = _ok(client.post("/v2.0/qos/policies", json={"policy": {"name": "gw"}}), 201)["policy"]
    router = _post(
        client,
        "router",
        name="r",
        external_gateway_info={"network_id": net["id"], "qos_policy_id": policy["id"]},
    )
    assert router["external_gateway_info"]["qos_policy_id"] == policy["id"]
    err = _error(client.delete(f"/v2.0/qos/policies/{policy['id']}"), 409)
    assert err["type"] == "QosPolicyInUse" and "router" in err["message"]
