"""the officer's day: the name search index (witness_name_tokens), tasks people write (task_comments, tasks.created_by_id)

The hashes need the index key, which migrations never read: after upgrading, fill the index
for existing witnesses with `flask witnesses reindex-names`.

Revision ID: 0023
Revises: 0021
Create Date: 2026-12-02 10:00:00

"""
from alembic import op
import sqlalchemy as sa

import witness_support.db


# revision identifiers, used by Alembic.
revision = '0023'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('witness_name_tokens',
    sa.Column('witness_id', sa.Integer(), nullable=False),
    sa.Column('token', sa.Integer(), autoincrement=False, nullable=False),
    sa.ForeignKeyConstraint(['witness_id'], ['witnesses.id'], name=op.f('fk_witness_name_tokens_witness_id_witnesses'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('witness_id', 'token', name=op.f('pk_witness_name_tokens'))
    )
    with op.batch_alter_table('witness_name_tokens', schema=None) as batch_op:
        batch_op.create_index('ix_witness_name_tokens_token', ['token', 'witness_id'], unique=False)
    op.create_table('task_comments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', witness_support.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_task_comments_author_id_users')),
    sa.ForeignKeyConstraint(['task_id'], ['tasks.id'], name=op.f('fk_task_comments_task_id_tasks')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_task_comments'))
    )
    with op.batch_alter_table('task_comments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_task_comments_task_id'), ['task_id'], unique=False)
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('created_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_tasks_created_by_id_users'), 'users', ['created_by_id'], ['id'])


def downgrade():
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_tasks_created_by_id_users'), type_='foreignkey')
        batch_op.drop_column('created_by_id')
    with op.batch_alter_table('task_comments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_task_comments_task_id'))
    op.drop_table('task_comments')
    with op.batch_alter_table('witness_name_tokens', schema=None) as batch_op:
        batch_op.drop_index('ix_witness_name_tokens_token')
    op.drop_table('witness_name_tokens')
