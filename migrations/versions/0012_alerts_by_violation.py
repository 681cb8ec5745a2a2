"""alerts by violation (the case family reads a violation's alerts whatever their state)

Revision ID: 0012
Revises: 0011
"""

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("alerts") as batch:
        batch.create_index("ix_alerts_violation_id", ["violation_id"], unique=False)


def downgrade():
    with op.batch_alter_table("alerts") as batch:
        batch.drop_index("ix_alerts_violation_id")
