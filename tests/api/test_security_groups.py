from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient


def _sg(client: TestClient, **attrs: Any) -> Any:
    return client.post("/v2.0/security-groups", json={"security_group": attrs})


def _rule(client: TestClient, **attrs: Any) -> Any:
    return client.post("/v2.0/security-group-rules", json={"security_group_rule": attrs})


def _error(r: Any, status: int) -> dict[str, Any]:
    assert r.status_code == status, r.text
    return r.json()["NeutronError"]  # type: ignore[no-any-return]


def _shape(rule: dict[str, Any]) -> tuple[Any, ...]:
    return (rule["direction"], rule["ethertype"], rule["remote_group_id"] is not None)


def test_default_group_created_on_list(client: TestClient) -> None:
    groups = client.get("/v2.0/security-groups").json()["security_groups"]
    assert [g["name"] for g in groups] == ["default"]
    default = groups[0]
    shapes = sorted(_shape(r) for r in default["security_group_rules"])
    assert shapes == [
        ("egress", "IPv4", False),
        ("egress", "IPv6", False),
        ("ingress", "IPv4", True),
        ("ingress", "IPv6", True),
    ]
    assert all(
        r["remote_group_id"] in (None, default["id"]) for r in default["security_group_rules"]
    )
    assert all(r["belongs_to_default_sg"] for r in default["security_group_rules"])
    # listing again does not create a second one
    assert len(client.get("/v2.0/security-groups").json()["security_groups"]) == 1
    assert _error(_sg(client, name="Default"), 409)["type"] == "SecurityGroupDefaultAlreadyExists"
    r = client.put(f"/v2.0/security-groups/{default['id']}", json={"security_group": {"name": "x"}})
    assert _error(r, 409)["type"] == "SecurityGroupCannotUpdateDefault"


def test_seed_rules_tcp22_and_icmp(client: TestClient) -> None:
    sg = _sg(client, name="web", description="seed").json()["security_group"]
    assert sg["stateful"] is True and sg["revision_number"] == 0
    assert sorted(_shape(r) for r in sg["security_group_rules"]) == [
        ("egress", "IPv4", False),
        ("egress", "IPv6", False),
    ]
    ssh = _rule(
        client,
        security_group_id=sg["id"],
        direction="ingress",
        protocol="tcp",
        port_range_min=22,
        port_range_max=22,
        remote_ip_prefix="0.0.0.0/0",
    )
    assert ssh.status_code == 201, ssh.text
    rule = ssh.json()["security_group_rule"]
    assert rule["ethertype"] == "IPv4" and rule["protocol"] == "tcp"
    assert (rule["port_range_min"], rule["port_range_max"]) == (22, 22)
    assert rule["normalized_cidr"] == "0.0.0.0/0"
    icmp = _rule(client, security_group_id=sg["id"], direction="ingress", protocol="icmp")
    assert icmp.status_code == 201, icmp.text
    assert icmp.json()["security_group_rule"]["port_range_min"] is None
    again = _rule(
        client,
        security_group_id=sg["id"],
        direction="ingress",
        protocol="6",
        port_range_min=22,
        port_range_max=22,
        remote_ip_prefix="0.0.0.0/0",
    )
    assert _error(again, 409)["type"] == "SecurityGroupRuleExists"
    shown = client.get(f"/v2.0/security-groups/{sg['id']}").json()["security_group"]
    assert len(shown["security_group_rules"]) == 4
    assert shown["revision_number"] == 2  # each rule bumps its group
    listed = client.get(
        "/v2.0/security-group-rules", params={"security_group_id": sg["id"], "protocol": "icmp"}
    ).json()["security_group_rules"]
    assert [r["id"] for r in listed] == [icmp.json()["security_group_rule"]["id"]]
    rid = rule["id"]
    r = client.put(f"/v2.0/security-group-rules/{rid}", json={"security_group_rule": {}})
    assert _error(r, 405)["type"] == "HTTPMethodNotAllowed"
    assert client.delete(f"/v2.0/security-group-rules/{rid}").status_code == 204
    assert _error(client.get(f"/v2.0/security-group-rules/{rid}"), 404)["type"] == (
        "SecurityGroupRuleNotFound"
    )


