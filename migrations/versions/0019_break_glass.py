"""Break-glass: the grants (who opened which witness, why, until when, and its review) and the
witness's "no break-glass" flag.

Revision ID: 0019
Revises: 0026
Create Date: 2026-12-03 10:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0026'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('break_glass_grants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('witness_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('granted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('until', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('review_note', sa.Text(), nullable=False),
    sa.Column('reviewer_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['users.id'], name=op.f('fk_break_glass_grants_reviewed_by_id_users')),
    sa.ForeignKeyConstraint(['reviewer_id'], ['users.id'], name=op.f('fk_break_glass_grants_reviewer_id_users')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_break_glass_grants_user_id_users')),
    sa.ForeignKeyConstraint(['witness_id'], ['witnesses.id'], name=op.f('fk_break_glass_grants_witness_id_witnesses')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_break_glass_grants'))
    )
    with op.batch_alter_table('break_glass_grants', schema=None) as batch_op:
        batch_op.create_index('ix_break_glass_grants_user_witness', ['user_id', 'witness_id', 'until'], unique=False)
        batch_op.create_index(batch_op.f('ix_break_glass_grants_witness_id'), ['witness_id'], unique=False)
    with op.batch_alter_table('witnesses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('no_break_glass', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('witnesses', schema=None) as batch_op:
        batch_op.drop_column('no_break_glass')
    with op.batch_alter_table('break_glass_grants', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_break_glass_grants_witness_id'))
        batch_op.drop_index('ix_break_glass_grants_user_witness')
    op.drop_table('break_glass_grants')
