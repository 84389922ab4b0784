from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient


def _error(r: Any, status: int) -> dict[str, Any]:
    assert r.status_code == status, r.text
    return r.json()["NeutronError"]  # type: ignore[no-any-return]


def _port(client: TestClient, **attrs: Any) -> Any:
    return client.post("/v2.0/ports", json={"port": attrs})


def _network(client: TestClient, cidr: str = "10.0.0.0/24", **attrs: Any) -> tuple[str, str]:
    net = client.post("/v2.0/networks", json={"network": {"name": "n", **attrs}}).json()
    nid = net["network"]["id"]
    sub = client.post(
        "/v2.0/subnets", json={"subnet": {"network_id": nid, "cidr": cidr, "ip_version": 4}}
    ).json()["subnet"]["id"]
    return nid, sub


def test_port_defaults(client: TestClient) -> None:
    nid, sid = _network(client)
    r = _port(client, network_id=nid, name="vm1", device_owner="compute:nova")
    assert r.status_code == 201, r.text
    port = r.json()["port"]
    assert port["fixed_ips"] == [{"subnet_id": sid, "ip_address": "10.0.0.2"}]
    assert port["mac_address"].startswith("fa:16:3e:")
    assert port["admin_state_up"] is True and port["status"] == "DOWN"
    assert port["port_security_enabled"] is True
    default = client.get("/v2.0/security-groups", params={"name": "default"}).json()
    assert port["security_groups"] == [default["security_groups"][0]["id"]]
    assert port["allowed_address_pairs"] == [] and port["qos_policy_id"] is None
    assert port["binding:host_id"] == "" and port["binding:vif_type"] == "unbound"
    assert port["binding:vnic_type"] == "normal" and port["revision_number"] == 0
    second = _port(client, network_id=nid).json()["port"]
    assert second["fixed_ips"][0]["ip_address"] == "10.0.0.3"
    assert second["mac_address"] != port["mac_address"]
    # a freed address is reused first, as Neutron's IPAM does
    assert client.delete(f"/v2.0/ports/{port['id']}").status_code == 204
    third = _port(client, network_id=nid).json()["port"]
    assert third["fixed_ips"][0]["ip_address"] == "10.0.0.2"
    trusted = _port(client, network_id=nid, device_owner="network:router_interface").json()
    assert trusted["port"]["security_groups"] == []


def test_requested_addresses_and_conflicts(client: TestClient) -> None:
    nid, sid = _network(client)
    other, other_sid = _network(client, cidr="10.9.0.0/24")
    mac = "FA:16:3E:00:00:0A"
    p = _port(client, network_id=nid, mac_address=mac, fixed_ips=[{"ip_address": "10.0.0.10"}])
    assert p.status_code == 201, p.text
    assert p.json()["port"]["mac_address"] == "fa:16:3e:00:00:0a"
    assert p.json()["port"]["fixed_ips"] == [{"subnet_id": sid, "ip_address": "10.0.0.10"}]
    cases: list[tuple[dict[str, Any], int, str]] = [
        ({"fixed_ips": [{"ip_address": "10.0.0.10"}]}, 409, "IpAddressAlreadyAllocated"),
        ({"mac_address": "fa:16:3e:00:00:0a"}, 409, "MacAddressInUse"),
        ({"mac_address": "01:00:5e:00:00:01"}, 400, "HTTPBadRequest"),
        ({"mac_address": "zz"}, 400, "HTTPBadRequest"),
        ({"fixed_ips": [{"ip_address": "10.5.0.1"}]}, 400, "InvalidIpForNetwork"),
        (
            {"fixed_ips": [{"subnet_id": sid, "ip_address": "10.0.0.255"}]},
            400,
            "InvalidIpForSubnet",
        ),
        ({"fixed_ips": [{"subnet_id": other_sid}]}, 400, "InvalidInput"),
        (
            {"fixed_ips": [{"ip_address": "10.0.0.20"}, {"ip_address": "10.0.0.20"}]},
            400,
            "HTTPBadRequest",
        ),
        ({"fixed_ips": [{"foo": "bar"}]}, 400, "HTTPBadRequest"),
    ]
    for attrs, status, type_name in cases:
        err = _error(_port(client, network_id=nid, **attrs), status)
        assert err["type"] == type_name, (attrs, err)
    # the same MAC on another network is fine
    assert _port(client, network_id=other, mac_address=mac).status_code == 201
    missing = _port(client, network_id="8a2b4c2e-0000-4000-8000-000000000000")
    assert _error(missing, 404)["type"] == "NetworkNotFound"
    assert "network_id" in _error(_port(client, name="x"), 400)["message"]


