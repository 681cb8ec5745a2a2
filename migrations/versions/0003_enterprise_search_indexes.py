"""enterprise search indexes (PostgreSQL)

Revision ID: 0003
Revises: 0002

Enterprise search matches a name fragment anywhere in the current or a former name
(``name LIKE '%fragment%'``), which no b-tree index serves: over a million enterprises every
such search read the whole table. Two GIN indexes per name column serve it instead:

* ``gin (name gin_trgm_ops)`` (pg_trgm) for fragments of three characters or more. pg_trgm
  indexes Chinese characters in a UTF-8 database whose LC_CTYPE classifies them as letters
  (C.UTF-8 and the zh_CN/en_US UTF-8 locales do: ``show_trgm('贵州茅台酒')`` has six trigrams).
* ``gin (casemgr_ngrams(name))`` for fragments of one or two characters (化工, 煤业, 贵州),
  the commonest Chinese searches: a LIKE pattern yields no trigram below three characters, so
  pg_trgm would scan its whole index. ``casemgr_ngrams`` lists every character and every pair
  of adjacent characters; containing the pair is the same as containing the fragment.

The queries that use them are in ``casemgr.repositories.enterprises``. The indexes are not
declared on the models (SQLAlchemy cannot express them portably; migrations/env.py leaves them
out of autogenerate). Nothing happens on SQLite.
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
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute(
        """
        CREATE FUNCTION casemgr_ngrams(value text) RETURNS text[]
        LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
        DECLARE
            n integer := char_length(value);
            grams text[] := '{}';
        BEGIN
            FOR i IN 1..n LOOP
                grams := grams || substr(value, i, 1);
                IF i < n THEN
                    grams := grams || substr(value, i, 2);
                END IF;
            END LOOP;
            RETURN grams;
        END
        $$
        """
    )
    for table, column in NAME_COLUMNS:
        op.execute(
            f"CREATE INDEX ix_{table}_{column}_trgm ON {table} USING gin ({column} gin_trgm_ops)"
        )
        op.execute(
            f"CREATE INDEX ix_{table}_{column}_ngrams ON {table} "
            f"USING gin (casemgr_ngrams({column}))"
        )
        # Finer element statistics, so that the planner tells a pair found in a few dozen names
        # from one found in thousands (index scan versus walking the names in order).
        op.execute(f"ALTER INDEX ix_{table}_{column}_ngrams ALTER COLUMN 1 SET STATISTICS 1000")
        op.execute(f"ANALYZE {table}")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, column in NAME_COLUMNS:
        op.execute(f"DROP INDEX ix_{table}_{column}_ngrams")
        op.execute(f"DROP INDEX ix_{table}_{column}_trgm")
    op.execute("DROP FUNCTION casemgr_ngrams(text)")
    # pg_trgm stays: other objects may depend on it, and it holds no data.
