"""Project isolation with tokens: two members of different projects, a reader and an admin.

Per resource type: others' rows are absent from lists and 404 on show/update/delete/tags,
readers never write, admin-only attributes answer 403 naming the policy rule and are hidden.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from ovntwin.api.app import create_app
from ovntwin.api.auth import TokenFileError, load_tokens

TOKENS = {
    "t-admin": {"project_id": "proj-admin", "user_id": "root", "roles": ["admin"]},
    "t-alice": {"project_id": "proj-a", "user_id": "alice", "roles": ["member", "reader"]},
    "t-bob": {"project_id": "proj-b", "user_id": "bob", "roles": ["member"]},
    "t-carol": {"project_id": "proj-a", "user_id": "carol", "roles": ["reader"]},
}


class Api:
    """The test client with one caller's token on every request."""

    def __init__(self, client: TestClient, token: str) -> None:
        self.client, self.token = client, token

    def call(self, method: str, path: str, body: Any = None) -> Any:
        headers = {"X-Auth-Token": self.token}
        return self.client.request(method, f"/v2.0/{path}", json=body, headers=headers)

    def ok(self, method: str, path: str, body: Any = None, status: int = 200) -> Any:
        r = self.call(method, path, body)
        assert r.status_code == status, r.text
        return r.json() if r.content else None

    def create(self, path: str, key: str, **attrs: Any) -> dict[str, Any]:
        return self.ok("POST", path, {key: attrs}, 201)[key]  # type: ignore[no-any-return]

    def fails(self, status: int, method: str, path: str, body: Any = None) -> dict[str, Any]:
        r = self.call(method, path, body)
        assert r.status_code == status, r.text
        return r.json()["NeutronError"]  # type: ignore[no-any-return]

    def ids(self, path: str) -> set[str]:
        plural = path.rsplit("/", 1)[-1].replace("-", "_")
        return {item["id"] for item in self.ok("GET", path)[plural]}


@pytest.fixture
def app_client(db_url: str, tmp_path: Path) -> Iterator[TestClient]:
    tokens = tmp_path / "tokens.yaml"
    tokens.write_text(json.dumps(TOKENS))
    app = create_app(db_url, token_file=tokens)
    with TestClient(app) as c:
        yield c
    app.state.sessions.kw["bind"].dispose()


@pytest.fixture
def admin(app_client: TestClient) -> Api:
    return Api(app_client, "t-admin")


@pytest.fixture
def alice(app_client: TestClient) -> Api:
    return Api(app_client, "t-alice")


@pytest.fixture
def bob(app_client: TestClient) -> Api:
    return Api(app_client, "t-bob")


@pytest.fixture
def carol(app_client: TestClient) -> Api:
    return Api(app_client, "t-carol")


def _disallowed(err: dict[str, Any], rule: str) -> None:
    assert err["type"] == "PolicyNotAuthorized"
    assert err["message"] == f"(rule:{rule}) is disallowed by policy"


def hidden(api: Api, path: str, ident: str, key: str, not_found: str) -> None:
    """`ident` under `path` does not exist for `api`: list, show, update, delete, tags."""
    assert ident not in api.ids(path)
    assert api.fails(404, "GET", f"{path}/{ident}")["type"] == not_found
    assert api.fails(404, "PUT", f"{path}/{ident}", {key: {"name": "x"}})["type"] == not_found
    assert api.fails(404, "DELETE", f"{path}/{ident}")["type"] == not_found
    assert api.fails(404, "GET", f"{path}/{ident}/tags")["type"] == not_found
    assert api.fails(404, "PUT", f"{path}/{ident}/tags/red")["type"] == not_found
    assert api.fails(404, "PUT", f"{path}/{ident}/tags", {"tags": ["a"]})["type"] == not_found


