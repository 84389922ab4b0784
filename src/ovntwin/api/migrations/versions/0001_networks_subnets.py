"""networks and subnets

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision: str | None = None
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


def upgrade() -> None:
    op.create_table(
        "networks",
        *_standard(),
        sa.Column("admin_state_up", sa.Boolean, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("shared", sa.Boolean, nullable=False),
        sa.Column("external", sa.Boolean, nullable=False),
        sa.Column("port_security_enabled", sa.Boolean, nullable=False),
        sa.Column("mtu", sa.Integer, nullable=False),
        sa.Column("network_type", sa.String(32), nullable=False),
        sa.Column("physical_network", sa.String(64), nullable=True),
        sa.Column("segmentation_id", sa.Integer, nullable=True),
    )
    op.create_table(
        "subnets",
        *_standard(),
        sa.Column(
            "network_id",
            sa.String(36),
            sa.ForeignKey("networks.id", ondelete="RESTRICT"),
            nullable=False,
            index=True,
        ),
        sa.Column("ip_version", sa.Integer, nullable=False),
        sa.Column("cidr", sa.String(64), nullable=False),
        sa.Column("gateway_ip", sa.String(64), nullable=True),
        sa.Column("allocation_pools", sa.JSON, nullable=False),
        sa.Column("dns_nameservers", sa.JSON, nullable=False),
        sa.Column("host_routes", sa.JSON, nullable=False),
        sa.Column("enable_dhcp", sa.Boolean, nullable=False),
        sa.Column("ipv6_ra_mode", sa.String(16), nullable=True),
        sa.Column("ipv6_address_mode", sa.String(16), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("subnets")
    op.drop_table("networks")
