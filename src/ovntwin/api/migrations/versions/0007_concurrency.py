"""concurrency: one default security group per project (default_security_group, as Neutron)

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision: str | None = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # the primary key makes a second, concurrent default group for a project fail to commit
    op.create_table(
        "default_security_group",
        sa.Column("project_id", sa.String(255), primary_key=True),
        sa.Column(
            "security_group_id",
            sa.String(36),
            sa.ForeignKey("securitygroups.id", ondelete="CASCADE"),
            nullable=False,
        ),
    )


def downgrade() -> None:
    op.drop_table("default_security_group")
