"""QoS policies (`/v2.0/qos/policies`, ext qos + qos-default) on the generic machinery."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ovntwin.api.access import Access, is_shared
from ovntwin.api.attributes import NAME, Attr, standard_attrs, to_bool
from ovntwin.api.errors import Conflict
from ovntwin.api.models import Base, QosPolicyRow, QosRule
from ovntwin.api.qos_rules import RULE_KINDS, policy_not_found, rule_dict
from ovntwin.api.resource import Hooks, ResourceSpec, Values

ATTRS = (
    *standard_attrs(),
    NAME,
    Attr("shared", post=True, put=True, default=False, convert=to_bool, filter=True, sort=True),
    Attr("is_default", post=True, put=True, default=False, convert=to_bool, filter=True),
    Attr("rules", column=""),
)


def check_policy(session: Session, policy_id: str | None) -> None:
    """A network/port may name only an existing policy (404 QosPolicyNotFound)."""
    if policy_id is not None and session.get(QosPolicyRow, policy_id) is None:
        raise policy_not_found(policy_id)


def default_policy(session: Session, project_id: str) -> str | None:
    """The project's default policy, attached to new networks that name none (qos-default)."""
    return session.scalar(
        select(QosPolicyRow.id).where(
            QosPolicyRow.project_id == project_id, QosPolicyRow.is_default.is_(True)
        )
    )


def _users(session: Session, policy_id: str) -> tuple[str, str] | None:
    """(object type, id) of a resource bound to the policy: every table with qos_policy_id."""
    for mapper in Base.registry.mappers:
        model = mapper.class_
        if issubclass(model, QosRule) or "qos_policy_id" not in mapper.columns:
            continue
        found = session.scalar(
            select(mapper.columns["id"]).where(mapper.columns["qos_policy_id"] == policy_id)
        )
        if found is not None:
            # networks -> network, ports -> port (Neutron's QosPolicyInUse object_type)
            return str(model.__tablename__).rstrip("s"), str(found)
    return None


class QosPolicyHooks(Hooks):
    def before_create(self, session: Session, values: Values) -> None:
        if values["is_default"]:
            self._one_default(session, values["project_id"], None)

    def before_update(self, session: Session, row: Any, changes: Values) -> None:
        if changes.get("is_default"):
            self._one_default(session, row.project_id, row.id)

    @staticmethod
    def _one_default(session: Session, project_id: str, own: str | None) -> None:
        current = default_policy(session, project_id)
        if current is not None and current != own:
            raise Conflict(
                f"A default QoS policy exists for project {project_id}.",
                type_name="QoSPolicyDefaultAlreadyExists",
            )

    def before_delete(self, session: Session, row: Any) -> None:
        user = _users(session, row.id)
        if user is not None:
            raise Conflict(
                f"QoS Policy {row.id} is used by {user[0]} {user[1]}.",
                type_name="QosPolicyInUse",
            )

    def extra_view(self, session: Session, row: Any) -> Values:
        rules = [
            rule_dict(kind, rule, with_policy=True)
            for kind in RULE_KINDS
            for rule in session.scalars(
                select(kind.model).where(kind.model.qos_policy_id == row.id)
            )
        ]
        return {"rules": rules}


# Neutron's defaults: only admins create, change or delete policies; shared ones are public
ACCESS = Access(public=is_shared, admin_actions=frozenset({"create", "update", "delete"}))
QOS_POLICIES = ResourceSpec(
    "policy",
    "policies",
    "qos/policies",
    "QosPolicy",
    QosPolicyRow,
    ATTRS,
    QosPolicyHooks(),
    access=ACCESS,
)
