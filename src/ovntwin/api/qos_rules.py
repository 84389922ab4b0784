"""QoS rules under a policy (bandwidth_limit, dscp_marking, minimum_bandwidth), their
conflict checks (neutron's qos_policy_validator) and the alias routes (ext qos-rules-alias).

Rules carry no standard attributes; every rule change bumps the policy's revision_number.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from ovntwin.api import auth, query, resource
from ovntwin.api.attributes import REQUIRED, Attr, one_of, then, to_int
from ovntwin.api.auth import PolicyNotAuthorized
from ovntwin.api.errors import Conflict, HTTPBadRequest, NotFound
from ovntwin.api.models import (
    QosBandwidthLimitRuleRow,
    QosDscpMarkingRuleRow,
    QosMinimumBandwidthRuleRow,
    QosPolicyRow,
)
from ovntwin.api.resource import ResourceSpec, Values, convert_value

Transaction = Callable[[Request], AbstractContextManager[Session]]
DB_INTEGER_MAX = 2**31 - 1  # neutron-lib db constants DB_INTEGER_MAX_VALUE
DIRECTIONS = ("ingress", "egress")  # neutron-lib VALID_DIRECTIONS
# neutron-lib constants.VALID_DSCP_MARKS
VALID_DSCP_MARKS = (
    0,
    8,
    10,
    12,
    14,
    16,
    18,
    20,
    22,
    24,
    26,
    28,
    30,
    32,
    34,
    36,
    38,
    40,
    44,
    46,
    48,
    56,
)


def kbps(value: Any) -> int:
    number = to_int(value)
    if not 0 <= number <= DB_INTEGER_MAX:
        raise ValueError(f"'{number}' is not in range 0 through {DB_INTEGER_MAX}")
    return number


def dscp(value: Any) -> int:
    mark = to_int(value)
    if mark not in VALID_DSCP_MARKS:
        raise ValueError(f"'{mark}' is not in {list(VALID_DSCP_MARKS)}")
    return mark


def _attr(name: str, convert: Any, default: Any = REQUIRED) -> Attr:
    return Attr(name, post=True, put=True, default=default, convert=convert, filter=True, sort=True)


DIRECTION = _attr("direction", one_of(*DIRECTIONS), "egress")


@dataclass(frozen=True)
class RuleKind:
    name: str  # the rule type: bandwidth_limit
    model: Any  # a QosRule row class (mixin + Base)
    attrs: tuple[Attr, ...]  # without id
    # (parameter, 'range' (start, end) or 'choices' [...]) as the OVN QoS driver declares them
    parameters: tuple[tuple[str, str, Any], ...]

    @property
    def singular(self) -> str:
        return f"{self.name}_rule"

    @property
    def plural(self) -> str:
        return f"{self.name}_rules"

    @property
    def spec(self) -> ResourceSpec:
        attrs = (Attr("id", filter=True, sort=True), *self.attrs)
        return ResourceSpec(self.singular, self.plural, "", "QosRule", self.model, attrs)


RANGE = {"start": 0, "end": DB_INTEGER_MAX}
BANDWIDTH_LIMIT = RuleKind(
    "bandwidth_limit",
    QosBandwidthLimitRuleRow,
    (_attr("max_kbps", kbps), _attr("max_burst_kbps", kbps, 0), DIRECTION),
    (
        ("max_kbps", "range", RANGE),
        ("max_burst_kbps", "range", RANGE),
        ("direction", "choices", list(DIRECTIONS)),
    ),
)
DSCP_MARKING = RuleKind(
    "dscp_marking",
    QosDscpMarkingRuleRow,
    (_attr("dscp_mark", then(to_int, dscp)),),
    (("dscp_mark", "choices", list(VALID_DSCP_MARKS)),),
)
MINIMUM_BANDWIDTH = RuleKind(
    "minimum_bandwidth",
    QosMinimumBandwidthRuleRow,
    (_attr("min_kbps", kbps), DIRECTION),
    # the OVN driver enforces minimum bandwidth on egress only
    (("min_kbps", "range", RANGE), ("direction", "choices", ["egress"])),
)
RULE_KINDS = (BANDWIDTH_LIMIT, DSCP_MARKING, MINIMUM_BANDWIDTH)


def rule_dict(kind: RuleKind, row: Any, with_policy: bool = False) -> Values:
    out: Values = {"id": row.id}
    out.update({a.name: getattr(row, a.name) for a in kind.attrs})
    if with_policy:  # the policy's `rules` list names type and policy too
        out.update(qos_policy_id=row.qos_policy_id, type=kind.name)
    return out


def policy_not_found(policy_id: str) -> NotFound:
    return NotFound(f"QoS policy {policy_id} could not be found.", type_name="QosPolicyNotFound")


def _policy(session: Session, policy_id: str) -> QosPolicyRow:
    row = session.get(QosPolicyRow, policy_id)
    if row is None:
        raise policy_not_found(policy_id)
    return row


def _rule(session: Session, kind: RuleKind, policy_id: str, rule_id: str) -> Any:
    row = session.get(kind.model, rule_id)
    if row is None or row.qos_policy_id != policy_id:
        raise NotFound(
            f"QoS rule {rule_id} for policy {policy_id} could not be found.",
            type_name="QosRuleNotFound",
        )
    return row


def _parse(kind: RuleKind, body: Any, key: str, create: bool) -> Values:
    if not isinstance(body, dict) or not isinstance(body.get(key), dict):
        raise HTTPBadRequest(f"Resource body required with key '{key}'.")
    given: Values = body[key]
    names = {a.name: a for a in kind.attrs}
    unknown = sorted(k for k in given if k not in names)
    if unknown:
        raise HTTPBadRequest(f"Unrecognized attribute(s) '{', '.join(unknown)}'")
    values = {k: convert_value(names[k], v) for k, v in given.items()}
    for attr in kind.attrs if create else ():
        if attr.name not in values:
            if attr.default is REQUIRED:
                raise HTTPBadRequest(
                    f"Failed to parse request. Required attribute '{attr.name}' not specified"
                )
            values[attr.name] = attr.default
    return values


def _siblings(session: Session, kind: RuleKind, policy_id: str) -> list[Any]:
    return list(session.scalars(select(kind.model).where(kind.model.qos_policy_id == policy_id)))


def _conflicts(session: Session, kind: RuleKind, policy_id: str, rule: Values, own: str) -> None:
    """One rule per type and direction (DSCP: one per policy); max_kbps >= min_kbps."""
    direction = rule.get("direction")
    for other in _siblings(session, kind, policy_id):
        if other.id != own and getattr(other, "direction", None) == direction:
            raise Conflict(
                f"Rule {kind.name} conflicts with rule {other.id} which already exists in "
                f"QoS Policy {policy_id}.",
                type_name="QoSRulesConflict",
            )
    if kind is BANDWIDTH_LIMIT:
        mins = [
            m for m in _siblings(session, MINIMUM_BANDWIDTH, policy_id) if m.direction == direction
        ]
        bad = [m for m in mins if m.min_kbps > rule["max_kbps"]]
    elif kind is MINIMUM_BANDWIDTH:
        maxes = _siblings(session, BANDWIDTH_LIMIT, policy_id)
        bad = [m for m in maxes if m.direction == direction and m.max_kbps < rule["min_kbps"]]
    else:
        bad = []
    if bad:
        raise Conflict(
            f"Rule {kind.name} of QoS Policy {policy_id} conflicts with rule {bad[0].id}: "
            "max_kbps lower than min_kbps in the same direction.",
            type_name="QoSRuleParameterConflict",
        )


def create_rule(session: Session, kind: RuleKind, policy_id: str, body: Any) -> Values:
    policy = _policy(session, policy_id)
    values = _parse(kind, body, kind.singular, create=True)
    ident = str(uuid.uuid4())
    _conflicts(session, kind, policy_id, values, ident)
    row = kind.model(id=ident, qos_policy_id=policy_id, **values)
    session.add(row)
    resource.bump(policy)
    session.flush()
    return rule_dict(kind, row)


def update_rule(session: Session, kind: RuleKind, row: Any, body: Any, key: str) -> Values:
    changes = _parse(kind, body, key, create=False)
    merged = rule_dict(kind, row) | changes
    _conflicts(session, kind, row.qos_policy_id, merged, row.id)
    for name, value in changes.items():
        setattr(row, name, value)
    resource.bump(_policy(session, row.qos_policy_id))
    session.flush()
    return rule_dict(kind, row)


def delete_rule(session: Session, row: Any) -> None:
    resource.bump(_policy(session, row.qos_policy_id))
    session.delete(row)
    session.flush()


def _access(session: Session, request: Request, policy_id: str, action: str | None) -> Any:
    """The policy if the caller sees it (own or shared, else 404); rule writes are admin-only
    in Neutron's defaults (403 naming `action`)."""
    row = _policy(session, policy_id)
    caller = auth.caller_of(request)
    if not (caller.is_admin or row.project_id == caller.project_id or row.shared):
        raise policy_not_found(policy_id)
    if action is not None and not caller.is_admin:
        raise PolicyNotAuthorized(action)
    return row


