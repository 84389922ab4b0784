"""Committing connections: ls_in_stateful, ls_out_stateful.

| prio | why                                                                  |
|------|----------------------------------------------------------------------|
| 100  | reg0[1] (commit) with reg0[13] (ACL label): commit, unblock, set label |
| 100  | reg0[1] without a label: commit and unblock                           |
| 0    | pass                                                                  |
"""

from __future__ import annotations

from ovntwin.compiler.context import Datapath
from ovntwin.compiler.lflow import LflowTable
from ovntwin.compiler.stages import Stage
from ovntwin.compiler.switch.facts import ACL_LABEL_BIT, CT_COMMIT, LABEL_REG, SwitchFacts


def build_stateful(dp: Datapath, facts: SwitchFacts, lflows: LflowTable) -> None:
    blocked = facts.ct_blocked
    labelled = f"ct_commit {{ {blocked} = 0; ct_label.label = {LABEL_REG}; }}; next;"
    plain = f"ct_commit {{ {blocked} = 0; }}; next;"
    for stage in (Stage.LS_IN_STATEFUL, Stage.LS_OUT_STATEFUL):
        lflows.add(dp.uuid, stage, 0, "1", "next;")
        lflows.add(dp.uuid, stage, 100, f"{CT_COMMIT} == 1 && {ACL_LABEL_BIT} == 1", labelled)
        lflows.add(dp.uuid, stage, 100, f"{CT_COMMIT} == 1 && {ACL_LABEL_BIT} == 0", plain)
