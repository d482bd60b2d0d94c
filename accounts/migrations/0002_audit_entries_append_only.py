"""The database itself refuses to change or delete audit entries.

Reversible: the reverse drops the trigger and its function.
"""

from django.db import migrations

FORWARD = """
CREATE FUNCTION accounts_auditentry_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only: % refused on entry %', TG_OP, OLD.id
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER accounts_auditentry_append_only
    BEFORE UPDATE OR DELETE ON accounts_auditentry
    FOR EACH ROW EXECUTE FUNCTION accounts_auditentry_refuse_change();
"""

REVERSE = """
DROP TRIGGER IF EXISTS accounts_auditentry_append_only ON accounts_auditentry;
DROP FUNCTION IF EXISTS accounts_auditentry_refuse_change();
"""


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_user_identity_audit")]

    operations = [migrations.RunSQL(FORWARD, REVERSE)]