def read_only(api: Api, path: str, ident: str, key: str, singular: str) -> None:
    """`api` sees `ident` but may not change it: 403 naming the rule."""
    assert ident in api.ids(path)
    api.ok("GET", f"{path}/{ident}")
    api.ok("GET", f"{path}/{ident}/tags")
    _disallowed(
        api.fails(403, "PUT", f"{path}/{ident}", {key: {"name": "x"}}), f"update_{singular}"
    )
    _disallowed(api.fails(403, "DELETE", f"{path}/{ident}"), f"delete_{singular}")
    _disallowed(api.fails(403, "PUT", f"{path}/{ident}/tags/red"), f"update_{singular}")


def _net(api: Api, name: str = "n", **attrs: Any) -> dict[str, Any]:
    return api.create("networks", "network", name=name, **attrs)


def _subnet(api: Api, net: dict[str, Any], cidr: str = "10.0.0.0/24") -> dict[str, Any]:
    return api.create("subnets", "subnet", network_id=net["id"], cidr=cidr, ip_version=4)


def _public(admin: Api) -> tuple[dict[str, Any], dict[str, Any]]:
    net = _net(
        admin,
        "public",
        **{
            "router:external": True,
            "provider:network_type": "flat",
            "provider:physical_network": "physnet1",
        },
    )
    return net, _subnet(admin, net, "172.24.4.0/24")


# --- authentication -------------------------------------------------------------------------


def test_token_required_and_checked(app_client: TestClient) -> None:
    for headers in ({}, {"X-Auth-Token": "nope"}):
        r = app_client.get("/v2.0/networks", headers=headers)
        assert r.status_code == 401
        assert r.json()["NeutronError"]["type"] == "HTTPUnauthorized"
    assert app_client.get("/").status_code == 200  # version discovery stays open
    r = app_client.get("/v2.0/networks", headers={"X-Auth-Token": "t-bob"})
    assert r.status_code == 200 and r.json() == {"networks": []}


def test_x_project_id_is_ignored_with_tokens(alice: Api, bob: Api) -> None:
    r = bob.client.post(
        "/v2.0/networks",
        json={"network": {"name": "n"}},
        headers={"X-Auth-Token": "t-bob", "X-Project-Id": "proj-a"},
    )
    assert r.json()["network"]["project_id"] == "proj-b"
    assert alice.ids("networks") == set()


