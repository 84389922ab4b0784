"""LflowTable: collects logical flows with provenance (OVN's lflow-mgr).

`add()` records the calling builder's `file:line` as the flow's source, so listings
and traces can say which builder made a flow. Identical flows added twice to one
datapath collapse into one, as in northd.
"""

from __future__ import annotations

import sys
import uuid as uuidlib
from dataclasses import dataclass, field

from ovntwin.compiler.stages import Stage
from ovntwin.southbound.rows import LogicalFlow

_NS = uuidlib.UUID("6f766e74-7769-6e00-0000-000000000001")  # namespace for flow UUIDs


@dataclass(slots=True)
class LflowTable:
    _flows: dict[tuple[str, Stage, int, str, str], LogicalFlow] = field(default_factory=dict)

    def add(
        self,
        datapath: str,
        stage: Stage,
        priority: int,
        match: str,
        actions: str,
        hint: str = "",
        depth: int = 1,
    ) -> None:
        """Add one flow to `datapath` (a DatapathBinding uuid).

        `depth` is how many frames above the caller the builder to credit sits.
        """
        key = (datapath, stage, priority, match, actions)
        if key in self._flows:
            return
        frame = sys._getframe(depth)
        code = frame.f_code.co_filename
        source = "/".join(code.replace("\\", "/").split("/")[-2:]) + f":{frame.f_lineno}"
        # Identical flows on different datapaths share one uuid, as Logical_DP_Group does.
        flow_id = str(uuidlib.uuid5(_NS, f"{stage.stage_name}|{priority}|{match}|{actions}"))
        self._flows[key] = LogicalFlow(
            uuid=flow_id,
            datapath=datapath,
            pipeline=stage.pipeline,
            table_id=stage.table,
            stage_name=stage.stage_name,
            priority=priority,
            match=match,
            actions=actions,
            source=source,
            hint=hint,
        )

    def flows(self) -> tuple[LogicalFlow, ...]:
        return tuple(self._flows.values())

    def __len__(self) -> int:
        return len(self._flows)
