"""Database files, backups and live remotes written by a real ovsdb-server (OVN installed)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from nb_encode import insert_ops, normalized
from ovsdb_server import OvsdbServer

from ovntwin.errors import LoadError
from ovntwin.loaders import load_nb, load_runtime, load_topology, seed_path
from ovntwin.model import rows as r

pytestmark = pytest.mark.oracle

Factory = Callable[[str], OvsdbServer]


@pytest.fixture
def seed_server(ovsdb: Factory) -> OvsdbServer:
    """An NB ovsdb-server holding the seed topology with the seed's own UUIDs."""
    server = ovsdb("nb").start()
    server.transact(insert_ops(load_topology(seed_path()).nb))
    return server


def test_db_file_round_trip_matches_yaml(seed_server: OvsdbServer) -> None:
    seed_server.stop()
    from_file = load_nb(str(seed_server.db))
    assert normalized(from_file) == normalized(load_topology(seed_path()).nb)


def test_remote_snapshot_matches_yaml(seed_server: OvsdbServer) -> None:
    live = load_nb(seed_server.remote)
    assert normalized(live) == normalized(load_topology(seed_path()).nb)


def test_file_backup_and_remote_agree_after_edits(seed_server: OvsdbServer, tmp_path: Path) -> None:
    s = seed_server
    s.ctl("set", "logical_switch", "A", "other_config:requested-tnl-key=9", "external_ids:k=v")
    s.ctl("remove", "logical_switch", "A", "external_ids", "k")
    s.ctl("lsp-set-addresses", "vm2", "fa:16:3e:00:00:22 10.0.1.22", "fa:16:3e:00:00:23")
    s.ctl("lsp-del", "vm3")
    s.ctl("lsp-set-enabled", "vm1", "disabled")
    s.ctl("acl-add", "B", "to-lport", "1003", "ip4.src == 10.0.0.0/8", "drop")
    s.ctl("lr-route-add", "R1", "0.0.0.0/0", "10.0.2.254")
    s.ctl("lr-policy-add", "R1", "100", "ip4.src == 10.0.1.0/24", "allow")
    s.ctl("set", "logical_switch_port", "ln-B", "tag=2020")
    s.ctl("clear", "logical_switch_port", "ln-A", "tag")
    s.ctl("set", "logical_router_port", "r1-A", "peer=x")
    s.ctl("set", "logical_router_port", "r1-A", "peer=y")
    s.ctl("set", "logical_router_port", "r1-B", "peer=z")
    s.ctl("clear", "logical_router_port", "r1-B", "peer")
    live = load_nb(s.remote)
    backup = load_nb(str(s.backup(tmp_path / "backup.db")))
    s.stop()
    from_file = load_nb(str(s.db))
    assert normalized(from_file) == normalized(live) == normalized(backup)

    a = from_file.by_name(r.LogicalSwitch, "A")
    assert a is not None and dict(a.other_config) == {"requested-tnl-key": "9"}
    assert dict(a.external_ids) == {}
    assert from_file.by_name(r.LogicalSwitchPort, "vm3") is None
    assert len(a.ports) == 4
    vm1, vm2 = (from_file.by_name(r.LogicalSwitchPort, n) for n in ("vm1", "vm2"))
    assert vm1 is not None and vm1.enabled is False
    assert vm2 is not None and set(vm2.addresses) == {
        "fa:16:3e:00:00:22 10.0.1.22",
        "fa:16:3e:00:00:23",
    }
    ln_b = from_file.by_name(r.LogicalSwitchPort, "ln-B")
    assert ln_b is not None and ln_b.tag == 2020
    ln_a = from_file.by_name(r.LogicalSwitchPort, "ln-A")
    assert ln_a is not None and ln_a.tag is None
    peers = [p.peer for p in from_file.rows(r.LogicalRouterPort)]
    assert sorted(peers, key=str) == [None, "y"]
    (route,) = from_file.rows(r.LogicalRouterStaticRoute)
    assert (route.ip_prefix, route.nexthop, route.policy) == ("0.0.0.0/0", "10.0.2.254", None)
    (policy,) = from_file.rows(r.LogicalRouterPolicy)
    assert (policy.priority, policy.action) == (100, "allow")
    assert len(from_file.rows(r.ACL)) == 6


