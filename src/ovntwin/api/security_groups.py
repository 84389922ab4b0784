"""Security groups: attribute map, the per-project `default` group and its default rules."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ovntwin.api.attributes import Attr, standard_attrs, string, to_bool
from ovntwin.api.errors import Conflict
from ovntwin.api.models import DefaultSecurityGroupRow
from ovntwin.api.port_models import PortRow, SecurityGroupRow, SecurityGroupRuleRow
from ovntwin.api.resource import Hooks, ResourceSpec, Values, now, view
from ovntwin.api.sg_rules import RULES

DEFAULT_NAME = "default"


ATTRS = (
    *standard_attrs(),
    Attr("name", post=True, put=True, default="", convert=string(255), filter=True, sort=True),
    Attr("stateful", post=True, put=True, default=True, convert=to_bool, filter=True),
    Attr("shared", column="", filter=True),
    Attr("security_group_rules", column=""),
)


def _rule(group: SecurityGroupRow, **fields: Any) -> SecurityGroupRuleRow:
    stamp = now()
    values: Values = {
        "protocol": None, "port_range_min": None, "port_range_max": None,
        "remote_ip_prefix": None, "remote_group_id": None, **fields,
    }  # fmt: skip
    return SecurityGroupRuleRow(
        id=str(uuid.uuid4()),
        project_id=group.project_id,
        name="",
        description="",
        revision_number=0,
        created_at=stamp,
        updated_at=stamp,
        tags=[],
        security_group_id=group.id,
        **values,
    )


def add_template_rules(session: Session, group: SecurityGroupRow) -> None:
    """Egress any for IPv4/IPv6; the default group also admits ingress from its members."""
    for ethertype in ("IPv4", "IPv6"):
        session.add(_rule(group, direction="egress", ethertype=ethertype))
        if group.is_default:
            session.add(
                _rule(group, direction="ingress", ethertype=ethertype, remote_group_id=group.id)
            )
    session.flush()


def default_group(session: Session, project: str) -> SecurityGroupRow:
    """The project's `default` security group, created on first need as Neutron does."""
    found = session.scalars(
        select(SecurityGroupRow).where(
            SecurityGroupRow.project_id == project, SecurityGroupRow.is_default.is_(True)
        )
    ).first()
    if found is not None:
        return found
    stamp = now()
    group = SecurityGroupRow(
        id=str(uuid.uuid4()),
        project_id=project,
        name=DEFAULT_NAME,
        description="Default security group",
        revision_number=0,
        created_at=stamp,
        updated_at=stamp,
        tags=[],
        stateful=True,
        is_default=True,
    )
    session.add(group)
    session.flush()
    # a concurrent request making the same project's group fails here, and is re-run
    session.add(DefaultSecurityGroupRow(project_id=project, security_group_id=group.id))
    session.flush()
    add_template_rules(session, group)
    return group


def _refuse_default_name(name: Any) -> None:
    if isinstance(name, str) and name.lower() == DEFAULT_NAME:
        raise Conflict(
            "Default security group already exists.",
            type_name="SecurityGroupDefaultAlreadyExists",
        )


class GroupHooks(Hooks):
    def before_list(self, session: Session, project: str) -> None:
        default_group(session, project)

    def before_create(self, session: Session, values: Values) -> None:
        _refuse_default_name(values.get("name"))
        default_group(session, values["project_id"])
        values["is_default"] = False

    def after_create(self, session: Session, row: Any) -> None:
        add_template_rules(session, row)

    def before_update(self, session: Session, row: Any, changes: Values) -> None:
        if row.is_default and changes.get("name", row.name) != row.name:
            raise Conflict(
                "Updating default security group not allowed.",
                type_name="SecurityGroupCannotUpdateDefault",
            )
        if not row.is_default and "name" in changes:
            _refuse_default_name(changes["name"])

    def before_delete(self, session: Session, row: Any) -> None:
        for port in session.scalars(select(PortRow)):
            if row.id in port.security_groups:
                raise Conflict(f"Security Group {row.id} in use.", type_name="SecurityGroupInUse")
        session.flush()

    def extra_view(self, session: Session, row: Any) -> Values:
        rules = session.scalars(
            select(SecurityGroupRuleRow)
            .where(SecurityGroupRuleRow.security_group_id == row.id)
            .order_by(SecurityGroupRuleRow.created_at, SecurityGroupRuleRow.id)
        ).all()
        return {"shared": False, "security_group_rules": [view(RULES, session, r) for r in rules]}


SECURITY_GROUPS = ResourceSpec(
    "security_group",
    "security_groups",
    "security-groups",
    "SecurityGroup",
    SecurityGroupRow,
    ATTRS,
    GroupHooks(),
)
