"""What a switch's flows depend on, worked out once: options, chassis features, ACL facts.

`SwitchFacts.of(ctx, dp)` reads NB_Global options (default_acl_drop, ignore_lsp_down,
use_ct_inv_match, debug_drop_*), the chassis feature flags northd ANDs over all
chassis, and the datapath's own ACL/port facts. The switch builders read only this and
the `Datapath`, so each option is interpreted in exactly one place.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ovntwin.compiler.context import CompileContext, Datapath, Port

# Registers and register bits the switch pipelines use (logical-fields of northd).
CT_DEFRAG = "reg0[0]"
CT_COMMIT = "reg0[1]"
CT_NAT = "reg0[2]"
HINT_ALLOW_NEW = "reg0[7]"
HINT_ALLOW = "reg0[8]"
HINT_DROP = "reg0[9]"
HINT_BLOCK = "reg0[10]"
LKUP_FDB = "reg0[11]"
ACL_LABEL_BIT = "reg0[13]"
FROM_RAMP = "reg0[14]"
PORT_SEC_DROP = "reg0[15]"
ACL_STATELESS = "reg0[16]"
HINT_ALLOW_REL = "reg0[17]"
LABEL_REG = "reg3"
NOT_VXLAN = "flags[1] == 0"

MC_FLOOD = "_MC_flood"
MC_FLOOD_L2 = "_MC_flood_l2"
MC_UNKNOWN = "_MC_unknown"
MC_MROUTER_FLOOD = "_MC_mrouter_flood"
MC_STATIC = "_MC_static"

ACL_PRI_OFFSET = 1000  # NB ACL priorities 0..32767 sit above northd's own 0..999 flows


def opt_bool(options: Mapping[str, str], key: str, default: bool) -> bool:
    """OVS smap_get_bool: a true default is beaten only by "false", a false one only by "true"."""
    value = options.get(key, "").lower()
    return value != "false" if default else value == "true"


def _opt_uint(options: Mapping[str, str], key: str) -> int:
    value = options.get(key, "")
    return int(value) if value.isdigit() else 0


@dataclass(frozen=True, slots=True)
class SwitchFacts:
    has_acls: bool
    has_stateful_acl: bool
    has_lb_vip: bool  # load balancers come with a later issue: always False for now
    has_unknown: bool  # an enabled, non-external port has "unknown" in its addresses
    vlan_transparent: bool
    default_acl_drop: bool
    check_lsp_is_up: bool
    use_ct_inv_match: bool
    ct_no_masked_label: bool  # chassis feature: ct_mark.blocked / ct_lb_mark
    ct_lb_related: bool  # chassis feature: ct_commit_nat for related traffic
    drop: str  # explicit drop action ("drop;" unless drop sampling is on)
    implicit_drop: str  # drop by not continuing ("/* drop */" unless sampling)

    @classmethod
    def of(cls, ctx: CompileContext, dp: Datapath) -> SwitchFacts:
        opts = ctx.options
        assert dp.ls is not None
        drop, implicit = _drop_actions(opts)
        return cls(
            has_acls=bool(dp.acls),
            has_stateful_acl=any(acl.action == "allow-related" for acl in dp.acls),
            has_lb_vip=False,
            has_unknown=any(
                p.has_unknown and p.enabled and p.lsp_type != "external" for p in dp.ports
            ),
            vlan_transparent=opt_bool(dp.ls.other_config, "vlan-passthru", False),
            default_acl_drop=opt_bool(opts, "default_acl_drop", False),
            check_lsp_is_up=not opt_bool(opts, "ignore_lsp_down", True),
            use_ct_inv_match=opt_bool(opts, "use_ct_inv_match", True),
            ct_no_masked_label=ctx.feature("ct-no-masked-label"),
            ct_lb_related=ctx.feature("ovn-ct-lb-related"),
            drop=drop,
            implicit_drop=implicit,
        )

    @property
    def has_stateful(self) -> bool:
        """Stateful ACLs or load balancers: conntrack is in use on this switch."""
        return self.has_stateful_acl or self.has_lb_vip

    @property
    def ct_blocked(self) -> str:
        return "ct_mark.blocked" if self.ct_no_masked_label else "ct_label.blocked"

    @property
    def ct_lb(self) -> str:
        return "ct_lb_mark;" if self.ct_no_masked_label else "ct_lb;"

    @property
    def not_inv(self) -> str:
        """The `&& !ct.inv` clause, unless NB_Global use_ct_inv_match=false."""
        return " && !ct.inv" if self.use_ct_inv_match else ""


def _drop_actions(opts: Mapping[str, str]) -> tuple[str, str]:
    collector = _opt_uint(opts, "debug_drop_collector_set")
    domain = _opt_uint(opts, "debug_drop_domain_id")
    if collector == 0 or domain >= 255:  # northd refuses domains that do not fit 8 bits
        return "drop;", "/* drop */"
    sample = (
        f"sample(probability=65535,collector_set={collector},"
        f"obs_domain={domain},obs_point=$cookie); /* drop */"
    )
    return sample, sample


def lsp_is_up(port: Port, ctx: CompileContext) -> bool:
    """NB `up` as northd sees it: the runtime binding when known, else the NB column."""
    rt = ctx.nb.runtime.ports.get(port.name)
    if rt is not None and rt.up is not None:
        return rt.up
    return bool(port.lsp is not None and port.lsp.up)