def test_sb_file_passed_as_nb_is_refused(ovsdb: Factory) -> None:
    server = ovsdb("sb")
    with pytest.raises(LoadError) as info:
        load_nb(str(server.db))
    assert str(info.value) == f"{server.db}: not an OVN northbound database (schema OVN_Southbound)"


def test_sb_remote_passed_as_nb_is_refused(ovsdb: Factory) -> None:
    server = ovsdb("sb").start()
    with pytest.raises(LoadError, match=r"serves OVN_Southbound, not OVN_Northbound"):
        load_nb(server.remote)


def _fill_sb(s: OvsdbServer) -> None:
    s.ctl("chassis-add", "hv1", "geneve", "192.0.2.11")
    s.ctl("set", "chassis", "hv1", "hostname=hv1.example", "other_config:port-up-notif=true")
    s.ctl("chassis-add", "hv2", "geneve", "192.0.2.12")
    dp_a = s.ctl("create", "Datapath_Binding", "tunnel_key=5", "external_ids:name=A")
    dp_r = s.ctl("create", "Datapath_Binding", "tunnel_key=6", "external_ids:name=R1")
    s.ctl("create", "Port_Binding", "logical_port=vm1", f"datapath={dp_a}", "tunnel_key=3")
    s.ctl("create", "Port_Binding", "logical_port=vm2", f"datapath={dp_a}", "tunnel_key=4")
    s.ctl("create", "Port_Binding", "logical_port=r1-B", f"datapath={dp_r}", "tunnel_key=1")
    s.ctl("lsp-bind", "vm1", "hv1")
    s.ctl("set", "Port_Binding", "vm1", "up=true")
    s.ctl(
        "create", "MAC_Binding", "logical_port=r1-B", "ip=10.0.2.254",
        'mac="52:54:00:00:00:fe"', f"datapath={dp_r}",
    )  # fmt: skip
    s.ctl("create", "FDB", 'mac="52:54:00:00:00:42"', "dp_key=5", "port_key=4")
    s.ctl("create", "FDB", 'mac="52:54:00:00:00:43"', "dp_key=77", "port_key=4")  # stale
    s.ctl(
        "create", "Logical_Flow", f"logical_datapath={dp_a}", "pipeline=ingress",
        "table_id=0", "priority=0", 'match="1"', 'actions="next;"',
    )  # fmt: skip


def test_sb_runtime_from_remote_file_and_backup(ovsdb: Factory, tmp_path: Path) -> None:
    s = ovsdb("sb").start()
    _fill_sb(s)
    live = load_runtime(s.remote)
    backup = load_runtime(str(s.backup(tmp_path / "sb-backup.db")))
    s.stop()
    from_file = load_runtime(str(s.db))
    assert live == from_file == backup

    hv1, hv2 = live.chassis
    assert (hv1.name, hv1.hostname, hv2.name) == ("hv1", "hv1.example", "hv2")
    assert [(e.type, e.ip) for e in hv1.encaps] == [("geneve", "192.0.2.11")]
    assert hv1.has_feature("port-up-notif") and not live.feature("port-up-notif")
    vm1 = live.ports["vm1"]
    assert (vm1.chassis, vm1.up, vm1.tunnel_key) == ("hv1", True, 3)
    assert live.ports["vm2"].chassis is None
    (mac,) = live.mac_bindings
    assert (mac.logical_port, mac.ip, mac.mac, mac.datapath) == (
        "r1-B", "10.0.2.254", "52:54:00:00:00:fe", "R1",
    )  # fmt: skip
    assert [(f.mac, f.datapath, f.port) for f in live.fdb] == [("52:54:00:00:00:42", "A", "vm2")]
    assert dict(live.datapath_keys) == {"A": 5, "R1": 6}


def test_load_nb_with_sb_runtime(seed_server: OvsdbServer, ovsdb: Factory) -> None:
    sb = ovsdb("sb").start()
    _fill_sb(sb)
    nb = load_nb(seed_server.remote, sb=sb.remote)
    assert nb.by_name(r.LogicalSwitch, "A") is not None
    assert nb.runtime.ports["vm1"].chassis == "hv1"
    yaml_nb = load_nb(str(seed_path()), sb=sb.remote)
    assert yaml_nb.runtime == nb.runtime