def register_rules(
    app: FastAPI, kind: RuleKind, transaction: Transaction, body_of: Callable[..., Any]
) -> None:
    coll = f"/v2.0/qos/policies/{{policy_id}}/{kind.plural}"
    item = coll + "/{rule_id}"

    @app.get(coll, name=f"list_{kind.plural}")
    def list_(policy_id: str, request: Request) -> dict[str, Any]:
        with transaction(request) as session:
            _access(session, request, policy_id, None)
            rows = [rule_dict(kind, r) for r in _siblings(session, kind, policy_id)]
        return query.listing(kind.spec, rows, request)

    @app.post(coll, status_code=201, name=f"create_{kind.singular}")
    async def create(policy_id: str, request: Request) -> dict[str, Any]:
        body = await body_of(request)
        with transaction(request) as session:
            _access(session, request, policy_id, f"create_policy_{kind.singular}")
            return {kind.singular: create_rule(session, kind, policy_id, body)}

    @app.get(item, name=f"show_{kind.singular}")
    def show(policy_id: str, rule_id: str, request: Request) -> dict[str, Any]:
        fields = request.query_params.getlist("fields")
        with transaction(request) as session:
            _access(session, request, policy_id, None)
            found = rule_dict(kind, _rule(session, kind, policy_id, rule_id))
        return {kind.singular: query.select_fields(found, fields)}

    @app.put(item, name=f"update_{kind.singular}")
    async def update(policy_id: str, rule_id: str, request: Request) -> dict[str, Any]:
        body = await body_of(request)
        with transaction(request) as session:
            _access(session, request, policy_id, f"update_policy_{kind.singular}")
            row = _rule(session, kind, policy_id, rule_id)
            return {kind.singular: update_rule(session, kind, row, body, kind.singular)}

    @app.delete(item, status_code=204, name=f"delete_{kind.singular}")
    def delete(policy_id: str, rule_id: str, request: Request) -> Response:
        with transaction(request) as session:
            _access(session, request, policy_id, f"delete_policy_{kind.singular}")
            delete_rule(session, _rule(session, kind, policy_id, rule_id))
        return Response(status_code=204)

    _register_alias(app, kind, transaction, body_of)


