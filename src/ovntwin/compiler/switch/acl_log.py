"""Action text shared by ACL flows: the log(...) prefix and the reject {...} action."""

from __future__ import annotations

from ovntwin.compiler.context import CompileContext
from ovntwin.compiler.stages import Stage
from ovntwin.model import rows as r

_VERDICTS = {
    "drop": "drop",
    "reject": "reject",
    "allow": "allow",
    "allow-related": "allow",
    "allow-stateless": "allow",
}


def _meter_name(ctx: CompileContext, acl: r.ACL) -> str:
    """A fair meter is instantiated once per ACL, under a name carrying the ACL's uuid."""
    assert acl.meter is not None
    meter = ctx.nb.by_name(r.Meter, acl.meter)
    if meter is not None and meter.fair:
        return f"{acl.meter}__{acl.uuid}"
    return acl.meter


def acl_log(ctx: CompileContext, acl: r.ACL) -> str:
    """`log(name=..., severity=..., verdict=..., meter=...); ` or "" when not logging."""
    if not acl.log:
        return ""
    args = []
    if acl.name is not None:
        args.append(f'name="{acl.name}"')
    args.append(f"severity={acl.severity or 'info'}")
    if acl.action in _VERDICTS:
        args.append(f"verdict={_VERDICTS[acl.action]}")
    if acl.meter is not None:
        args.append(f'meter="{_meter_name(ctx, acl)}"')
    return f"log({', '.join(args)}); "


def reject_actions(ctx: CompileContext, acl: r.ACL, stage: Stage, extra: str = "") -> str:
    """Log, `extra`, then a reject that resumes in the opposite pipeline."""
    if stage.pipeline == "ingress":
        resume = f"next(pipeline=egress,table={Stage.LS_OUT_QOS_MARK.table});"
    else:
        resume = f"next(pipeline=ingress,table={Stage.LS_IN_L2_LKUP.table});"
    prefix = acl_log(ctx, acl) + (f"{extra} " if extra else "")  # northd adds a space even
    # after an `extra` that already ends in one
    return (
        f"{prefix}reg0 = 0; reject {{ /* eth.dst <-> eth.src; ip.dst <-> ip.src; is implicit. */ "
        f"outport <-> inport; {resume} }};"
    )