def test_rule_validation(client: TestClient) -> None:
    sg = _sg(client, name="v").json()["security_group"]["id"]
    base = {"security_group_id": sg, "direction": "ingress"}
    cases: list[tuple[dict[str, Any], int, str]] = [
        ({"direction": "sideways"}, 400, "HTTPBadRequest"),
        ({"protocol": "bogus"}, 400, "HTTPBadRequest"),
        ({"protocol": "300"}, 400, "HTTPBadRequest"),
        (
            {"port_range_min": 22, "port_range_max": 22},
            400,
            "SecurityGroupProtocolRequiredWithPorts",
        ),
        (
            {"protocol": "tcp", "port_range_min": 30, "port_range_max": 20},
            400,
            "SecurityGroupInvalidPortRange",
        ),
        (
            {"protocol": "udp", "port_range_min": 0, "port_range_max": 20},
            400,
            "SecurityGroupInvalidPortValue",
        ),
        ({"protocol": "tcp", "port_range_min": 70000}, 400, "HTTPBadRequest"),
        (
            {"protocol": "icmp", "port_range_min": 300},
            400,
            "SecurityGroupInvalidIcmpValue",
        ),
        ({"protocol": "icmp", "port_range_max": 0}, 400, "SecurityGroupMissingIcmpType"),
        (
            {"protocol": "gre", "port_range_min": 1, "port_range_max": 2},
            400,
            "SecurityGroupInvalidProtocolForPortRange",
        ),
        (
            {"remote_ip_prefix": "10.0.0.0/8", "remote_group_id": sg},
            400,
            "SecurityGroupRemoteGroupAndRemoteIpPrefix",
        ),
        (
            {"remote_ip_prefix": "fd00::/8"},
            400,
            "SecurityGroupRuleParameterConflict",
        ),
        ({"protocol": "ipv6-icmp"}, 400, "SecurityGroupEthertypeConflictWithProtocol"),
        (
            {"remote_group_id": "8a2b4c2e-0000-4000-8000-000000000000"},
            404,
            "SecurityGroupNotFound",
        ),
    ]
    for attrs, status, type_name in cases:
        err = _error(_rule(client, **{**base, **attrs}), status)
        assert err["type"] == type_name, (attrs, err)
    missing = _rule(
        client, security_group_id="8a2b4c2e-0000-4000-8000-000000000000", direction="egress"
    )
    assert _error(missing, 404)["type"] == "SecurityGroupNotFound"
    assert "direction" in _error(_rule(client, security_group_id=sg), 400)["message"]
    whole = _rule(
        client, **base, protocol="TCP", ethertype="ipv6", port_range_min=1, port_range_max=65535
    ).json()["security_group_rule"]
    assert (whole["protocol"], whole["ethertype"], whole["port_range_min"]) == ("tcp", "IPv6", None)
    host = _rule(client, **base, remote_ip_prefix="10.1.2.3/16").json()["security_group_rule"]
    assert (host["remote_ip_prefix"], host["normalized_cidr"]) == ("10.1.2.3/16", "10.1.0.0/16")


def test_delete_group_in_use_and_remote_group_cascade(client: TestClient) -> None:
    web = _sg(client, name="web").json()["security_group"]["id"]
    db = _sg(client, name="db").json()["security_group"]["id"]
    _rule(client, security_group_id=db, direction="ingress", remote_group_id=web)
    net = client.post("/v2.0/networks", json={"network": {"name": "n"}}).json()["network"]["id"]
    port = client.post(
        "/v2.0/ports", json={"port": {"network_id": net, "security_groups": [web]}}
    ).json()["port"]
    assert _error(client.delete(f"/v2.0/security-groups/{web}"), 409)["type"] == (
        "SecurityGroupInUse"
    )
    client.put(f"/v2.0/ports/{port['id']}", json={"port": {"security_groups": []}})
    assert client.delete(f"/v2.0/security-groups/{web}").status_code == 204
    rules = client.get(f"/v2.0/security-groups/{db}").json()["security_group"]
    assert all(r["remote_group_id"] is None for r in rules["security_group_rules"])
    assert client.get("/v2.0/security-group-rules").status_code == 200
