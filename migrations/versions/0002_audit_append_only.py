"""audit trail append-only guard (PostgreSQL)

Revision ID: 0002
Revises: 0001

Entries may only be inserted; the one permitted update sets seal_id once, from NULL, leaving
every other column as it was. Someone with the rights to drop the trigger can still alter rows;
the MACs and seals make that evident (``casemgr audit verify``).
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        """
        CREATE FUNCTION audit_entries_append_only() RETURNS trigger AS $$
        BEGIN
            IF TG_OP = 'DELETE' THEN
                RAISE EXCEPTION 'audit entries are append-only (delete of %)', OLD.id;
            END IF;
            IF OLD.seal_id IS NOT NULL OR NEW.seal_id IS NULL
               OR (to_jsonb(NEW) - 'seal_id') IS DISTINCT FROM (to_jsonb(OLD) - 'seal_id') THEN
                RAISE EXCEPTION 'audit entries are append-only (update of %)', OLD.id;
            END IF;
            RETURN NEW;
        END;
        $$ LANGUAGE plpgsql;
        """
    )
    op.execute(
        """
        CREATE TRIGGER audit_entries_append_only
        BEFORE UPDATE OR DELETE ON audit_entries
        FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only();
        """
    )
    op.execute(
        """
        CREATE FUNCTION audit_seals_append_only() RETURNS trigger AS $$
        BEGIN
            RAISE EXCEPTION 'audit seals are append-only';
        END;
        $$ LANGUAGE plpgsql;
        """
    )
    op.execute(
        """
        CREATE TRIGGER audit_seals_append_only
        BEFORE UPDATE OR DELETE ON audit_seals
        FOR EACH ROW EXECUTE FUNCTION audit_seals_append_only();
        """
    )


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER audit_seals_append_only ON audit_seals")
    op.execute("DROP FUNCTION audit_seals_append_only()")
    op.execute("DROP TRIGGER audit_entries_append_only ON audit_entries")
    op.execute("DROP FUNCTION audit_entries_append_only()")
