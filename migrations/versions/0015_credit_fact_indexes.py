"""credit facts by enterprise: index the case party and the violation's enterprises

Revision ID: 0015
Revises: 0014

The credit facts of an enterprise (``casemgr.services.credit_facts``) start from its cases
(``cases.party_enterprise_id``) and its violations (``violation_enterprises.enterprise_id``).
Neither column was indexed (the violation link's key leads with the violation), so rescoring
one enterprise after a case event read the whole of both tables: with 500,000 cases, tens of
milliseconds of the 100 ms that issue 6 allows (BENCHMARKS.md, "Credit: full and incremental
rescoring"). Plain b-tree indexes: the same on SQLite and PostgreSQL.
"""

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("cases") as batch:
        batch.create_index("ix_cases_party_enterprise_id", ["party_enterprise_id"], unique=False)
    with op.batch_alter_table("violation_enterprises") as batch:
        batch.create_index(
            "ix_violation_enterprises_enterprise_id", ["enterprise_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("violation_enterprises") as batch:
        batch.drop_index("ix_violation_enterprises_enterprise_id")
    with op.batch_alter_table("cases") as batch:
        batch.drop_index("ix_cases_party_enterprise_id")