def test_pool_exhaustion(client: TestClient) -> None:
    nid, sid = _network(client, cidr="10.2.0.0/30")  # one usable address after the gateway
    assert _port(client, network_id=nid).json()["port"]["fixed_ips"][0]["ip_address"] == "10.2.0.2"
    assert _error(_port(client, network_id=nid), 409)["type"] == "IpAddressGenerationFailure"
    # a network without subnets gives ports no address
    bare = client.post("/v2.0/networks", json={"network": {}}).json()["network"]["id"]
    assert _port(client, network_id=bare).json()["port"]["fixed_ips"] == []


def test_update_fixed_ips_keeps_or_moves(client: TestClient) -> None:
    nid, sid = _network(client)
    port = _port(client, network_id=nid).json()["port"]
    url = f"/v2.0/ports/{port['id']}"
    kept = client.put(url, json={"port": {"fixed_ips": [{"subnet_id": sid}]}}).json()["port"]
    assert kept["fixed_ips"] == port["fixed_ips"] and kept["revision_number"] == 1
    moved = client.put(url, json={"port": {"fixed_ips": [{"ip_address": "10.0.0.50"}]}})
    assert moved.json()["port"]["fixed_ips"] == [{"subnet_id": sid, "ip_address": "10.0.0.50"}]
    assert _port(client, network_id=nid).json()["port"]["fixed_ips"][0]["ip_address"] == "10.0.0.2"
    stale = client.put(url, json={"port": {"name": "x"}}, headers={"If-Match": "revision_number=1"})
    assert _error(stale, 412)["type"] == "RevisionNumberConstraintFailed"
    assert client.put(url, json={"port": {"network_id": nid}}).status_code == 400
    assert _error(client.delete(f"/v2.0/subnets/{sid}"), 409)["type"] == "SubnetInUse"


def test_port_security_and_address_pairs(client: TestClient) -> None:
    nid, _ = _network(client)
    sg = client.post("/v2.0/security-groups", json={"security_group": {"name": "web"}}).json()
    sg_id = sg["security_group"]["id"]
    off = _port(client, network_id=nid, port_security_enabled=False).json()["port"]
    assert off["port_security_enabled"] is False and off["security_groups"] == []
    err = _error(
        _port(client, network_id=nid, port_security_enabled=False, security_groups=[sg_id]), 400
    )
    assert err["type"] == "PortSecurityAndIPRequiredForSecurityGroups"
    pairs = [{"ip_address": "10.0.0.100"}]
    err = _error(
        _port(client, network_id=nid, port_security_enabled=False, allowed_address_pairs=pairs), 409
    )
    assert err["type"] == "AddressPairAndPortSecurityRequired"
    on = _port(client, network_id=nid, security_groups=[sg_id], allowed_address_pairs=pairs)
    port = on.json()["port"]
    assert port["security_groups"] == [sg_id]
    assert port["allowed_address_pairs"] == [
        {"ip_address": "10.0.0.100", "mac_address": port["mac_address"]}
    ]
    url = f"/v2.0/ports/{port['id']}"
    r = client.put(
        url, json={"port": {"port_security_enabled": False, "allowed_address_pairs": []}}
    )
    assert _error(r, 409)["type"] == "PortSecurityPortHasSecurityGroup"
    r = client.put(
        url,
        json={
            "port": {
                "port_security_enabled": False,
                "security_groups": [],
                "allowed_address_pairs": [],
            }
        },
    )
    assert r.status_code == 200, r.text
    bad_sg = _port(client, network_id=nid, security_groups=["8a2b4c2e-0000-4000-8000-000000000000"])
    assert _error(bad_sg, 404)["type"] == "SecurityGroupNotFound"
    too_many = [{"ip_address": f"10.0.1.{i}"} for i in range(11)]
    assert _error(_port(client, network_id=nid, allowed_address_pairs=too_many), 400)


