"""the credit tier counts of past days for the dashboard (dashboard_tier_counts)

Revision ID: 0022
Revises: 0021

The dashboard's tier chart for a past end date counted the score history of every enterprise
rescored since that day (5-9 s province-wide over 1,000,000 enterprises and 1.5 million
scores, the first time in each process). ``dashboard_tier_counts`` holds the counts per county
and tier at the end of each day on which they changed, per scheme; a day's counts are those of
the latest day on or before it, read backwards on the primary key (scheme, day, county, tier).
``dashboard_tier_states`` says what they cover: the highest score id counted, the day of the
rebuild. The rollup job (``casemgr.services.dashboard_rollups``) fills both on its first run;
until then, and whenever a score dated on or before the day was stored since its last run, the
chart counts from the history as before. No rows are written here.
"""

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "dashboard_tier_counts",
        sa.Column("scheme", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("county_code", sa.String(length=6), nullable=False),
        sa.Column("tier", sa.String(length=8), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "scheme", "day", "county_code", "tier", name=op.f("pk_dashboard_tier_counts")
        ),
    )
    op.create_table(
        "dashboard_tier_states",
        sa.Column("scheme", sa.String(length=64), nullable=False),
        sa.Column("scores_through", sa.BigInteger(), nullable=False),
        sa.Column("exact_before", sa.Date(), nullable=True),
        sa.Column("built_on", sa.Date(), nullable=False),
        sa.Column("built_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("scheme", name=op.f("pk_dashboard_tier_states")),
    )


def downgrade():
    op.drop_table("dashboard_tier_states")
    op.drop_table("dashboard_tier_counts")
