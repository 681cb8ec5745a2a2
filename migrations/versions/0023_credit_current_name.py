"""credit_current carries the enterprise's name: a tier's enterprises in name order from one index

Revision ID: 0023
Revises: 0022

The tier list (``/credit?tier=red``) and the enterprise search with a tier filter show a
tier's enterprises in name order. ``credit_current`` had no name, so a page walked the
enterprises in name order testing each against the tier's rows (``ix_credit_current_tier``):
for a tier held by 2 % (red), page 100 read about 150,000 names, and a tier with a common name
fragment (红 + 贵州) about as many (about 300 ms each over 1,000,000 enterprises).

``credit_current.name`` is the enterprise's name, kept with it as the county is (the services
rename the rows with the enterprise, ``casemgr.models.credit``), of the same type as
``enterprises.name`` and so compared in the same collation. ``ix_credit_current_tier_name``
(scheme, tier, name, enterprise_id, county_code) holds a tier's enterprises in the enterprise
list's order: a page is an offset within the tier's entries, and a name fragment or a county
is tested on the entries, all from the index alone. It replaces ``ix_credit_current_tier``
(scheme, tier, enterprise_id), whose only use was that test.

The names are filled from the enterprises. ``FILL_CURRENT`` and ``FILL_COUNTS`` are 0019's
fill from the history with the name added, for loaders that write the history with COPY
(``bench/web_pages.py`` refills the current rows with them). Plain b-tree index: the same on
SQLite and PostgreSQL.
"""

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


FILL_NAMES = """
UPDATE credit_current
SET name = (SELECT e.name FROM enterprises e WHERE e.id = credit_current.enterprise_id)
"""

# On PostgreSQL the rows are written anew with their names (copied aside, the table emptied,
# copied back), not updated. An UPDATE leaves each row's old version in a HOT chain that the new
# index cannot serve; PostgreSQL then keeps the index from every query until each transaction
# older than the migration has ended (pg_index.indcheckxmin), and the table doubles in size.
_COLUMNS = (
    "scheme, enterprise_id, score_id, as_of, status, tier, own_tier, sublevel, points, county_code"
)
REWRITE_POSTGRESQL = (
    f"""
CREATE TEMPORARY TABLE credit_current_named ON COMMIT DROP AS
SELECT {", ".join("c." + c for c in _COLUMNS.split(", "))}, e.name
FROM credit_current c LEFT JOIN enterprises e ON e.id = c.enterprise_id
""",
    "TRUNCATE credit_current",
    f"""
INSERT INTO credit_current ({_COLUMNS}, name)
SELECT {_COLUMNS}, name FROM credit_current_named
""",
)

FILL_CURRENT = """
INSERT INTO credit_current
    (scheme, enterprise_id, score_id, as_of, status, tier, own_tier, sublevel, points,
     county_code, name)
SELECT s.scheme, s.enterprise_id, s.id, s.as_of, s.status, s.tier, s.own_tier, s.sublevel,
       s.points, e.county_code, e.name
FROM credit_scores s JOIN enterprises e ON e.id = s.enterprise_id
WHERE s.id IN (SELECT max(id) FROM credit_scores GROUP BY scheme, enterprise_id)
"""

FILL_COUNTS = """
INSERT INTO credit_tier_counts (scheme, county_code, tier, n)
SELECT scheme, county_code, coalesce(tier, 'abnormal'), count(*)
FROM credit_current
GROUP BY scheme, county_code, coalesce(tier, 'abnormal')
"""

TIER_NAME = ["scheme", "tier", "name", "enterprise_id", "county_code"]


def upgrade():
    with op.batch_alter_table("credit_current") as batch:
        batch.drop_index("ix_credit_current_tier")
        batch.add_column(sa.Column("name", sa.String(length=200), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        op.execute("SET LOCAL work_mem = '256MB'")  # the join of a million rows in memory
        for statement in REWRITE_POSTGRESQL:
            op.execute(statement)
    else:
        op.execute(FILL_NAMES)
    with op.batch_alter_table("credit_current") as batch:
        batch.alter_column("name", existing_type=sa.String(length=200), nullable=False)
        # After the rows: one sort instead of a million insertions.
        batch.create_index("ix_credit_current_tier_name", TIER_NAME)


def downgrade():
    with op.batch_alter_table("credit_current") as batch:
        batch.drop_index("ix_credit_current_tier_name")
        batch.drop_column("name")
        batch.create_index("ix_credit_current_tier", ["scheme", "tier", "enterprise_id"])
