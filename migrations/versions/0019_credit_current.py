"""the score in force now (credit_current) and its tier counts; dashboard rollups; indexes of
the dashboards and home pages

Revision ID: 0019
Revises: 0018

The tier in force is an enterprise's latest ``credit_scores`` row, and ``tier`` was in no
index: the dashboard's tier chart read the whole history (6-11 s over 1,000,000 enterprises),
a tier filter walked the enterprises testing each one's history. ``credit_current`` holds the
latest row of each (scheme, enterprise) with the enterprise's county, and
``credit_tier_counts`` the number of those rows per scheme, county and tier; the services keep
both exact in the transaction of every score they store (``casemgr.models.credit``). Both are
filled here from the history: the row with the highest id per (scheme, enterprise). The current
rows are derived data rewritten a million at a time by a full run: no foreign keys, and two
indexes only (a tier's enterprises, and the rows dated after a day); the counts per county are
``credit_tier_counts``, not an index.

The dashboard's other charts are rolled up per county and month in ``dashboard_case_counts``,
``dashboard_money`` and ``dashboard_overdue``, rebuilt by a scheduled job (the first run fills
them; until then the dashboard counts from the tables, ``dashboard_refreshes`` says when).

The other indexes serve pages that sorted or counted whole tables: the deadline board and the
overdue lists in due-date order (``ix_deadlines_due``), the overdue count of the dashboard
(``ix_deadlines_overdue``, over the deadlines not done only), cases by stage and fines
assessed and collected (``ix_cases_lead_received``, ``ix_cases_decided``,
``ix_payments_paid``: the dashboard's date ranges, read from the index alone), an
officer's own cases (``ix_cases_lead_officer``) and the cases waiting for an approver
(``ix_cases_status_lead``). Plain b-tree indexes, the overdue one partial
(WHERE done_on IS NULL), the same on SQLite and PostgreSQL.
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


FILL_CURRENT = """
INSERT INTO credit_current
    (scheme, enterprise_id, score_id, as_of, status, tier, own_tier, sublevel, points,
     county_code)
SELECT s.scheme, s.enterprise_id, s.id, s.as_of, s.status, s.tier, s.own_tier, s.sublevel,
       s.points, e.county_code
FROM credit_scores s JOIN enterprises e ON e.id = s.enterprise_id
WHERE s.id IN (SELECT max(id) FROM credit_scores GROUP BY scheme, enterprise_id)
"""

FILL_COUNTS = """
INSERT INTO credit_tier_counts (scheme, county_code, tier, n)
SELECT scheme, county_code, coalesce(tier, 'abnormal'), count(*)
FROM credit_current
GROUP BY scheme, county_code, coalesce(tier, 'abnormal')
"""


def upgrade():
    op.create_table(
        "credit_current",
        sa.Column("scheme", sa.String(length=64), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("score_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("tier", sa.String(length=8), nullable=True),
        sa.Column("own_tier", sa.String(length=8), nullable=True),
        sa.Column("sublevel", sa.Integer(), nullable=True),
        sa.Column("points", sa.Float(), nullable=False),
        sa.Column("county_code", sa.String(length=6), nullable=False),
        sa.PrimaryKeyConstraint("scheme", "enterprise_id", name=op.f("pk_credit_current")),
    )
    op.create_table(
        "credit_tier_counts",
        sa.Column("scheme", sa.String(length=64), nullable=False),
        sa.Column("county_code", sa.String(length=6), nullable=False),
        sa.Column("tier", sa.String(length=8), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "scheme", "county_code", "tier", name=op.f("pk_credit_tier_counts")
        ),
    )
    op.create_table(
        "dashboard_case_counts",
        sa.Column("county_code", sa.String(length=6), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("track", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "county_code", "channel", "track", "status", "month",
            name=op.f("pk_dashboard_case_counts"),
        ),
    )
    op.create_table(
        "dashboard_money",
        sa.Column("county_code", sa.String(length=6), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("assessed_cents", sa.BigInteger(), nullable=False),
        sa.Column("collected_cents", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("county_code", "month", name=op.f("pk_dashboard_money")),
    )
    op.create_table(
        "dashboard_overdue",
        sa.Column("county_code", sa.String(length=6), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("rule_code", sa.String(length=48), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "county_code", "channel", "rule_code", "month", name=op.f("pk_dashboard_overdue")
        ),
    )
    op.create_table(
        "dashboard_refreshes",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("refreshed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_dashboard_refreshes")),
    )
    if op.get_bind().dialect.name == "postgresql":
        # For this transaction: the grouping of 1.5 million history rows stays in memory.
        op.execute("SET LOCAL work_mem = '256MB'")
    op.execute(FILL_CURRENT)
    op.execute(FILL_COUNTS)
    # Indexes after the rows: one sort each instead of a million insertions.
    with op.batch_alter_table("credit_current") as batch:
        batch.create_index("ix_credit_current_tier", ["scheme", "tier", "enterprise_id"])
        batch.create_index("ix_credit_current_as_of", ["scheme", "as_of"])
    with op.batch_alter_table("cases") as batch:
        batch.create_index(
            "ix_cases_lead_received",
            ["lead_received_on", "county_code", "channel", "track", "status"],
        )
        batch.create_index(
            "ix_cases_decided",
            ["channel", "decided_on", "status", "final_fine_cents", "county_code"],
        )
        batch.create_index("ix_cases_lead_officer", ["lead_officer_id", "id"])
        batch.create_index(
            "ix_cases_status_lead", ["status", "lead_received_on", "id", "county_code", "track"]
        )
    with op.batch_alter_table("payments") as batch:
        batch.create_index("ix_payments_paid", ["kind", "paid_on", "case_id", "amount_cents"])
    with op.batch_alter_table("deadlines") as batch:
        batch.create_index("ix_deadlines_due", ["due_on", "id"])
        batch.create_index(
            "ix_deadlines_overdue",
            ["state", "due_on", "rule_code", "county_code", "channel"],
            postgresql_where=sa.text("done_on IS NULL"),
            sqlite_where=sa.text("done_on IS NULL"),
        )


def downgrade():
    with op.batch_alter_table("deadlines") as batch:
        batch.drop_index("ix_deadlines_overdue")
        batch.drop_index("ix_deadlines_due")
    with op.batch_alter_table("payments") as batch:
        batch.drop_index("ix_payments_paid")
    with op.batch_alter_table("cases") as batch:
        batch.drop_index("ix_cases_status_lead")
        batch.drop_index("ix_cases_lead_officer")
        batch.drop_index("ix_cases_decided")
        batch.drop_index("ix_cases_lead_received")
    op.drop_table("dashboard_refreshes")
    op.drop_table("dashboard_overdue")
    op.drop_table("dashboard_money")
    op.drop_table("dashboard_case_counts")
    op.drop_table("credit_tier_counts")
    with op.batch_alter_table("credit_current") as batch:
        batch.drop_index("ix_credit_current_as_of")
        batch.drop_index("ix_credit_current_tier")
    op.drop_table("credit_current")
