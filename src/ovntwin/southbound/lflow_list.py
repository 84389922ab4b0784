"""`ovn-sbctl lflow-list` output, byte for byte (utilities/ovn-sbctl.c)."""

from __future__ import annotations

import uuid as uuidlib
from collections.abc import Iterable

from ovntwin.southbound.rows import DatapathBinding, LogicalFlow, SouthboundDB


def _flow_key(flow: LogicalFlow) -> tuple[int, int, int, bytes, bytes]:
    # strcmp order on match and actions = byte order of their UTF-8 encodings.
    pipeline = 0 if flow.pipeline == "ingress" else 1
    return (pipeline, flow.table_id, -flow.priority, flow.match.encode(), flow.actions.encode())


def _dp_key(dp: DatapathBinding) -> tuple[bytes, uuidlib.UUID]:
    return (dp.name.encode(), uuidlib.UUID(dp.uuid))


def _dp_name(dp: DatapathBinding) -> str:
    name, name2 = dp.external_ids.get("name"), dp.external_ids.get("name2")
    if name is not None and name2 is not None:
        return f'"{name}" aka "{name2}"'
    return f'"{name if name is not None else name2}"' if (name or name2) is not None else ""


def _flow_line(flow: LogicalFlow) -> str:
    table = f"table={flow.table_id:<2}({flow.stage_name:<19})"
    return f"  {table}, priority={flow.priority:<5}, match=({flow.match}), action=({flow.actions})"


def select_datapaths(sb: SouthboundDB, name: str | None) -> list[DatapathBinding]:
    """Datapaths matching a name or uuid (or all), in lflow-list order."""
    dps = [d for d in sb.datapaths if name is None or name in (d.name, d.uuid, d.nb_uuid)]
    return sorted(dps, key=_dp_key)


def format_lflow_list(sb: SouthboundDB, datapaths: Iterable[DatapathBinding]) -> str:
    by_dp: dict[str, list[LogicalFlow]] = {}
    for flow in sb.logical_flows:
        by_dp.setdefault(flow.datapath, []).append(flow)
    lines: list[str] = []
    for dp in datapaths:
        last_pipeline = None
        for flow in sorted(by_dp.get(dp.uuid, []), key=_flow_key):
            if flow.pipeline != last_pipeline:
                lines.append(f"Datapath: {_dp_name(dp)} ({dp.uuid})  Pipeline: {flow.pipeline}")
                last_pipeline = flow.pipeline
            lines.append(_flow_line(flow))
    return "".join(line + "\n" for line in lines)
