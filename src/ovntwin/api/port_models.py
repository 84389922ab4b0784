"""SQLAlchemy tables for ports, security groups and security group rules.

Kept beside `models.py` (same `Base`) so the QoS tables and these grow independently; the
schema comes from migration 0003.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ovntwin.api.models import Base, Standard


class SecurityGroupRow(Standard, Base):
    __tablename__ = "securitygroups"

    stateful: Mapped[bool] = mapped_column(Boolean, default=True)
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)


class SecurityGroupRuleRow(Standard, Base):
    __tablename__ = "securitygrouprules"

    security_group_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("securitygroups.id", ondelete="CASCADE"), index=True
    )
    direction: Mapped[str] = mapped_column(String(16))
    ethertype: Mapped[str] = mapped_column(String(8))
    protocol: Mapped[str | None] = mapped_column(String(40), nullable=True)
    port_range_min: Mapped[int | None] = mapped_column(Integer, nullable=True)
    port_range_max: Mapped[int | None] = mapped_column(Integer, nullable=True)
    remote_ip_prefix: Mapped[str | None] = mapped_column(String(64), nullable=True)
    remote_group_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("securitygroups.id", ondelete="CASCADE"), nullable=True
    )


class PortRow(Standard, Base):
    __tablename__ = "ports"
    # a MAC is unique per network, also under concurrent creates
    __table_args__ = (
        Index("uniq_ports0network_id0mac_address", "network_id", "mac_address", unique=True),
    )

    network_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("networks.id", ondelete="RESTRICT"), index=True
    )
    admin_state_up: Mapped[bool] = mapped_column(Boolean, default=True)
    status: Mapped[str] = mapped_column(String(16), default="DOWN")
    mac_address: Mapped[str] = mapped_column(String(32))
    fixed_ips: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    device_id: Mapped[str] = mapped_column(String(255), default="")
    device_owner: Mapped[str] = mapped_column(String(255), default="")
    port_security_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    security_groups: Mapped[list[str]] = mapped_column(JSON, default=list)
    allowed_address_pairs: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    qos_policy_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    host_id: Mapped[str] = mapped_column(String(255), default="")
    vnic_type: Mapped[str] = mapped_column(String(64), default="normal")
    profile: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class IpAllocationRow(Base):
    """One fixed IP of a port; the primary key makes a double allocation fail in the database."""

    __tablename__ = "ipallocations"

    network_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    ip_address: Mapped[str] = mapped_column(String(64), primary_key=True)
    subnet_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("subnets.id", ondelete="RESTRICT"), index=True
    )
    port_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("ports.id", ondelete="CASCADE"), index=True
    )
