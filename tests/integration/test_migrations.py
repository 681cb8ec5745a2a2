"""The migrations build exactly the schema the models describe, on every database."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from casemgr.extensions import db

# Created by migrations only (PostgreSQL search indexes, 0003); migrations/env.py skips the same.
MIGRATION_ONLY_INDEXES = {
    "ix_enterprises_name_ngrams",
    "ix_enterprise_names_name_ngrams",
}


def _include_object(object, name, type_, reflected, compare_to):
    return not (type_ == "index" and reflected and name in MIGRATION_ONLY_INDEXES)


def test_migrated_schema_matches_the_models(app):
    with db.engine.connect() as conn:
        ctx = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_object": _include_object}
        )
        diff = compare_metadata(ctx, db.metadata)
    assert diff == []


def test_every_model_table_exists_after_upgrade(app):
    tables = set(inspect(db.engine).get_table_names())
    assert set(db.metadata.tables) <= tables
    assert "alembic_version" in tables
