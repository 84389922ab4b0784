from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

BW = "bandwidth_limit_rules"


def _policy(client: TestClient, **attrs: Any) -> dict[str, Any]:
    r = client.post("/v2.0/qos/policies", json={"policy": attrs})
    assert r.status_code == 201, r.text
    return r.json()["policy"]  # type: ignore[no-any-return]


def _rule(client: TestClient, pid: str, kind: str, **attrs: Any) -> Any:
    return client.post(f"/v2.0/qos/policies/{pid}/{kind}_rules", json={f"{kind}_rule": attrs})


def _error(r: Any, status: int) -> dict[str, Any]:
    assert r.status_code == status, r.text
    return r.json()["NeutronError"]  # type: ignore[no-any-return]


def test_seed_workflow(client: TestClient) -> None:
    policy = _policy(client, name="bw-limiter")
    assert policy["shared"] is False and policy["is_default"] is False
    assert policy["rules"] == [] and policy["revision_number"] == 0
    pid = policy["id"]
    # what `openstack qos rule create --type bandwidth-limit ... --egress` sends
    r = _rule(client, pid, "bandwidth_limit", max_kbps=3000, max_burst_kbps=300, direction="egress")
    assert r.status_code == 201, r.text
    rule = r.json()["bandwidth_limit_rule"]
    assert rule == {
        "id": rule["id"],
        "max_kbps": 3000,
        "max_burst_kbps": 300,
        "direction": "egress",
    }
    shown = client.get(f"/v2.0/qos/policies/{pid}").json()["policy"]
    assert shown["rules"] == [rule | {"qos_policy_id": pid, "type": "bandwidth_limit"}]
    assert shown["revision_number"] == 1
    url = f"/v2.0/qos/policies/{pid}/{BW}/{rule['id']}"
    r = client.put(url, json={"bandwidth_limit_rule": {"max_kbps": 5000, "max_burst_kbps": 500}})
    assert r.status_code == 200, r.text
    assert r.json()["bandwidth_limit_rule"]["max_kbps"] == 5000
    assert client.get(url).json()["bandwidth_limit_rule"]["max_burst_kbps"] == 500
    assert client.delete(url).status_code == 204
    _error(client.get(url), 404)
    assert client.delete(f"/v2.0/qos/policies/{pid}").status_code == 204
    _error(client.get(f"/v2.0/qos/policies/{pid}"), 404)


def test_rule_defaults_and_validation(client: TestClient) -> None:
    pid = _policy(client, name="p")["id"]
    rule = _rule(client, pid, "bandwidth_limit", max_kbps="10000").json()["bandwidth_limit_rule"]
    assert (rule["max_kbps"], rule["max_burst_kbps"], rule["direction"]) == (10000, 0, "egress")
    assert "max_kbps" in _error(_rule(client, pid, "bandwidth_limit"), 400)["message"]
    err = _error(_rule(client, pid, "bandwidth_limit", max_kbps=1, direction="up"), 400)
    assert "direction" in err["message"]
    _error(_rule(client, pid, "bandwidth_limit", max_kbps=-1, direction="ingress"), 400)
    _error(_rule(client, pid, "bandwidth_limit", max_kbps=1, bogus=1), 400)
    conflict = _error(_rule(client, pid, "bandwidth_limit", max_kbps=5), 409)
    assert conflict["type"] == "QoSRulesConflict"
    assert _rule(client, pid, "bandwidth_limit", max_kbps=5, direction="ingress").status_code == 201
    assert len(client.get(f"/v2.0/qos/policies/{pid}/{BW}").json()[BW]) == 2
    listed = client.get(f"/v2.0/qos/policies/{pid}/{BW}?direction=ingress").json()[BW]
    assert [r["max_kbps"] for r in listed] == [5]
    _error(_rule(client, "00000000-0000-0000-0000-000000000000", "dscp_marking", dscp_mark=8), 404)


def test_dscp_and_minimum_bandwidth(client: TestClient) -> None:
    pid = _policy(client, name="p")["id"]
    for bad in (1, 42, 57, 64, "x"):
        assert (
            "dscp_mark" in _error(_rule(client, pid, "dscp_marking", dscp_mark=bad), 400)["message"]
        )
    r = _rule(client, pid, "dscp_marking", dscp_mark=26)
    assert r.status_code == 201 and r.json()["dscp_marking_rule"]["dscp_mark"] == 26
    assert (
        _error(_rule(client, pid, "dscp_marking", dscp_mark=46), 409)["type"] == "QoSRulesConflict"
    )
    _rule(client, pid, "bandwidth_limit", max_kbps=1000)
    err = _error(_rule(client, pid, "minimum_bandwidth", min_kbps=2000), 409)
    assert err["type"] == "QoSRuleParameterConflict"
    r = _rule(client, pid, "minimum_bandwidth", min_kbps=500)
    assert r.json()["minimum_bandwidth_rule"]["direction"] == "egress"
    types = sorted(
        r["type"] for r in client.get(f"/v2.0/qos/policies/{pid}").json()["policy"]["rules"]
    )
    assert types == ["bandwidth_limit", "dscp_marking", "minimum_bandwidth"]


