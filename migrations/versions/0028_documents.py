"""documents: files attached to witnesses, cases, aids, outcomes and impact statements, encrypted in chunks

Revision ID: 0028
Revises: 0025
Create Date: 2026-12-06 04:05:20.204464

"""
from alembic import op
import sqlalchemy as sa

import witness_support.db


# revision identifiers, used by Alembic.
revision = '0028'
down_revision = '0027'
branch_labels = None
depends_on = None


def upgrade():
    # A document's name is encrypted text (crypto.EncryptedText); its content, encrypted chunks.
    op.create_table('documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('attached_to', sa.String(length=20), nullable=False),
    sa.Column('witness_id', sa.Integer(), nullable=True),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('aid_id', sa.Integer(), nullable=True),
    sa.Column('outcome_id', sa.Integer(), nullable=True),
    sa.Column('impact_statement_id', sa.Integer(), nullable=True),
    sa.Column('field_group', sa.String(length=20), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('chunk_count', sa.Integer(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', witness_support.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('witness_id IS NOT NULL OR case_id IS NOT NULL', name=op.f('ck_documents_attached')),
    sa.ForeignKeyConstraint(['aid_id'], ['testimonial_aids.id'], name=op.f('fk_documents_aid_id_testimonial_aids')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_documents_case_id_cases')),
    sa.ForeignKeyConstraint(['impact_statement_id'], ['impact_statements.id'], name=op.f('fk_documents_impact_statement_id_impact_statements')),
    sa.ForeignKeyConstraint(['outcome_id'], ['outcomes.id'], name=op.f('fk_documents_outcome_id_outcomes')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_documents_uploaded_by_id_users')),
    sa.ForeignKeyConstraint(['witness_id'], ['witnesses.id'], name=op.f('fk_documents_witness_id_witnesses')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_documents'))
    )
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_documents_aid_id'), ['aid_id'], unique=False)
        batch_op.create_index('ix_documents_case_uploaded', ['case_id', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_documents_impact_statement_id'), ['impact_statement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_documents_outcome_id'), ['outcome_id'], unique=False)
        batch_op.create_index('ix_documents_witness_uploaded', ['witness_id', 'id'], unique=False)

    op.create_table('document_chunks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_document_chunks_document_id_documents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document_chunks')),
    sa.UniqueConstraint('document_id', 'seq', name='uq_document_chunks_document_seq')
    )


def downgrade():
    op.drop_table('document_chunks')
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_index('ix_documents_witness_uploaded')
        batch_op.drop_index(batch_op.f('ix_documents_outcome_id'))
        batch_op.drop_index(batch_op.f('ix_documents_impact_statement_id'))
        batch_op.drop_index('ix_documents_case_uploaded')
        batch_op.drop_index(batch_op.f('ix_documents_aid_id'))

    op.drop_table('documents')
