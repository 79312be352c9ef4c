"""Feed polls from memory (PostgreSQL): triggers that NOTIFY the channel feed_poll when the feed
clock, a feed token or a person's active/role changes, so that each worker can answer unchanged
polls without a round trip while it listens (witness_support/feeds/listen.py). SQLite: nothing.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-29 13:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

TABLES = (('feed_poll_clock', 'feed_clock', 'INSERT OR UPDATE OR DELETE OR TRUNCATE'),
          ('feed_poll_tokens', 'feed_tokens', 'INSERT OR UPDATE OR DELETE OR TRUNCATE'),
          ('feed_poll_users', 'users', 'UPDATE OF active, role OR DELETE OR TRUNCATE'))


def upgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute("""CREATE OR REPLACE FUNCTION feed_poll_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('feed_poll', TG_TABLE_NAME);
    RETURN NULL;
END
$$""")
    for name, table, events in TABLES:
        op.execute(f'CREATE TRIGGER {name} AFTER {events} ON {table} FOR EACH STATEMENT EXECUTE FUNCTION feed_poll_notify()')


def downgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    for name, table, _events in TABLES:
        op.execute(f'DROP TRIGGER IF EXISTS {name} ON {table}')
    op.execute('DROP FUNCTION IF EXISTS feed_poll_notify()')
