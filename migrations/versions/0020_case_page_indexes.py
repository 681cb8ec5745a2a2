"""violations in the order the violation list shows them (newest found first)

Revision ID: 0020
Revises: 0019

The violation list of the case pages (``/cases?tab=violations``, 违法行为) shows the newest
found first: ``ORDER BY found_at DESC, id``. Only ``ix_violations_county_found`` (county, found)
carried ``found_at``, so a province-wide reader's first page sorted every violation (200,000:
about 100 ms of the page, more with the table out of the cache). ``ix_violations_found``
(found_at, id), read backwards, gives that order (the few violations found at the same instant
are put in id order among themselves): the first page reads about 20 index entries, and the
date filters of the list (found from, found until) are ranges of it. No DESC in the index:
SQLite's reflection drops it, and the schema must compare equal to the models. The case list needs no index of
its own: ``ix_cases_lead_received`` (0019) leads with ``lead_received_on``. A plain b-tree
index: the same on SQLite and PostgreSQL.
"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_violations_found", "violations", ["found_at", "id"])


def downgrade():
    op.drop_index("ix_violations_found", table_name="violations")
