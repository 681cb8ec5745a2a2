"""deadlines.basis as text: the canonical English legal basis outgrows 300 characters

Revision ID: 0021
Revises: 0020

The legal clock's rules now cite their sources as data (``casemgr.legalbasis``): law, articles,
note, [R]. A deadline row keeps the rule's code and, beside it, the canonical English line of its
basis (``basis_text``), which pages show only for a code the legal clock no longer knows. With the
full English names of the laws that line reaches about 390 characters (the penalty decision's:
three laws, one with a long note), past the 300 of ``deadlines.basis``; the column becomes TEXT.
Stored rows keep their text (the mixed English and Chinese lines of earlier versions).

On SQLite the type change recreates the table (batch mode); the partial index
``ix_deadlines_overdue`` (0019) is dropped before and created again after, so that its
``WHERE done_on IS NULL`` is kept whatever the reflection of partial indexes does. PostgreSQL
alters the column in place. Downgrading cuts longer bases to 300 characters.
"""

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

_OVERDUE = "ix_deadlines_overdue"
_OVERDUE_COLUMNS = ["state", "due_on", "rule_code", "county_code", "channel"]


def _retype(old, new):
    op.drop_index(_OVERDUE, table_name="deadlines")
    with op.batch_alter_table("deadlines") as batch:
        batch.alter_column("basis", existing_type=old, type_=new, existing_nullable=False)
    op.create_index(
        _OVERDUE,
        "deadlines",
        _OVERDUE_COLUMNS,
        postgresql_where=sa.text("done_on IS NULL"),
        sqlite_where=sa.text("done_on IS NULL"),
    )


def upgrade():
    _retype(sa.String(300), sa.Text())


def downgrade():
    op.execute("UPDATE deadlines SET basis = substr(basis, 1, 300) WHERE length(basis) > 300")
    _retype(sa.Text(), sa.String(300))