def test_noauth_callers_are_admins_of_the_header_project(client: TestClient) -> None:
    body = {"network": {"name": "n", "provider:network_type": "geneve", "shared": True}}
    net = client.post("/v2.0/networks", json=body, headers={"X-Project-Id": "p1"}).json()
    assert net["network"]["project_id"] == "p1"
    assert net["network"]["provider:network_type"] == "geneve"
    other = client.get("/v2.0/networks", headers={"X-Project-Id": "p2"}).json()
    assert [n["id"] for n in other["networks"]] == [net["network"]["id"]]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[1, 2]", "expected a mapping of token -> caller"),
        ("t: {roles: [member]}", "entry 1: project_id must be a non-empty string"),
        ("t: {project_id: p}", "entry 1: roles must be a non-empty list"),
        ("t: {project_id: p, roles: [boss]}", "entry 1: unknown role(s) ['boss']"),
        ("t: {project_id: p, roles: [reader], domain: d}", "entry 1: unknown key(s) domain"),
        ("t: [p]", "entry 1: expected a mapping with project_id and roles"),
        ("t: {project_id: p, roles: [reader], user_id: 3}", "entry 1: user_id must be a string"),
        ("t: {project_id: [", "is not valid YAML/JSON"),
    ],
)
def test_token_file_errors(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "tokens.yaml"
    path.write_text(text)
    with pytest.raises(TokenFileError, match=None) as err:
        load_tokens(path)
    assert message in str(err.value)


def test_token_file_missing_and_json(tmp_path: Path) -> None:
    with pytest.raises(TokenFileError, match="cannot read token file"):
        create_app(f"sqlite:///{tmp_path / 'n.db'}", token_file=tmp_path / "absent.json")
    path = tmp_path / "tokens.json"
    path.write_text(json.dumps(TOKENS))
    callers = load_tokens(path)
    assert callers["t-carol"].project_id == "proj-a"
    assert not callers["t-carol"].can_write and callers["t-alice"].can_write
    assert callers["t-admin"].is_admin and not callers["t-bob"].is_admin


def test_twin_endpoints_are_admin_only(admin: Api, bob: Api) -> None:
    r = bob.client.get("/ovntwin/nb", headers={"X-Auth-Token": "t-bob"})
    assert r.status_code == 403
    _disallowed(r.json()["NeutronError"], "get_ovntwin_nb")
    assert admin.client.get("/ovntwin/nb", headers={"X-Auth-Token": "t-admin"}).status_code == 200


# --- networks -------------------------------------------------------------------------------


def test_networks(admin: Api, alice: Api, bob: Api, carol: Api) -> None:
    net = _net(alice, "a-private")
    assert net["project_id"] == "proj-a"
    assert not any(k.startswith("provider:") for k in net)
    hidden(bob, "networks", net["id"], "network", "NetworkNotFound")
    # the reader of the same project sees it, never writes
    assert carol.ids("networks") == {net["id"]}
    _disallowed(carol.fails(403, "POST", "networks", {"network": {}}), "create_network")
    _disallowed(carol.fails(403, "PUT", f"networks/{net['id']}", {"network": {}}), "update_network")
    _disallowed(carol.fails(403, "DELETE", f"networks/{net['id']}"), "delete_network")
    _disallowed(carol.fails(403, "PUT", f"networks/{net['id']}/tags/x"), "update_network")
    # admin sees everything, with provider attributes
    seen = admin.ok("GET", f"networks/{net['id']}")["network"]
    assert seen["provider:network_type"] == "geneve"
    # shared and external networks are visible to every project, read-only
    shared = _net(admin, "shared", shared=True)
    public, _ = _public(admin)
    assert bob.ids("networks") == {shared["id"], public["id"]}
    read_only(bob, "networks", shared["id"], "network", "network")
    read_only(alice, "networks", public["id"], "network", "network")
    assert "provider:physical_network" not in bob.ok("GET", f"networks/{public['id']}")["network"]
    # the owner changes and deletes its own
    alice.ok("PUT", f"networks/{net['id']}/tags/mine", status=201)
    alice.ok("PUT", f"networks/{net['id']}", {"network": {"name": "renamed"}})
    alice.ok("DELETE", f"networks/{net['id']}", status=204)


@pytest.mark.parametrize(
    ("attr", "value"),
    [
        ("provider:network_type", "vlan"),
        ("provider:physical_network", "physnet1"),
        ("provider:segmentation_id", 100),
        ("shared", True),
        ("router:external", True),
    ],
)
def test_network_admin_only_attributes(admin: Api, alice: Api, attr: str, value: Any) -> None:
    err = alice.fails(403, "POST", "networks", {"network": {attr: value}})
    _disallowed(err, f"create_network:{attr}")
    net = _net(alice)
    err = alice.fails(403, "PUT", f"networks/{net['id']}", {"network": {attr: value}})
    _disallowed(err, f"update_network:{attr}")
    assert admin.ok("GET", f"networks/{net['id']}")["network"]["revision_number"] == 0


def test_default_values_of_admin_only_attributes_are_allowed(alice: Api) -> None:
    assert _net(alice, shared=False, **{"router:external": False})["shared"] is False


def test_create_for_another_project(admin: Api, alice: Api) -> None:
    for key in ("project_id", "tenant_id"):
        err = alice.fails(403, "POST", "networks", {"network": {key: "proj-b"}})
        _disallowed(err, f"create_network:{key}")
    assert _net(alice, project_id="proj-a")["project_id"] == "proj-a"
    assert _net(admin, project_id="proj-b")["project_id"] == "proj-b"


# --- subnets --------------------------------------------------------------------------------


def test_subnets(admin: Api, alice: Api, bob: Api, carol: Api) -> None:
    net = _net(alice)
    subnet = _subnet(alice, net)
    hidden(bob, "subnets", subnet["id"], "subnet", "SubnetNotFound")
    assert carol.ids("subnets") == {subnet["id"]}
    # a subnet of a shared network is visible, read-only
    shared = _net(admin, "shared", shared=True)
    shared_subnet = _subnet(admin, shared, "10.9.0.0/24")
    read_only(bob, "subnets", shared_subnet["id"], "subnet", "subnet")
    # subnets go on one's own networks: hidden -> 404, others' visible -> 403
    body = {"subnet": {"network_id": net["id"], "cidr": "10.1.0.0/24", "ip_version": 4}}
    assert bob.fails(404, "POST", "subnets", body)["type"] == "NetworkNotFound"
    body["subnet"]["network_id"] = shared["id"]
    _disallowed(bob.fails(403, "POST", "subnets", body), "create_subnet:network_id")


# --- ports ----------------------------------------------------------------------------------


def test_ports(admin: Api, alice: Api, bob: Api, carol: Api) -> None:
    net = _net(alice)
    _subnet(alice, net)
    port = alice.create("ports", "port", network_id=net["id"])
    assert not any(
        k.startswith(("binding:host_id", "binding:vif", "binding:profile")) for k in port
    )
    assert port["binding:vnic_type"] == "normal"
    hidden(bob, "ports", port["id"], "port", "PortNotFound")
    assert carol.ids("ports") == {port["id"]}
    _disallowed(
        carol.fails(403, "POST", "ports", {"port": {"network_id": net["id"]}}), "create_port"
    )
    # admin binds it and sees the binding
    bound = admin.ok("PUT", f"ports/{port['id']}", {"port": {"binding:host_id": "compute1"}})
    assert bound["port"]["binding:vif_type"] == "ovs"
    assert "binding:host_id" not in alice.ok("GET", f"ports/{port['id']}")["port"]


def test_port_references(admin: Api, alice: Api, bob: Api) -> None:
    net = _net(alice)
    _subnet(alice, net)
    group = alice.create("security-groups", "security_group", name="web")
    shared = _net(admin, "shared", shared=True)
    _subnet(admin, shared, "10.9.0.0/24")
    # another project's private network does not exist; a shared one takes ports
    err = bob.fails(404, "POST", "ports", {"port": {"network_id": net["id"]}})
    assert err["type"] == "NetworkNotFound"
    mine = bob.create("ports", "port", network_id=shared["id"])
    assert mine["project_id"] == "proj-b"
    assert alice.ids("ports") == set()  # bob's port on admin's network stays bob's
    body = {"port": {"network_id": shared["id"], "security_groups": [group["id"]]}}
    assert bob.fails(404, "POST", "ports", body)["type"] == "SecurityGroupNotFound"
    body = {"port": {"security_groups": [group["id"]]}}
    assert bob.fails(404, "PUT", f"ports/{mine['id']}", body)["type"] == "SecurityGroupNotFound"


@pytest.mark.parametrize(
    ("attr", "value"),
    [("binding:host_id", "compute1"), ("binding:profile", {"a": "b"})],
)
def test_port_admin_only_attributes(alice: Api, attr: str, value: Any) -> None:
    net = _net(alice)
    _subnet(alice, net)
    err = alice.fails(403, "POST", "ports", {"port": {"network_id": net["id"], attr: value}})
    _disallowed(err, f"create_port:{attr}")
    port = alice.create("ports", "port", network_id=net["id"])
    _disallowed(
        alice.fails(403, "PUT", f"ports/{port['id']}", {"port": {attr: value}}),
        f"update_port:{attr}",
    )


# --- security groups and rules --------------------------------------------------------------


def test_security_groups(alice: Api, bob: Api, carol: Api) -> None:
    group = alice.create("security-groups", "security_group", name="web")
    hidden(bob, "security-groups", group["id"], "security_group", "SecurityGroupNotFound")
    bob_groups = bob.ok("GET", "security-groups")["security_groups"]
    assert [(g["name"], g["project_id"]) for g in bob_groups] == [("default", "proj-b")]
    names = {g["name"] for g in carol.ok("GET", "security-groups")["security_groups"]}
    assert names == {"default", "web"}
    err = carol.fails(403, "DELETE", f"security-groups/{group['id']}")
    _disallowed(err, "delete_security_group")


def test_security_group_rules(alice: Api, bob: Api, carol: Api) -> None:
    group = alice.create("security-groups", "security_group", name="web")
    rule = alice.create(
        "security-group-rules",
        "security_group_rule",
        security_group_id=group["id"],
        direction="ingress",
        protocol="tcp",
        port_range_min=22,
        port_range_max=22,
    )
    path = f"security-group-rules/{rule['id']}"
    assert rule["id"] not in bob.ids("security-group-rules")
    assert bob.fails(404, "GET", path)["type"] == "SecurityGroupRuleNotFound"
    assert bob.fails(404, "DELETE", path)["type"] == "SecurityGroupRuleNotFound"
    assert bob.fails(404, "GET", f"{path}/tags")["type"] == "SecurityGroupRuleNotFound"
    assert bob.fails(404, "PUT", f"{path}/tags/x")["type"] == "SecurityGroupRuleNotFound"
    body = {"security_group_rule": {"security_group_id": group["id"], "direction": "egress"}}
    assert bob.fails(404, "POST", "security-group-rules", body)["type"] == "SecurityGroupNotFound"
    bob_group = bob.create("security-groups", "security_group", name="b")
    body = {
        "security_group_rule": {
            "security_group_id": bob_group["id"],
            "direction": "ingress",
            "remote_group_id": group["id"],
        }
    }
    assert bob.fails(404, "POST", "security-group-rules", body)["type"] == "SecurityGroupNotFound"
    assert rule["id"] in carol.ids("security-group-rules")
    _disallowed(carol.fails(403, "DELETE", path), "delete_security_group_rule")
    alice.ok("DELETE", path, status=204)


# --- QoS ------------------------------------------------------------------------------------


def test_qos_policies(admin: Api, alice: Api, bob: Api, carol: Api) -> None:
    err = alice.fails(403, "POST", "qos/policies", {"policy": {"name": "p"}})
    _disallowed(err, "create_policy")
    private = admin.create("qos/policies", "policy", name="a-only", project_id="proj-a")
    shared = admin.create("qos/policies", "policy", name="bw", shared=True)
    hidden(bob, "qos/policies", private["id"], "policy", "QosPolicyNotFound")
    assert bob.ids("qos/policies") == {shared["id"]}
    assert carol.ids("qos/policies") == {private["id"], shared["id"]}
    # even the owner does not change a policy: admin-only in Neutron's defaults
    err = alice.fails(403, "PUT", f"qos/policies/{private['id']}", {"policy": {"name": "x"}})
    _disallowed(err, "update_policy")
    read_only(bob, "qos/policies", shared["id"], "policy", "policy")


def test_qos_policy_attachment(admin: Api, alice: Api) -> None:
    shared = admin.create("qos/policies", "policy", name="bw", shared=True)
    private = admin.create("qos/policies", "policy", name="admins")
    net = _net(alice, qos_policy_id=shared["id"])
    assert net["qos_policy_id"] == shared["id"]
    _subnet(alice, net)
    port = alice.create("ports", "port", network_id=net["id"])
    body = {"port": {"qos_policy_id": shared["id"]}}
    assert alice.ok("PUT", f"ports/{port['id']}", body)["port"]["qos_policy_id"] == shared["id"]
    body = {"port": {"qos_policy_id": private["id"]}}
    assert alice.fails(404, "PUT", f"ports/{port['id']}", body)["type"] == "QosPolicyNotFound"
    body = {"network": {"qos_policy_id": private["id"]}}
    assert alice.fails(404, "POST", "networks", body)["type"] == "QosPolicyNotFound"


def test_qos_rules(admin: Api, alice: Api, bob: Api) -> None:
    shared = admin.create("qos/policies", "policy", name="bw", shared=True)
    private = admin.create("qos/policies", "policy", name="a-only", project_id="proj-a")
    coll = f"qos/policies/{shared['id']}/bandwidth_limit_rules"
    rule = admin.create(coll, "bandwidth_limit_rule", max_kbps=3000, max_burst_kbps=300)
    assert bob.ids(coll) == {rule["id"]}
    bob.ok("GET", f"{coll}/{rule['id']}")
    bob.ok("GET", f"qos/alias_bandwidth_limit_rules/{rule['id']}")
    change = {"bandwidth_limit_rule": {"max_kbps": 5000}}
    _disallowed(bob.fails(403, "POST", coll, change), "create_policy_bandwidth_limit_rule")
    err = bob.fails(403, "PUT", f"{coll}/{rule['id']}", change)
    _disallowed(err, "update_policy_bandwidth_limit_rule")
    err = bob.fails(403, "DELETE", f"{coll}/{rule['id']}")
    _disallowed(err, "delete_policy_bandwidth_limit_rule")
    alias = {"alias_bandwidth_limit_rule": {"max_kbps": 5000}}
    err = bob.fails(403, "PUT", f"qos/alias_bandwidth_limit_rules/{rule['id']}", alias)
    _disallowed(err, "update_alias_bandwidth_limit_rule")
    # rules of a policy the caller cannot see do not exist
    hidden_coll = f"qos/policies/{private['id']}/dscp_marking_rules"
    mark = admin.create(hidden_coll, "dscp_marking_rule", dscp_mark=16)
    assert bob.fails(404, "GET", hidden_coll)["type"] == "QosPolicyNotFound"
    assert bob.fails(404, "GET", f"{hidden_coll}/{mark['id']}")["type"] == "QosPolicyNotFound"
    assert bob.fails(404, "GET", f"qos/alias_dscp_marking_rules/{mark['id']}")["type"] == (
        "QosPolicyNotFound"
    )
    assert alice.ids(hidden_coll) == {mark["id"]}
    # rule types: listed for everyone, details for admins
    assert {t["type"] for t in bob.ok("GET", "qos/rule-types")["rule_types"]} >= {"bandwidth_limit"}
    _disallowed(bob.fails(403, "GET", "qos/rule-types/bandwidth_limit"), "get_rule_type")
    assert admin.ok("GET", "qos/rule-types/bandwidth_limit")["rule_type"]["drivers"]


# --- routers and floating IPs ---------------------------------------------------------------


def test_routers(admin: Api, alice: Api, bob: Api, carol: Api) -> None:
    public, _ = _public(admin)
    gateway = {"network_id": public["id"]}
    router = alice.create("routers", "router", name="r", external_gateway_info=gateway)
    assert router["project_id"] == "proj-a"
    hidden(bob, "routers", router["id"], "router", "RouterNotFound")
    net = _net(alice)
    subnet = _subnet(alice, net)
    iface = f"routers/{router['id']}/add_router_interface"
    assert bob.fails(404, "PUT", iface, {"subnet_id": subnet["id"]})["type"] == "RouterNotFound"
    _disallowed(carol.fails(403, "PUT", iface, {"subnet_id": subnet["id"]}), "update_router")
    bob_router = bob.create("routers", "router", name="b")
    err = bob.fails(
        404, "PUT", f"routers/{bob_router['id']}/add_router_interface", {"subnet_id": subnet["id"]}
    )
    assert err["type"] == "SubnetNotFound"
    alice.ok("PUT", iface, {"subnet_id": subnet["id"]})
    assert carol.ids("routers") == {router["id"]}
    private = _net(bob, "b-private")
    body = {"router": {"external_gateway_info": {"network_id": private["id"]}}}
    assert alice.fails(404, "POST", "routers", body)["type"] == "NetworkNotFound"
    for key, value in (("enable_snat", False), ("external_fixed_ips", [])):
        body = {"router": {"external_gateway_info": {"network_id": public["id"], key: value}}}
        err = alice.fails(403, "PUT", f"routers/{router['id']}", body)
        _disallowed(err, f"update_router:external_gateway_info:{key}")
    for attr in ("distributed", "ha"):
        _disallowed(
            alice.fails(403, "POST", "routers", {"router": {attr: True}}), f"create_router:{attr}"
        )


def test_floatingips(admin: Api, alice: Api, bob: Api) -> None:
    public, _ = _public(admin)
    fip = alice.create("floatingips", "floatingip", floating_network_id=public["id"])
    assert fip["project_id"] == "proj-a"
    path = f"floatingips/{fip['id']}"
    assert fip["id"] not in bob.ids("floatingips")
    assert bob.fails(404, "GET", path)["type"] == "FloatingIPNotFound"
    assert bob.fails(404, "PUT", path, {"floatingip": {"port_id": None}})["type"] == (
        "FloatingIPNotFound"
    )
    assert bob.fails(404, "DELETE", path)["type"] == "FloatingIPNotFound"
    assert bob.fails(404, "PUT", f"{path}/tags/x")["type"] == "FloatingIPNotFound"
    # a member's FIP points only at its own ports
    shared = _net(admin, "shared", shared=True)
    _subnet(admin, shared, "10.9.0.0/24")
    bob_port = bob.create("ports", "port", network_id=shared["id"])
    body = {"floatingip": {"port_id": bob_port["id"]}}
    assert alice.fails(404, "PUT", path, body)["type"] == "PortNotFound"
    private = _net(bob, "b-private")
    body = {"floatingip": {"floating_network_id": private["id"]}}
    assert alice.fails(404, "POST", "floatingips", body)["type"] == "NetworkNotFound"
    alice.ok("DELETE", path, status=204)


# --- the real openstack CLI with tokens -----------------------------------------------------


def test_openstack_cli_with_admin_token(tmp_path: Path) -> None:
    from clients.live import LiveServer

    exe = shutil.which("openstack")
    assert exe, "python-openstackclient is required (pip install '.[test]')"
    tokens = tmp_path / "tokens.json"
    tokens.write_text(json.dumps(TOKENS))
    db = f"sqlite:///{tmp_path / 'neutron.db'}"
    with LiveServer(db, tmp_path / "serve.log", "--token-file", str(tokens)) as live:

        def osc(token: str, *args: str) -> subprocess.CompletedProcess[str]:
            auth = ["--os-auth-type", "admin_token", "--os-token", token]
            argv = [exe, *auth, "--os-endpoint", live.url, *args]
            return subprocess.run(argv, capture_output=True, text=True, timeout=120)

        done = osc("t-alice", "network", "create", "a-net", "-f", "json")
        assert done.returncode == 0, done.stderr
        created = json.loads(done.stdout)
        assert created["project_id"] == "proj-a" and created["provider:network_type"] is None
        assert json.loads(osc("t-bob", "network", "list", "-f", "json").stdout) == []
        assert osc("t-bob", "network", "show", created["id"]).returncode == 1
        vlan = ["--provider-network-type", "vlan", "--provider-physical-network", "physnet1"]
        done = osc("t-alice", "network", "create", *vlan, "v")
        assert done.returncode == 1 and "is disallowed by policy" in done.stderr
        done = osc("t-admin", "network", "create", *vlan, "v", "-f", "json")
        assert json.loads(done.stdout)["provider:segmentation_id"] == 1
        done = osc("nope", "network", "list")
        assert done.returncode == 1 and "401" in done.stderr
