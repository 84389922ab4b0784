"""qos policies and rules; networks.qos_policy_id

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision: str | None = "0001"
branch_labels = None
depends_on = None


def _rule_table(name: str, *columns: sa.Column[object]) -> None:
    op.create_table(
        name,
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column(
            "qos_policy_id",
            sa.String(36),
            sa.ForeignKey("qos_policies.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        *columns,
    )


def upgrade() -> None:
    op.create_table(
        "qos_policies",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("project_id", sa.String(255), nullable=False, index=True),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("description", sa.String(255), nullable=False),
        sa.Column("revision_number", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.Column("tags", sa.JSON, nullable=False),
        sa.Column("shared", sa.Boolean, nullable=False),
        sa.Column("is_default", sa.Boolean, nullable=False),
    )
    _rule_table(
        "qos_bandwidth_limit_rules",
        sa.Column("max_kbps", sa.Integer, nullable=False),
        sa.Column("max_burst_kbps", sa.Integer, nullable=False),
        sa.Column("direction", sa.String(16), nullable=False),
    )
    _rule_table("qos_dscp_marking_rules", sa.Column("dscp_mark", sa.Integer, nullable=False))
    _rule_table(
        "qos_minimum_bandwidth_rules",
        sa.Column("min_kbps", sa.Integer, nullable=False),
        sa.Column("direction", sa.String(16), nullable=False),
    )
    # batch mode: SQLite cannot ALTER a foreign key in, so the table is rebuilt there
    with op.batch_alter_table("networks") as batch:
        batch.add_column(sa.Column("qos_policy_id", sa.String(36), nullable=True))
        batch.create_foreign_key(
            "fk_networks_qos_policy_id",
            "qos_policies",
            ["qos_policy_id"],
            ["id"],
            ondelete="RESTRICT",
        )


def downgrade() -> None:
    with op.batch_alter_table("networks") as batch:
        batch.drop_constraint("fk_networks_qos_policy_id", type_="foreignkey")
        batch.drop_column("qos_policy_id")
    op.drop_table("qos_minimum_bandwidth_rules")
    op.drop_table("qos_dscp_marking_rules")
    op.drop_table("qos_bandwidth_limit_rules")
    op.drop_table("qos_policies")
