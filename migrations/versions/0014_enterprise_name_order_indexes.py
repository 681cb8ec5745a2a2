"""enterprise name indexes carry the id (index-only walks in name order)

Revision ID: 0014
Revises: 0013

Enterprise search sorts by name, then id, and for a frequent fragment PostgreSQL walks the names
in that order, testing each against the fragment, until a page is full. Names start with a place
(贵州…, 遵义市…), so such a walk may read a few hundred thousand names before the first match
(贵州: 269,859). With the id in the name index the walk is an index-only scan: the name is
tested and the id returned from the index, without reading the table row (贵州's walk: 2.1 s
through the table, 86 ms index-only, under the same load; BENCHMARKS.md).

``ix_enterprises_name`` (name) becomes (name, id), and ``ix_enterprises_county_name`` (county,
name) becomes (county, name, id) for a search within a county. Both keep their names and every
use they had. Plain b-tree indexes: the same on SQLite and PostgreSQL.
"""

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("enterprises") as batch:
        batch.drop_index("ix_enterprises_name")
        batch.create_index("ix_enterprises_name", ["name", "id"], unique=False)
        batch.drop_index("ix_enterprises_county_name")
        batch.create_index(
            "ix_enterprises_county_name", ["county_code", "name", "id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("enterprises") as batch:
        batch.drop_index("ix_enterprises_county_name")
        batch.create_index("ix_enterprises_county_name", ["county_code", "name"], unique=False)
        batch.drop_index("ix_enterprises_name")
        batch.create_index("ix_enterprises_name", ["name"], unique=False)
