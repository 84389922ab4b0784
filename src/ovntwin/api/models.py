"""SQLAlchemy 2 tables. Every resource with Neutron's standard attributes mixes in `Standard`.

The schema itself is created by the Alembic migrations in `ovntwin.api.migrations`;
tests check the two agree.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column


class Base(DeclarativeBase):
    pass


class Standard:
    """Neutron's standard attributes (description, timestamps, revision, tags) + owner."""

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    project_id: Mapped[str] = mapped_column(String(255), index=True)
    name: Mapped[str] = mapped_column(String(255), default="")
    description: Mapped[str] = mapped_column(String(255), default="")
    revision_number: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        # compare-and-swap: every UPDATE/DELETE says WHERE revision_number = <the one read>;
        # the application bumps it (resource.bump), SQLAlchemy raises StaleDataError if it moved
        return {"version_id_col": cls.revision_number, "version_id_generator": False}


class NetworkRow(Standard, Base):
    __tablename__ = "networks"

    admin_state_up: Mapped[bool] = mapped_column(Boolean, default=True)
    status: Mapped[str] = mapped_column(String(16), default="ACTIVE")
    shared: Mapped[bool] = mapped_column(Boolean, default=False)
    external: Mapped[bool] = mapped_column(Boolean, default=False)
    port_security_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    mtu: Mapped[int] = mapped_column(Integer, default=1500)
    network_type: Mapped[str] = mapped_column(String(32))
    physical_network: Mapped[str | None] = mapped_column(String(64), nullable=True)
    segmentation_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    qos_policy_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("qos_policies.id", ondelete="RESTRICT"), nullable=True
    )


class SubnetRow(Standard, Base):
    __tablename__ = "subnets"

    network_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("networks.id", ondelete="RESTRICT"), index=True
    )
    ip_version: Mapped[int] = mapped_column(Integer)
    cidr: Mapped[str] = mapped_column(String(64))
    gateway_ip: Mapped[str | None] = mapped_column(String(64), nullable=True)
    allocation_pools: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    dns_nameservers: Mapped[list[str]] = mapped_column(JSON, default=list)
    host_routes: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    enable_dhcp: Mapped[bool] = mapped_column(Boolean, default=True)
    ipv6_ra_mode: Mapped[str | None] = mapped_column(String(16), nullable=True)
    ipv6_address_mode: Mapped[str | None] = mapped_column(String(16), nullable=True)


class QosPolicyRow(Standard, Base):
    __tablename__ = "qos_policies"

    shared: Mapped[bool] = mapped_column(Boolean, default=False)
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)


class QosRule:
    """A QoS rule: no standard attributes in Neutron, only an id and its policy."""

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    qos_policy_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("qos_policies.id", ondelete="CASCADE"), index=True
    )


class QosBandwidthLimitRuleRow(QosRule, Base):
    __tablename__ = "qos_bandwidth_limit_rules"

    max_kbps: Mapped[int] = mapped_column(Integer)
    max_burst_kbps: Mapped[int] = mapped_column(Integer, default=0)
    direction: Mapped[str] = mapped_column(String(16), default="egress")


class QosDscpMarkingRuleRow(QosRule, Base):
    __tablename__ = "qos_dscp_marking_rules"

    dscp_mark: Mapped[int] = mapped_column(Integer)


class QosMinimumBandwidthRuleRow(QosRule, Base):
    __tablename__ = "qos_minimum_bandwidth_rules"

    min_kbps: Mapped[int] = mapped_column(Integer)
    direction: Mapped[str] = mapped_column(String(16), default="egress")


class DefaultSecurityGroupRow(Base):
    """A project's `default` group; the key makes a concurrent second one fail (retried)."""

    __tablename__ = "default_security_group"

    project_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    security_group_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("securitygroups.id", ondelete="CASCADE")
    )
