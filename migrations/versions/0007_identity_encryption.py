"""Identity data encrypted at rest: witnesses' name, birth date, contact and address, notice contacts.

Columns become text holding Fernet tokens, the name gets its keyed blind index, and every
existing plaintext row is encrypted here with the app's keys (witness_support/crypto.py), so
that no plaintext identity survives the upgrade. The downgrade decrypts back to plaintext.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 04:20:00

"""
from alembic import op
import sqlalchemy as sa
from flask import current_app

from witness_support import crypto


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('witnesses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('legal_name_index', sa.String(length=64), nullable=True))
        batch_op.alter_column('legal_name', existing_type=sa.String(length=200), type_=sa.Text(),
                              existing_nullable=False)
        batch_op.alter_column('date_of_birth', existing_type=sa.Date(), type_=sa.Text(),
                              existing_nullable=True, postgresql_using='date_of_birth::text')
        batch_op.create_index(batch_op.f('ix_witnesses_legal_name_index'), ['legal_name_index'], unique=False)

    with op.batch_alter_table('notification_preferences', schema=None) as batch_op:
        batch_op.alter_column('email', existing_type=sa.String(length=254), type_=sa.Text(),
                              existing_nullable=False)
        batch_op.alter_column('phone', existing_type=sa.String(length=40), type_=sa.Text(),
                              existing_nullable=False)
        batch_op.alter_column('third_party_name', existing_type=sa.String(length=200), type_=sa.Text(),
                              existing_nullable=False)

    # Data: every existing plaintext value is encrypted now, and the blind index filled in.
    ring = crypto.keyring(current_app)
    connection = op.get_bind()
    for table, columns in _encrypted_columns().items():
        crypto.reencrypt_table(connection, ring, table, columns, plaintext_ok=True)


# The tables this revision encrypted; tables that later revisions create with encrypted columns
# (the contact log) do not exist yet here, and are born encrypted.
_TABLES = ("witnesses", "notification_preferences")


def _encrypted_columns() -> dict[str, tuple[str, ...]]:
    return {table: crypto.ENCRYPTED_COLUMNS[table] for table in _TABLES}


def _decrypt_all() -> None:
    ring = crypto.keyring(current_app)
    connection = op.get_bind()
    for table, columns in _encrypted_columns().items():
        names = ", ".join(columns)
        for row in connection.execute(sa.text(f"SELECT id, {names} FROM {table}")).all():
            values = {"id": row[0]}
            for name, stored in zip(columns, row[1:]):
                values[name] = None if stored is None else ring.decrypt(stored)
            assignments = ", ".join(f"{name} = :{name}" for name in columns)
            connection.execute(sa.text(f"UPDATE {table} SET {assignments} WHERE id = :id"), values)


def downgrade():
    _decrypt_all()
    with op.batch_alter_table('notification_preferences', schema=None) as batch_op:
        batch_op.alter_column('third_party_name', existing_type=sa.Text(), type_=sa.String(length=200),
                              existing_nullable=False)
        batch_op.alter_column('phone', existing_type=sa.Text(), type_=sa.String(length=40),
                              existing_nullable=False)
        batch_op.alter_column('email', existing_type=sa.Text(), type_=sa.String(length=254),
                              existing_nullable=False)

    with op.batch_alter_table('witnesses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_witnesses_legal_name_index'))
        batch_op.alter_column('date_of_birth', existing_type=sa.Text(), type_=sa.Date(),
                              existing_nullable=True, postgresql_using='date_of_birth::date')
        batch_op.alter_column('legal_name', existing_type=sa.Text(), type_=sa.String(length=200),
                              existing_nullable=False)
        batch_op.drop_column('legal_name_index')
