"""A simpler feed poll: the token row remembers when its ETag was last confirmed, and the
PostgreSQL triggers that told each worker's poll memory about changes go (nothing listens now).

`checked_version`, `checked_until` and `checked_host` let any worker answer an unchanged feed
from the token's own row. Downgrading puts the triggers back as revision 0014 made them.

Revision ID: 0018
Revises: 0016
Create Date: 2026-12-02 10:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0016'
branch_labels = None
depends_on = None

TRIGGERS = (('feed_poll_clock', 'feed_clock', 'INSERT OR UPDATE OR DELETE OR TRUNCATE'),
            ('feed_poll_tokens', 'feed_tokens', 'INSERT OR UPDATE OR DELETE OR TRUNCATE'),
            ('feed_poll_users', 'users', 'UPDATE OF active, role OR DELETE OR TRUNCATE'))


def upgrade():
    if op.get_bind().dialect.name == 'postgresql':
        for name, table, _events in TRIGGERS:
            op.execute(f'DROP TRIGGER IF EXISTS {name} ON {table}')
        op.execute('DROP FUNCTION IF EXISTS feed_poll_notify()')
    with op.batch_alter_table('feed_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('checked_version', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('checked_until', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('checked_host', sa.String(length=255), nullable=True))


def downgrade():
    with op.batch_alter_table('feed_tokens', schema=None) as batch_op:
        batch_op.drop_column('checked_host')
        batch_op.drop_column('checked_until')
        batch_op.drop_column('checked_version')
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute("""CREATE OR REPLACE FUNCTION feed_poll_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('feed_poll', TG_TABLE_NAME);
    RETURN NULL;
END
$$""")
    for name, table, events in TRIGGERS:
        op.execute(f'CREATE TRIGGER {name} AFTER {events} ON {table}'
                   ' FOR EACH STATEMENT EXECUTE FUNCTION feed_poll_notify()')
