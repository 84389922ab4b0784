"""The one table of OVN 23.03 pipeline stages (northd.c PIPELINE_STAGES).

A stage's table number is its position within its (datapath kind, pipeline) group;
builders refer to `Stage.LS_IN_ACL`, never to a number or a string.
"""

from __future__ import annotations

from enum import Enum


class Stage(Enum):
    """Value = (datapath kind, pipeline, display name); `.table` derives the number."""

    LS_IN_CHECK_PORT_SEC = ("switch", "ingress", "ls_in_check_port_sec")
    LS_IN_APPLY_PORT_SEC = ("switch", "ingress", "ls_in_apply_port_sec")
    LS_IN_LOOKUP_FDB = ("switch", "ingress", "ls_in_lookup_fdb")
    LS_IN_PUT_FDB = ("switch", "ingress", "ls_in_put_fdb")
    LS_IN_PRE_ACL = ("switch", "ingress", "ls_in_pre_acl")
    LS_IN_PRE_LB = ("switch", "ingress", "ls_in_pre_lb")
    LS_IN_PRE_STATEFUL = ("switch", "ingress", "ls_in_pre_stateful")
    LS_IN_ACL_HINT = ("switch", "ingress", "ls_in_acl_hint")
    LS_IN_ACL = ("switch", "ingress", "ls_in_acl")
    LS_IN_QOS_MARK = ("switch", "ingress", "ls_in_qos_mark")
    LS_IN_QOS_METER = ("switch", "ingress", "ls_in_qos_meter")
    LS_IN_LB_AFF_CHECK = ("switch", "ingress", "ls_in_lb_aff_check")
    LS_IN_LB = ("switch", "ingress", "ls_in_lb")
    LS_IN_LB_AFF_LEARN = ("switch", "ingress", "ls_in_lb_aff_learn")
    LS_IN_PRE_HAIRPIN = ("switch", "ingress", "ls_in_pre_hairpin")
    LS_IN_NAT_HAIRPIN = ("switch", "ingress", "ls_in_nat_hairpin")
    LS_IN_HAIRPIN = ("switch", "ingress", "ls_in_hairpin")
    LS_IN_ACL_AFTER_LB = ("switch", "ingress", "ls_in_acl_after_lb")
    LS_IN_STATEFUL = ("switch", "ingress", "ls_in_stateful")
    LS_IN_ARP_ND_RSP = ("switch", "ingress", "ls_in_arp_rsp")
    LS_IN_DHCP_OPTIONS = ("switch", "ingress", "ls_in_dhcp_options")
    LS_IN_DHCP_RESPONSE = ("switch", "ingress", "ls_in_dhcp_response")
    LS_IN_DNS_LOOKUP = ("switch", "ingress", "ls_in_dns_lookup")
    LS_IN_DNS_RESPONSE = ("switch", "ingress", "ls_in_dns_response")
    LS_IN_EXTERNAL_PORT = ("switch", "ingress", "ls_in_external_port")
    LS_IN_L2_LKUP = ("switch", "ingress", "ls_in_l2_lkup")
    LS_IN_L2_UNKNOWN = ("switch", "ingress", "ls_in_l2_unknown")

    LS_OUT_PRE_ACL = ("switch", "egress", "ls_out_pre_acl")
    LS_OUT_PRE_LB = ("switch", "egress", "ls_out_pre_lb")
    LS_OUT_PRE_STATEFUL = ("switch", "egress", "ls_out_pre_stateful")
    LS_OUT_ACL_HINT = ("switch", "egress", "ls_out_acl_hint")
    LS_OUT_ACL = ("switch", "egress", "ls_out_acl")
    LS_OUT_QOS_MARK = ("switch", "egress", "ls_out_qos_mark")
    LS_OUT_QOS_METER = ("switch", "egress", "ls_out_qos_meter")
    LS_OUT_STATEFUL = ("switch", "egress", "ls_out_stateful")
    LS_OUT_CHECK_PORT_SEC = ("switch", "egress", "ls_out_check_port_sec")
    LS_OUT_APPLY_PORT_SEC = ("switch", "egress", "ls_out_apply_port_sec")

    LR_IN_ADMISSION = ("router", "ingress", "lr_in_admission")
    LR_IN_LOOKUP_NEIGHBOR = ("router", "ingress", "lr_in_lookup_neighbor")
    LR_IN_LEARN_NEIGHBOR = ("router", "ingress", "lr_in_learn_neighbor")
    LR_IN_IP_INPUT = ("router", "ingress", "lr_in_ip_input")
    LR_IN_UNSNAT = ("router", "ingress", "lr_in_unsnat")
    LR_IN_DEFRAG = ("router", "ingress", "lr_in_defrag")
    LR_IN_LB_AFF_CHECK = ("router", "ingress", "lr_in_lb_aff_check")
    LR_IN_DNAT = ("router", "ingress", "lr_in_dnat")
    LR_IN_LB_AFF_LEARN = ("router", "ingress", "lr_in_lb_aff_learn")
    LR_IN_ECMP_STATEFUL = ("router", "ingress", "lr_in_ecmp_stateful")
    LR_IN_ND_RA_OPTIONS = ("router", "ingress", "lr_in_nd_ra_options")
    LR_IN_ND_RA_RESPONSE = ("router", "ingress", "lr_in_nd_ra_response")
    LR_IN_IP_ROUTING_PRE = ("router", "ingress", "lr_in_ip_routing_pre")
    LR_IN_IP_ROUTING = ("router", "ingress", "lr_in_ip_routing")
    LR_IN_IP_ROUTING_ECMP = ("router", "ingress", "lr_in_ip_routing_ecmp")
    LR_IN_POLICY = ("router", "ingress", "lr_in_policy")
    LR_IN_POLICY_ECMP = ("router", "ingress", "lr_in_policy_ecmp")
    LR_IN_ARP_RESOLVE = ("router", "ingress", "lr_in_arp_resolve")
    LR_IN_CHK_PKT_LEN = ("router", "ingress", "lr_in_chk_pkt_len")
    LR_IN_LARGER_PKTS = ("router", "ingress", "lr_in_larger_pkts")
    LR_IN_GW_REDIRECT = ("router", "ingress", "lr_in_gw_redirect")
    LR_IN_ARP_REQUEST = ("router", "ingress", "lr_in_arp_request")

    LR_OUT_CHK_DNAT_LOCAL = ("router", "egress", "lr_out_chk_dnat_local")
    LR_OUT_UNDNAT = ("router", "egress", "lr_out_undnat")
    LR_OUT_POST_UNDNAT = ("router", "egress", "lr_out_post_undnat")
    LR_OUT_SNAT = ("router", "egress", "lr_out_snat")
    LR_OUT_POST_SNAT = ("router", "egress", "lr_out_post_snat")
    LR_OUT_EGR_LOOP = ("router", "egress", "lr_out_egr_loop")
    LR_OUT_DELIVERY = ("router", "egress", "lr_out_delivery")

    @property
    def kind(self) -> str:
        return self.value[0]

    @property
    def pipeline(self) -> str:
        return self.value[1]

    @property
    def stage_name(self) -> str:
        return self.value[2]

    @property
    def table(self) -> int:
        return _TABLES[self]


def _number_tables() -> dict[Stage, int]:
    counters: dict[tuple[str, str], int] = {}
    tables: dict[Stage, int] = {}
    for stage in Stage:
        group = (stage.kind, stage.pipeline)
        tables[stage] = counters.get(group, 0)
        counters[group] = tables[stage] + 1
    return tables


_TABLES: dict[Stage, int] = _number_tables()


def stages_of(kind: str, pipeline: str) -> list[Stage]:
    """The stages of one pipeline of one datapath kind, in table order."""
    return [s for s in Stage if s.kind == kind and s.pipeline == pipeline]


def stage_at(kind: str, pipeline: str, table: int) -> Stage | None:
    stages = stages_of(kind, pipeline)
    return stages[table] if 0 <= table < len(stages) else None
