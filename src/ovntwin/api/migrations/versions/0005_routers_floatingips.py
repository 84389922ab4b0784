"""routers and floating IPs

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision: str | None = "0004"
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


def _ref(name: str, target: str, ondelete: str, nullable: bool, index: bool) -> sa.Column[object]:
    return sa.Column(
        name,
        sa.String(36),
        sa.ForeignKey(target, ondelete=ondelete),
        nullable=nullable,
        index=index,
    )


def upgrade() -> None:
    op.create_table(
        "routers",
        *_standard(),
        sa.Column("admin_state_up", sa.Boolean, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        _ref("gw_network_id", "networks.id", "RESTRICT", True, False),
        sa.Column("enable_snat", sa.Boolean, nullable=False),
        _ref("gw_port_id", "ports.id", "SET NULL", True, False),
        _ref("qos_policy_id", "qos_policies.id", "RESTRICT", True, False),
        sa.Column("routes", sa.JSON, nullable=False),
        sa.Column("availability_zone_hints", sa.JSON, nullable=False),
        sa.Column("flavor_id", sa.String(36), nullable=True),
    )
    op.create_table(
        "floatingips",
        *_standard(),
        _ref("floating_network_id", "networks.id", "RESTRICT", False, True),
        sa.Column("floating_ip_address", sa.String(64), nullable=False),
        _ref("floating_port_id", "ports.id", "CASCADE", False, True),
        _ref("port_id", "ports.id", "SET NULL", True, True),
        sa.Column("fixed_ip_address", sa.String(64), nullable=True),
        _ref("router_id", "routers.id", "RESTRICT", True, True),
        sa.Column("status", sa.String(16), nullable=False),
        _ref("qos_policy_id", "qos_policies.id", "RESTRICT", True, False),
    )


def downgrade() -> None:
    op.drop_table("floatingips")
    op.drop_table("routers")