def test_alias_routes(client: TestClient) -> None:
    pid = _policy(client, name="p")["id"]
    rid = _rule(client, pid, "bandwidth_limit", max_kbps=3000).json()["bandwidth_limit_rule"]["id"]
    url = f"/v2.0/qos/alias_bandwidth_limit_rules/{rid}"
    assert client.get(url).json()["alias_bandwidth_limit_rule"]["max_kbps"] == 3000
    r = client.put(url, json={"alias_bandwidth_limit_rule": {"max_kbps": 4000}})
    assert r.json()["alias_bandwidth_limit_rule"]["max_kbps"] == 4000
    assert client.delete(url).status_code == 204
    _error(client.get(url), 404)


def test_rule_types(client: TestClient) -> None:
    types = client.get("/v2.0/qos/rule-types").json()["rule_types"]
    assert types == [
        {"type": "bandwidth_limit"},
        {"type": "dscp_marking"},
        {"type": "minimum_bandwidth"},
    ]
    detail = client.get("/v2.0/qos/rule-types/bandwidth_limit").json()["rule_type"]
    params = detail["drivers"][0]["supported_parameters"]
    assert detail["drivers"][0]["name"] == "ovn"
    assert params[0] == {
        "parameter_name": "max_kbps",
        "parameter_type": "range",
        "parameter_values": {"start": 0, "end": 2147483647},
    }
    _error(client.get("/v2.0/qos/rule-types/packet_rate_limit"), 404)
    aliases = {e["alias"] for e in client.get("/v2.0/extensions").json()["extensions"]}
    assert {"qos", "qos-bw-limit-direction", "qos-rule-type-details", "qos-default"} <= aliases


def test_policy_attributes_revision_tags_default(client: TestClient) -> None:
    policy = _policy(client, name="a", shared=True, description="d")
    url = f"/v2.0/qos/policies/{policy['id']}"
    r = client.put(url, json={"policy": {"name": "b"}}, headers={"If-Match": "revision_number=0"})
    assert r.status_code == 200 and r.json()["policy"]["revision_number"] == 1
    r = client.put(url, json={"policy": {"name": "c"}}, headers={"If-Match": "revision_number=0"})
    _error(r, 412)
    assert client.put(url + "/tags/gold").status_code == 201
    listed = client.get("/v2.0/qos/policies?tags=gold&fields=name").json()["policies"]
    assert listed == [{"name": "b"}]
    _policy(client, name="default", is_default=True)
    err = _error(client.post("/v2.0/qos/policies", json={"policy": {"is_default": True}}), 409)
    assert err["type"] == "QoSPolicyDefaultAlreadyExists"


def test_network_qos_policy_and_in_use(client: TestClient) -> None:
    pid = _policy(client, name="bw-limiter")["id"]
    r = client.post("/v2.0/networks", json={"network": {"name": "A", "qos_policy_id": pid}})
    assert r.status_code == 201, r.text
    net = r.json()["network"]
    assert net["qos_policy_id"] == pid
    err = _error(client.delete(f"/v2.0/qos/policies/{pid}"), 409)
    assert err["type"] == "QosPolicyInUse" and net["id"] in err["message"]
    missing = "00000000-0000-0000-0000-000000000000"
    r = client.put(f"/v2.0/networks/{net['id']}", json={"network": {"qos_policy_id": missing}})
    assert _error(r, 404)["type"] == "QosPolicyNotFound"
    r = client.put(f"/v2.0/networks/{net['id']}", json={"network": {"qos_policy_id": None}})
    assert r.json()["network"]["qos_policy_id"] is None
    assert client.delete(f"/v2.0/qos/policies/{pid}").status_code == 204
    plain = client.post("/v2.0/networks", json={"network": {"name": "B"}}).json()["network"]
    assert plain["qos_policy_id"] is None
    default = _policy(client, name="d", is_default=True)["id"]
    auto = client.post("/v2.0/networks", json={"network": {"name": "C"}}).json()["network"]
    assert auto["qos_policy_id"] == default
