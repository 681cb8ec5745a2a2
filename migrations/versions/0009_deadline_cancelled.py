"""deadline state 'cancelled' (moot when the procedure ended another way)

Revision ID: 0009
Revises: 0008
"""

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

OLD = "state IN ('open', 'met', 'missed', 'paused')"
NEW = "state IN ('open', 'met', 'missed', 'paused', 'cancelled')"


def upgrade():
    with op.batch_alter_table("deadlines") as batch:
        batch.drop_constraint(op.f("ck_deadlines_deadline_state"), type_="check")
        batch.create_check_constraint(op.f("ck_deadlines_deadline_state"), NEW)


def downgrade():
    op.execute("UPDATE deadlines SET state = 'met' WHERE state = 'cancelled'")
    with op.batch_alter_table("deadlines") as batch:
        batch.drop_constraint(op.f("ck_deadlines_deadline_state"), type_="check")
        batch.create_check_constraint(op.f("ck_deadlines_deadline_state"), OLD)