def _register_alias(
    app: FastAPI, kind: RuleKind, transaction: Transaction, body_of: Callable[..., Any]
) -> None:
    """`/v2.0/qos/alias_<type>_rules/{id}`: the rule without naming its policy."""
    key = f"alias_{kind.singular}"
    path = f"/v2.0/qos/alias_{kind.plural}/{{rule_id}}"

    def find(session: Session, request: Request, rule_id: str, action: str | None) -> Any:
        row = session.get(kind.model, rule_id)
        if row is None:
            raise NotFound(f"QoS rule {rule_id} could not be found.", type_name="QosRuleNotFound")
        _access(session, request, row.qos_policy_id, action)
        return row

    @app.get(path, name=f"show_{key}")
    def show(rule_id: str, request: Request) -> dict[str, Any]:
        fields = request.query_params.getlist("fields")
        with transaction(request) as session:
            found = rule_dict(kind, find(session, request, rule_id, None))
        return {key: query.select_fields(found, fields)}

    @app.put(path, name=f"update_{key}")
    async def update(rule_id: str, request: Request) -> dict[str, Any]:
        body = await body_of(request)
        with transaction(request) as session:
            return {
                key: update_rule(
                    session, kind, find(session, request, rule_id, f"update_{key}"), body, key
                )
            }

    @app.delete(path, status_code=204, name=f"delete_{key}")
    def delete(rule_id: str, request: Request) -> Response:
        with transaction(request) as session:
            delete_rule(session, find(session, request, rule_id, f"delete_{key}"))
        return Response(status_code=204)


def _rule_type_details(kind: RuleKind) -> Values:
    params = [
        {"parameter_name": name, "parameter_type": ptype, "parameter_values": values}
        for name, ptype, values in kind.parameters
    ]
    return {"type": kind.name, "drivers": [{"name": "ovn", "supported_parameters": params}]}


def register_rule_types(app: FastAPI) -> None:
    @app.get("/v2.0/qos/rule-types", name="list_rule_types")
    def list_types(request: Request) -> dict[str, Any]:
        fields = request.query_params.getlist("fields")
        types = [query.select_fields({"type": k.name}, fields) for k in RULE_KINDS]
        return {"rule_types": types}

    @app.get("/v2.0/qos/rule-types/{rule_type}", name="show_rule_type")
    def show_type(rule_type: str, request: Request) -> dict[str, Any]:
        if not auth.caller_of(request).is_admin:  # get_rule_type is admin-only in Neutron
            raise PolicyNotAuthorized("get_rule_type")
        for kind in RULE_KINDS:
            if kind.name == rule_type:
                return {"rule_type": _rule_type_details(kind)}
        raise NotFound(
            f"QoS rule type {rule_type} could not be found.", type_name="QosRuleTypeNotFound"
        )
