"""the twin's OVN NB rows and NB transaction journal

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision: str | None = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    head = op.create_table(
        "ovn_nb_head",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("txn", sa.Integer, nullable=False),
        sa.Column("southbound", sa.JSON, nullable=False),
    )
    op.bulk_insert(head, [{"id": 1, "txn": 0, "southbound": {}}])
    op.create_table(
        "ovn_nb_rows",
        sa.Column("tbl", sa.String(64), primary_key=True),
        sa.Column("uuid", sa.String(36), primary_key=True),
        sa.Column("columns", sa.JSON, nullable=False),
    )
    op.create_table(
        "ovn_nb_transactions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("method", sa.String(16), nullable=False),
        sa.Column("path", sa.String(1024), nullable=False),
        sa.Column("ops", sa.JSON, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("ovn_nb_transactions")
    op.drop_table("ovn_nb_rows")
    op.drop_table("ovn_nb_head")
