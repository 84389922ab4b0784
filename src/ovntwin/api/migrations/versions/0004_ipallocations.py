"""ipallocations; ports unique (network_id, mac_address)

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision: str | None = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ipallocations",
        sa.Column("network_id", sa.String(36), primary_key=True),
        sa.Column("ip_address", sa.String(64), primary_key=True),
        sa.Column(
            "subnet_id",
            sa.String(36),
            sa.ForeignKey("subnets.id", ondelete="RESTRICT"),
            nullable=False,
            index=True,
        ),
        sa.Column(
            "port_id",
            sa.String(36),
            sa.ForeignKey("ports.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
    )
    op.create_index(
        "uniq_ports0network_id0mac_address", "ports", ["network_id", "mac_address"], unique=True
    )


def downgrade() -> None:
    op.drop_index("uniq_ports0network_id0mac_address", table_name="ports")
    op.drop_table("ipallocations")
