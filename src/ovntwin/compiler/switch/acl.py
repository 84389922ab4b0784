"""ACL evaluation: ls_in_acl, ls_in_acl_after_lb, ls_out_acl.

NB ACLs (the switch's own and those of port groups with a member here) become flows
at priority ACL+1000. Their shape depends on whether conntrack is in use (a stateful
ACL or a load balancer on the switch): then allow ACLs commit connections and drop
ACLs also mark established connections as blocked; without it they are plain
next/drop flows.

| stage            | prio  | why                                                      |
|------------------|-------|----------------------------------------------------------|
| acl              | 65535 | no ACLs and no LB: skip the stage                         |
| acl              | 65532 | ct.inv or blocked replies: drop (conntrack in use)        |
| acl              | 65532 | established replies / related: allow (conntrack in use)   |
| acl, after_lb    | 65532 | ND/RA/RS/MLD always pass, never tracked                   |
| acl_after_lb     | 65532 | reply/related already allowed in ls_in_acl                |
| acl              | 65533 | log-related copies of labelled, logged allow-related ACLs |
| acl              | 34000 | service monitor traffic bypasses ACLs                     |
| acl              | 1     | conntrack in use: commit new or unblocked connections     |
| acl, after_lb    | 0     | default verdict: allow, or drop with default_acl_drop     |
"""

from __future__ import annotations

from collections.abc import Callable

from ovntwin.compiler.context import CompileContext, Datapath
from ovntwin.compiler.lflow import LflowTable
from ovntwin.compiler.stages import Stage
from ovntwin.compiler.switch.acl_log import acl_log, reject_actions
from ovntwin.compiler.switch.facts import (
    ACL_LABEL_BIT,
    ACL_PRI_OFFSET,
    CT_COMMIT,
    HINT_ALLOW,
    HINT_ALLOW_NEW,
    HINT_ALLOW_REL,
    HINT_BLOCK,
    HINT_DROP,
    LABEL_REG,
    SwitchFacts,
    opt_bool,
)
from ovntwin.model import rows as r

_ND_MLD = "nd || nd_ra || nd_rs || mldv1 || mldv2"
_BYPASS = 65532  # above every NB ACL (32767 + 1000), below the no-ACL skip flow

_Add = Callable[..., None]  # add(match, actions[, stage, priority]) for one ACL


def build_acls(ctx: CompileContext, dp: Datapath, facts: SwitchFacts, lflows: LflowTable) -> None:
    _defaults(dp, facts, lflows)
    if facts.has_stateful:
        _conntrack_defaults(dp, facts, lflows)
    for stage in (Stage.LS_IN_ACL, Stage.LS_OUT_ACL, Stage.LS_IN_ACL_AFTER_LB):
        lflows.add(dp.uuid, stage, _BYPASS, _ND_MLD, "next;")
    for acl in dp.acls:
        _acl_flows(ctx, dp, facts, acl, lflows)
    if facts.has_acls or facts.has_lb_vip:
        lflows.add(dp.uuid, Stage.LS_IN_ACL, 34000, "eth.dst == $svc_monitor_mac", "next;")
        lflows.add(dp.uuid, Stage.LS_OUT_ACL, 34000, "eth.src == $svc_monitor_mac", "next;")


def _defaults(dp: Datapath, facts: SwitchFacts, lflows: LflowTable) -> None:
    if not facts.has_acls:
        prio = 0 if facts.has_lb_vip else 65535  # no ACLs at all: skip the stage outright
        lflows.add(dp.uuid, Stage.LS_IN_ACL, prio, "1", "next;")
        lflows.add(dp.uuid, Stage.LS_OUT_ACL, prio, "1", "next;")
        lflows.add(dp.uuid, Stage.LS_IN_ACL_AFTER_LB, 0, "1", "next;")
        return
    verdict = facts.drop if facts.default_acl_drop else "next;"
    for stage in (Stage.LS_IN_ACL, Stage.LS_OUT_ACL, Stage.LS_IN_ACL_AFTER_LB):
        lflows.add(dp.uuid, stage, 0, "1", verdict)