def test_binding_qos_tags_and_filters(client: TestClient) -> None:
    nid, _ = _network(
        client,
        **{
            "provider:network_type": "vlan",
            "provider:physical_network": "physnet1",
            "provider:segmentation_id": 2011,
        },
    )
    port = _port(
        client, network_id=nid, device_id="vm-1", **{"binding:host_id": "compute1"}
    ).json()["port"]
    assert port["binding:vif_type"] == "ovs" and port["status"] == "ACTIVE"
    assert port["binding:vif_details"]["bridge_name"] == "br-int"
    assert _error(_port(client, network_id=nid, **{"binding:vif_type": "ovs"}), 400)
    url = f"/v2.0/ports/{port['id']}"
    unbound = client.put(url, json={"port": {"binding:host_id": ""}}).json()["port"]
    assert unbound["binding:vif_type"] == "unbound" and unbound["status"] == "DOWN"
    assert client.put(f"{url}/tags/seed").status_code == 201
    assert client.get(f"{url}/tags").json() == {"tags": ["seed"]}
    _port(client, network_id=nid, device_id="vm-2")
    found = client.get("/v2.0/ports", params={"device_id": "vm-1", "fields": ["id", "name"]})
    assert found.json()["ports"] == [{"id": port["id"], "name": ""}]
    assert len(client.get("/v2.0/ports", params={"tags": "seed"}).json()["ports"]) == 1
    ip = port["fixed_ips"][0]["ip_address"]
    by_ip = client.get("/v2.0/ports", params={"fixed_ips": f"ip_address={ip}"}).json()["ports"]
    assert [p["id"] for p in by_ip] == [port["id"]]
    by_sub = client.get(
        "/v2.0/ports", params={"fixed_ips": f"subnet_id={port['fixed_ips'][0]['subnet_id']}"}
    )
    assert len(by_sub.json()["ports"]) == 2
    assert client.get("/v2.0/ports", params={"fixed_ips": "bogus"}).json()["ports"] == []
    sg = port["security_groups"][0]
    assert len(client.get("/v2.0/ports", params={"security_groups": sg}).json()["ports"]) == 2
    # a network with ports refuses deletion with NetworkInUse (no 5xx)
    assert client.delete(f"/v2.0/networks/{nid}").status_code == 409


def test_dual_stack_slaac_address(client: TestClient) -> None:
    nid, sid = _network(client)
    v6 = client.post(
        "/v2.0/subnets",
        json={
            "subnet": {
                "network_id": nid,
                "cidr": "fd00:1::/64",
                "ip_version": 6,
                "ipv6_address_mode": "slaac",
                "ipv6_ra_mode": "slaac",
            }
        },
    ).json()["subnet"]["id"]
    port = _port(client, network_id=nid, mac_address="fa:16:3e:11:22:33").json()["port"]
    assert port["fixed_ips"] == [
        {"subnet_id": sid, "ip_address": "10.0.0.2"},
        {"subnet_id": v6, "ip_address": "fd00:1::f816:3eff:fe11:2233"},
    ]


def test_ip_allocations_mirror_fixed_ips(client: TestClient) -> None:
    import sqlalchemy as sa

    from ovntwin.api.port_models import IpAllocationRow

    nid, sid = _network(client)
    port = _port(client, network_id=nid).json()["port"]
    url = f"/v2.0/ports/{port['id']}"
    client.put(url, json={"port": {"fixed_ips": [{"ip_address": "10.0.0.7"}]}})
    factory = client.app.state.sessions  # type: ignore[attr-defined]
    with factory() as session:
        rows = session.scalars(sa.select(IpAllocationRow)).all()
        assert [(r.ip_address, r.subnet_id, r.port_id) for r in rows] == [
            ("10.0.0.7", sid, port["id"])
        ]
    assert client.delete(url).status_code == 204
    with factory() as session:
        assert session.scalars(sa.select(IpAllocationRow)).all() == []


def test_port_shows_the_policy_its_network_gives_it(client: TestClient) -> None:
    policy = client.post("/v2.0/qos/policies", json={"policy": {"name": "p"}}).json()["policy"]
    net = client.post("/v2.0/networks", json={"network": {"qos_policy_id": policy["id"]}})
    port = client.post("/v2.0/ports", json={"port": {"network_id": net.json()["network"]["id"]}})
    shown = port.json()["port"]
    assert shown["qos_network_policy_id"] == policy["id"]
    assert shown["qos_policy_id"] is None
