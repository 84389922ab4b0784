"""security groups, security group rules, ports

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision: str | None = "0002"
branch_labels = None
depends_on = None


def _standard() -> list[sa.Column[object]]:
    return [
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("project_id", sa.String(255), nullable=False, index=True),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("description", sa.String(255), nullable=False),
        sa.Column("revision_number", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.Column("tags", sa.JSON, nullable=False),
    ]


def _group_ref(name: str, nullable: bool) -> sa.Column[object]:
    return sa.Column(
        name,
        sa.String(36),
        sa.ForeignKey("securitygroups.id", ondelete="CASCADE"),
        nullable=nullable,
        index=not nullable,
    )


def upgrade() -> None:
    op.create_table(
        "securitygroups",
        *_standard(),
        sa.Column("stateful", sa.Boolean, nullable=False),
        sa.Column("is_default", sa.Boolean, nullable=False),
    )
    op.create_table(
        "securitygrouprules",
        *_standard(),
        _group_ref("security_group_id", False),
        sa.Column("direction", sa.String(16), nullable=False),
        sa.Column("ethertype", sa.String(8), nullable=False),
        sa.Column("protocol", sa.String(40), nullable=True),
        sa.Column("port_range_min", sa.Integer, nullable=True),
        sa.Column("port_range_max", sa.Integer, nullable=True),
        sa.Column("remote_ip_prefix", sa.String(64), nullable=True),
        _group_ref("remote_group_id", True),
    )
    op.create_table(
        "ports",
        *_standard(),
        sa.Column(
            "network_id",
            sa.String(36),
            sa.ForeignKey("networks.id", ondelete="RESTRICT"),
            nullable=False,
            index=True,
        ),
        sa.Column("admin_state_up", sa.Boolean, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("mac_address", sa.String(32), nullable=False),
        sa.Column("fixed_ips", sa.JSON, nullable=False),
        sa.Column("device_id", sa.String(255), nullable=False),
        sa.Column("device_owner", sa.String(255), nullable=False),
        sa.Column("port_security_enabled", sa.Boolean, nullable=False),
        sa.Column("security_groups", sa.JSON, nullable=False),
        sa.Column("allowed_address_pairs", sa.JSON, nullable=False),
        sa.Column("qos_policy_id", sa.String(36), nullable=True),
        sa.Column("host_id", sa.String(255), nullable=False),
        sa.Column("vnic_type", sa.String(64), nullable=False),
        sa.Column("profile", sa.JSON, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("ports")
    op.drop_table("securitygrouprules")
    op.drop_table("securitygroups")
