"""enterprise search indexes (PostgreSQL)

Revision ID: 0003
Revises: 0002

Enterprise search looks for a name fragment anywhere in the current or a former name
(``name LIKE '%fragment%'``), which no b-tree answers: over a million enterprises every search
read the whole table. This adds a GIN index over each name's characters and pairs of adjacent
characters (its 1- and 2-grams), for ``enterprises.name`` and ``enterprise_names.name``.

A name containing a fragment contains all the fragment's pairs (a one-character fragment: the
character), so ``casemgr_ngrams(name) @> ARRAY[pairs]`` narrows the search to candidates, which
``name LIKE`` then confirms (casemgr.repositories.enterprises writes both).

Why not pg_trgm: it does index Chinese here (a C.UTF-8 LC_CTYPE classifies CJK characters as
letters, ``show_trgm('贵州茅台酒')`` gives six trigrams), but a LIKE pattern of fewer than three
characters yields no trigram, so the two-character fragments that make up most Chinese searches
(化工, 煤业, 仁怀) would still read the whole table. Measured over 1,000,000 generated
enterprises, the pair index also served three- and four-character fragments at least as well
(BENCHMARKS.md), so one index type does, and no extension is needed.

The indexes are not declared on the models (they index an expression over a PostgreSQL
function); migrations/env.py keeps autogenerate from dropping them. Nothing happens on SQLite.
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

NAME_COLUMNS = (("enterprises", "name"), ("enterprise_names", "name"))


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        """
        CREATE FUNCTION casemgr_ngrams(value text) RETURNS text[]
        LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
        DECLARE
            chars text[] := regexp_split_to_array(value, '');
            n integer := cardinality(chars);
            grams text[] := chars;
        BEGIN
            FOR i IN 1..n - 1 LOOP
                grams[n + i] := chars[i] || chars[i + 1];
            END LOOP;
            RETURN grams;
        END
        $$
        """
    )
    op.execute(
        "COMMENT ON FUNCTION casemgr_ngrams(text) IS "
        "'Characters and pairs of adjacent characters of a name, for the enterprise search "
        "indexes (migration 0003)'"
    )
    for table, column in NAME_COLUMNS:
        index = f"ix_{table}_{column}_ngrams"
        op.execute(f"CREATE INDEX {index} ON {table} USING gin (casemgr_ngrams({column}))")
        # Finer statistics of the indexed pairs, so that the planner tells a pair found in a few
        # dozen names (use the index) from one found in thousands (read the names in order).
        # With the default target, every pair not among the 1,000 commonest counts as 0.2 % of
        # the names, and a search for a rare one reads most of the table.
        op.execute(f"ALTER INDEX {index} ALTER COLUMN 1 SET STATISTICS 1000")
    # The planner needs the statistics now, not at the next autovacuum. ANALYZE runs after the
    # commit: in the transaction that created the index it would ignore the target just set.
    with op.get_context().autocommit_block():
        for table, _column in NAME_COLUMNS:
            op.execute(f"ANALYZE {table}")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, column in NAME_COLUMNS:
        op.execute(f"DROP INDEX ix_{table}_{column}_ngrams")
    op.execute("DROP FUNCTION casemgr_ngrams(text)")
