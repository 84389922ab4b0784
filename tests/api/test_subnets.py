from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient


def _subnet(client: TestClient, **attrs: Any) -> Any:
    return client.post("/v2.0/subnets", json={"subnet": attrs})


def _net_id(client: TestClient) -> str:
    return str(
        client.post("/v2.0/networks", json={"network": {"name": "n"}}).json()["network"]["id"]
    )


def test_ipv4_defaults(client: TestClient) -> None:
    nid = _net_id(client)
    r = _subnet(client, network_id=nid, cidr="10.0.0.7/24", ip_version="4", name="s")
    assert r.status_code == 201, r.text
    sub = r.json()["subnet"]
    assert sub["cidr"] == "10.0.0.0/24" and sub["gateway_ip"] == "10.0.0.1"
    assert sub["allocation_pools"] == [{"start": "10.0.0.2", "end": "10.0.0.254"}]
    assert sub["enable_dhcp"] is True and sub["ip_version"] == 4
    net = client.get(f"/v2.0/networks/{nid}").json()["network"]
    assert net["subnets"] == [sub["id"]]
    assert client.delete(f"/v2.0/networks/{nid}").status_code == 204
    assert client.get(f"/v2.0/subnets/{sub['id']}").status_code == 404


def test_ipv6_and_no_gateway(client: TestClient) -> None:
    nid = _net_id(client)
    sub = _subnet(
        client,
        network_id=nid,
        cidr="fd00::/64",
        ip_version=6,
        ipv6_address_mode="slaac",
        ipv6_ra_mode="slaac",
    ).json()["subnet"]
    assert sub["gateway_ip"] == "fd00::1"
    assert sub["allocation_pools"] == [{"start": "fd00::2", "end": "fd00::ffff:ffff:ffff:ffff"}]
    sub = _subnet(client, network_id=nid, cidr="10.1.0.0/29", ip_version=4, gateway_ip=None).json()[
        "subnet"
    ]
    assert sub["gateway_ip"] is None
    assert sub["allocation_pools"] == [{"start": "10.1.0.1", "end": "10.1.0.6"}]


def test_subnet_errors(client: TestClient) -> None:
    nid = _net_id(client)
    cases = [
        ({"network_id": nid, "cidr": "10.0.0.0/24", "ip_version": 5}, 400, "ip_version"),
        ({"network_id": nid, "cidr": "10.0.0.0/24"}, 400, "ip_version"),
        ({"network_id": nid, "cidr": "banana", "ip_version": 4}, 400, "cidr"),
        ({"network_id": nid, "cidr": "fd00::/64", "ip_version": 4}, 400, "ip_version"),
        (
            {
                "network_id": nid,
                "cidr": "10.0.0.0/24",
                "ip_version": 4,
                "allocation_pools": [{"start": "10.0.1.2", "end": "10.0.1.9"}],
            },
            400,
            "pool",
        ),
        (
            {
                "network_id": "6e1d2b2a-0000-4000-8000-000000000000",
                "cidr": "10.0.0.0/24",
                "ip_version": 4,
            },
            404,
            "Network",
        ),
    ]
    for body, status, word in cases:
        r = _subnet(client, **body)
        assert r.status_code == status, (body, r.text)
        assert word in r.json()["NeutronError"]["message"], r.text
    sid = _subnet(client, network_id=nid, cidr="10.0.0.0/24", ip_version=4).json()["subnet"]["id"]
    r = client.put(f"/v2.0/subnets/{sid}", json={"subnet": {"cidr": "10.9.0.0/24"}})
    assert r.status_code == 400
    r = client.put(f"/v2.0/subnets/{sid}", json={"subnet": {"enable_dhcp": False, "name": "x"}})
    assert r.json()["subnet"]["enable_dhcp"] is False and r.json()["subnet"]["revision_number"] == 1
