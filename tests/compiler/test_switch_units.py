"""Switch pipeline builders on NB rows built by hand (no OVN needed)."""

from __future__ import annotations

from collections.abc import Sequence

from ovntwin.compiler.compile import compile_nb
from ovntwin.compiler.switch.facts import opt_bool
from ovntwin.model import rows as r
from ovntwin.model.db import NorthboundDB
from ovntwin.model.runtime import Chassis, RuntimeState
from ovntwin.southbound.rows import LogicalFlow

OPTS = {"mac_prefix": "0a:00:00", "svc_monitor_mac": "0a:00:00:00:00:fe"}


def _nb(
    ports: list[r.LogicalSwitchPort],
    acls: Sequence[r.ACL] = (),
    options: dict[str, str] | None = None,
    runtime: RuntimeState | None = None,
) -> NorthboundDB:
    sw = r.LogicalSwitch(
        uuid="ls-1", name="sw", ports=tuple(p.uuid for p in ports), acls=tuple(a.uuid for a in acls)
    )
    glob = r.NBGlobal(uuid="nbg", options={**OPTS, **(options or {})})
    return NorthboundDB.build([glob, sw, *ports, *acls], runtime)


def _vif(name: str, addr: str, enabled: bool | None = None) -> r.LogicalSwitchPort:
    return r.LogicalSwitchPort(uuid=f"lsp-{name}", name=name, addresses=(addr,), enabled=enabled)


def _flows(nb: NorthboundDB, stage: str) -> list[LogicalFlow]:
    return [f for f in compile_nb(nb).logical_flows if f.stage_name == stage]


def _has(flows: list[LogicalFlow], prio: int, match: str, actions: str) -> bool:
    return any((f.priority, f.match, f.actions) == (prio, match, actions) for f in flows)


def test_unicast_delivery_and_arp_reply() -> None:
    nb = _nb([_vif("a", "00:00:00:00:00:0a 10.0.0.10")])
    l2 = _flows(nb, "ls_in_l2_lkup")
    assert _has(l2, 50, "eth.dst == 00:00:00:00:00:0a", 'outport = "a"; output;')
    arp = _flows(nb, "ls_in_arp_rsp")
    assert _has(arp, 100, 'arp.tpa == 10.0.0.10 && arp.op == 1 && inport == "a"', "next;")


def test_disabled_port_is_dropped_both_ways() -> None:
    nb = _nb([_vif("a", "00:00:00:00:00:0a", enabled=False)])
    assert _has(_flows(nb, "ls_in_check_port_sec"), 100, 'inport == "a"', "reg0[15] = 1; next;")
    assert _has(_flows(nb, "ls_in_l2_unknown"), 50, 'outport == "a"', "drop;")
    assert _has(_flows(nb, "ls_in_l2_lkup"), 50, "eth.dst == 00:00:00:00:00:0a", "drop;")


def test_unknown_port_learns_and_floods_misses() -> None:
    nb = _nb([_vif("u", "unknown")])
    fdb = _flows(nb, "ls_in_put_fdb")
    assert _has(fdb, 100, 'inport == "u" && reg0[11] == 0', "put_fdb(inport, eth.src); next;")
    unknown = _flows(nb, "ls_in_l2_unknown")
    assert _has(unknown, 50, 'outport == "none"', 'outport = "_MC_unknown"; output;')


def _stateful_acl() -> r.ACL:
    return r.ACL(
        uuid="acl-1", priority=1001, direction="to-lport", match="tcp", action="allow-related"
    )


def test_stateful_acl_uses_ct_mark_with_modern_chassis() -> None:
    nb = _nb([_vif("a", "00:00:00:00:00:0a")], [_stateful_acl()])
    assert _has(_flows(nb, "ls_in_pre_stateful"), 110, "reg0[2] == 1", "ct_lb_mark;")
    acl = _flows(nb, "ls_out_acl")
    assert _has(acl, 2001, "reg0[7] == 1 && (tcp)", "reg0[1] = 1; next;")
    assert _has(acl, 1, "ip && ct.est && ct_mark.blocked == 1", "reg0[1] = 1; next;")


def test_old_chassis_switches_to_ct_label_and_ct_lb() -> None:
    runtime = RuntimeState(chassis=(Chassis(name="old"),))
    nb = _nb([_vif("a", "00:00:00:00:00:0a")], [_stateful_acl()], runtime=runtime)
    assert _has(_flows(nb, "ls_in_pre_stateful"), 110, "reg0[2] == 1", "ct_lb;")
    related = "!ct.est && ct.rel && !ct.new && !ct.inv && ct_label.blocked == 0"
    assert _has(_flows(nb, "ls_out_acl"), 65532, related, "next;")


def test_logged_reject_without_conntrack() -> None:
    acl = r.ACL(
        uuid="acl-2",
        priority=5,
        direction="from-lport",
        match="udp",
        action="reject",
        log=True,
        name="r1",
    )
    nb = _nb([_vif("a", "00:00:00:00:00:0a")], [acl])
    expected = (
        'log(name="r1", severity=info, verdict=reject); reg0 = 0; reject { /* eth.dst <-> '
        "eth.src; ip.dst <-> ip.src; is implicit. */ outport <-> inport; "
        "next(pipeline=egress,table=5); };"
    )
    assert _has(_flows(nb, "ls_in_acl"), 1005, "udp", expected)


def test_default_acl_drop() -> None:
    acl = r.ACL(uuid="acl-3", priority=1, direction="from-lport", match="ip4", action="allow")
    nb = _nb([_vif("a", "00:00:00:00:00:0a")], [acl], {"default_acl_drop": "true"})
    assert _has(_flows(nb, "ls_in_acl"), 0, "1", "drop;")
    assert _has(_flows(nb, "ls_in_acl"), 1001, "ip4", "next;")


def test_opt_bool_follows_smap_get_bool() -> None:
    assert opt_bool({}, "x", True) and not opt_bool({}, "x", False)
    assert opt_bool({"x": "yes"}, "x", True) and not opt_bool({"x": "yes"}, "x", False)
    assert opt_bool({"x": "TRUE"}, "x", False) and not opt_bool({"x": "False"}, "x", True)