def _conntrack_defaults(dp: Datapath, facts: SwitchFacts, lflows: LflowTable) -> None:
    blocked, inv = facts.ct_blocked, facts.not_inv
    commit = f"{CT_COMMIT} = 1; next;"
    new_verdict = facts.drop if facts.default_acl_drop else commit
    related_in = f"{HINT_ALLOW_REL} = 1; " + ("ct_commit_nat;" if facts.ct_lb_related else "next;")
    related_out = "ct_commit_nat;" if facts.ct_lb_related else "next;"
    invalid = ("ct.inv || " if facts.use_ct_inv_match else "") + (
        f"(ct.est && ct.rpl && {blocked} == 1)"
    )
    reply = f"ct.est && !ct.rel && !ct.new{inv} && ct.rpl && {blocked} == 0"
    related = f"!ct.est && ct.rel && !ct.new{inv} && {blocked} == 0"
    reply_in = f"{HINT_DROP} = 0; {HINT_BLOCK} = 0; {HINT_ALLOW_REL} = 1; next;"
    for stage, reply_act, rel_act in (
        (Stage.LS_IN_ACL, reply_in, related_in),
        (Stage.LS_OUT_ACL, "next;", related_out),
    ):
        # Priority 1: commit what the default verdict lets through.
        lflows.add(dp.uuid, stage, 1, f"ip && ct.est && {blocked} == 1", commit)
        lflows.add(dp.uuid, stage, 1, "ip && !ct.est", new_verdict)
        lflows.add(dp.uuid, stage, _BYPASS, invalid, facts.drop)
        lflows.add(dp.uuid, stage, _BYPASS, reply, reply_act)
        lflows.add(dp.uuid, stage, _BYPASS, related, rel_act)
    lflows.add(dp.uuid, Stage.LS_IN_ACL_AFTER_LB, _BYPASS, f"{HINT_ALLOW_REL} == 1", "next;")


def acl_stage(acl: r.ACL) -> Stage:
    if acl.direction != "from-lport":
        return Stage.LS_OUT_ACL
    if opt_bool(acl.options, "apply-after-lb", False):
        return Stage.LS_IN_ACL_AFTER_LB
    return Stage.LS_IN_ACL


def _acl_flows(
    ctx: CompileContext, dp: Datapath, facts: SwitchFacts, acl: r.ACL, lflows: LflowTable
) -> None:
    stage = acl_stage(acl)
    prio = acl.priority + ACL_PRI_OFFSET

    def add(match: str, actions: str, flow_stage: Stage = stage, flow_prio: int = prio) -> None:
        lflows.add(dp.uuid, flow_stage, flow_prio, match, actions, hint=acl.uuid, depth=2)

    log = acl_log(ctx, acl)
    if acl.action == "allow-stateless" or (
        acl.action in ("allow", "allow-related") and not facts.has_stateful
    ):
        add(acl.match, f"{log}next;")
    elif acl.action in ("allow", "allow-related"):
        label = f"{ACL_LABEL_BIT} = 1; {LABEL_REG} = {acl.label}; " if acl.label else ""
        add(f"{HINT_ALLOW_NEW} == 1 && ({acl.match})", f"{CT_COMMIT} = 1; {label}{log}next;")
        relabel = f"{CT_COMMIT} = 1; {label}" if acl.label else ""
        add(f"{HINT_ALLOW} == 1 && ({acl.match})", f"{relabel}{log}next;")
        if acl.log and acl.label and opt_bool(acl.options, "log-related", False):
            _log_related(facts, acl, log, add)
    elif acl.action in ("drop", "reject"):
        _drop_flows(ctx, facts, acl, stage, log, add)


def _log_related(facts: SwitchFacts, acl: r.ACL, log: str, add: _Add) -> None:
    """Log the replies and related traffic of a labelled allow-related connection."""
    opposite = Stage.LS_OUT_ACL if acl.direction == "from-lport" else Stage.LS_IN_ACL
    blocked, inv = facts.ct_blocked, facts.not_inv
    label = f"ct_label.label == {acl.label}"
    reply = f"ct.est && !ct.rel && !ct.new{inv} && ct.rpl && {blocked} == 0 && {label}"
    related = f"!ct.est && ct.rel && !ct.new{inv} && {blocked} == 0 && {label}"
    for match in (reply, related):
        add(match, f"{log}next;", opposite, 65533)  # just above the generic reply/related flows


def _drop_flows(
    ctx: CompileContext, facts: SwitchFacts, acl: r.ACL, stage: Stage, log: str, add: _Add
) -> None:
    reject = acl.action == "reject"
    if not facts.has_stateful:
        add(acl.match, reject_actions(ctx, acl, stage) if reject else f"{log}{facts.implicit_drop}")
        return
    # New or untracked traffic: just drop/reject it.
    match = f"{HINT_DROP} == 1"
    if reject:
        add(f"({match}) && {acl.match}", reject_actions(ctx, acl, stage))
    else:
        add(f"{match} && ({acl.match})", f"{log}{facts.implicit_drop}")
    # A connection the policy allowed before: mark it blocked, then drop/reject.
    match = f"{HINT_BLOCK} == 1"
    mark = f"ct_commit {{ {facts.ct_blocked} = 1; }}; "
    if reject:
        add(f"({match}) && {acl.match}", reject_actions(ctx, acl, stage, mark))
    else:
        add(f"{match} && ({acl.match})", f"{mark}{log}{facts.implicit_drop}")
