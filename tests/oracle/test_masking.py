"""masking.mask: exactly uuids, source locators and port tunnel keys (no OVN needed)."""

from __future__ import annotations

from oracle.masking import mask

LFLOW = (
    'Datapath: "A" aka "net" (5e0c4a3b-1111-4222-8333-444455556666)  Pipeline: ingress\n'
    "  table=0 (ls_in_check_port_sec), priority=50   , match=(1), action=(next;)\n"
)
TRACE = (
    "# icmp,reg14=0x1,reg15=0x8001,vlan_tci=0x0000,metadata=0x3,nw_ttl=64\n"
    " 7. ls_in_acl_hint (northd.c:6228): (ip4.src == 1.2.3.4), priority 4, uuid 7edc155d\n"
    ' 8. ls_in_acl (acl.py:41): (outport == "x(1)"), priority 2002, uuid a53f5ce0\n'
    "    reg0[8] = 1; /* (northd.c:12) untouched */\n"
)


def test_lflow_list_masks_only_the_datapath_uuid() -> None:
    assert mask(LFLOW) == LFLOW.replace("5e0c4a3b-1111-4222-8333-444455556666", "<uuid>")


def test_trace_masks_uuids_sources_and_port_keys_only() -> None:
    assert mask(TRACE) == (
        "# icmp,reg14=<key>,reg15=<key>,vlan_tci=0x0000,metadata=0x3,nw_ttl=64\n"
        " 7. ls_in_acl_hint (<source>): (ip4.src == 1.2.3.4), priority 4, uuid <uuid>\n"
        ' 8. ls_in_acl (<source>): (outport == "x(1)"), priority 2002, uuid <uuid>\n'
        "    reg0[8] = 1; /* (northd.c:12) untouched */\n"
    )


def test_ours_and_real_locators_mask_the_same() -> None:
    real = " 0. lr_in_admission (northd.c:11554): 1, priority 50, uuid e74c42dc\n"
    ours = " 0. lr_in_admission (admission.py:73): 1, priority 50, uuid 0000abcd\n"
    assert mask(real) == mask(ours)
