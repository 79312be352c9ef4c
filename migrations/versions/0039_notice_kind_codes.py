"""notices queued before notices stored kind codes: custody and property notices get their event and item kinds

Custody and property notices say what happened and which item from per-language tables keyed by
the kinds stored in the notice's context (`event_kind`, `item_kind`). Rows queued before that
carry only English words (`what`, `item`); this fills the kinds, from the custody entry or the
property item the notice names where it still exists, else from the English words. Rows whose
kind cannot be recovered are left as they are (the renderer keeps their words).

Revision ID: 0039
Revises: 0038
Create Date: 2026-12-06 08:00:00.000000

"""
import re

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0039'
down_revision = '0038'
branch_labels = None
depends_on = None

# The notice kinds a custody entry queues, and the English words the entry's kinds were told in
# when the rows were queued (a copy: a migration does not import the app).
CUSTODY_NOTICES = ('in_custody', 'bail', 'bail_breached', 'at_large', 'escaped', 'released', 'recalled',
                   'deported', 'parole_hearing', 'custody_update')
EVENT_WORDS = {
    'arrested': 'arrested',
    'remanded in custody': 'remanded',
    'released on bail': 'bailed',
    'bail conditions varied': 'bail_varied',
    'bail breached': 'bail_breached',
    'warrant issued: at large': 'warrant_issued',
    're-arrested': 'rearrested',
    'charges dropped or discontinued': 'charges_dropped',
    'released after acquittal': 'acquitted',
    'sentenced to custody': 'sentenced',
    'transferred': 'transferred',
    'on temporary release': 'temporary_release',
    'parole or licence hearing scheduled': 'parole_hearing',
    'released on licence or at sentence end': 'released',
    'escaped: at large': 'escaped',
    'recalled to custody': 'recalled',
    'deported or removed': 'deported',
}
ITEM_KINDS = ('passport', 'identity_card', 'phone', 'money', 'documents', 'clothing', 'other')
_ITEM_KEY = re.compile(r'^property-collectable:i(\d+):')

notifications = sa.table('notifications', sa.column('id', sa.Integer), sa.column('kind', sa.String),
                         sa.column('dedup_key', sa.String), sa.column('context', sa.JSON))
custody_events = sa.table('custody_events', sa.column('id', sa.Integer), sa.column('kind', sa.String))
property_items = sa.table('property_items', sa.column('id', sa.Integer), sa.column('kind', sa.String))


def _event_kind(connection, context):
    event_id = context.get('custody_event_id')
    if isinstance(event_id, int):
        kind = connection.execute(sa.select(custody_events.c.kind).where(custody_events.c.id == event_id)).scalar()
        if kind:
            return kind
    return EVENT_WORDS.get(context.get('what') if isinstance(context.get('what'), str) else '')


def _item_kind(connection, dedup_key, context):
    found = _ITEM_KEY.match(dedup_key or '')
    if found:
        kind = connection.execute(
            sa.select(property_items.c.kind).where(property_items.c.id == int(found.group(1)))).scalar()
        if kind:
            return kind
    words = context.get('item') if isinstance(context.get('item'), str) else ''
    kind = words.replace(' ', '_')
    return kind if kind in ITEM_KINDS else None


def upgrade():
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(notifications.c.id, notifications.c.kind, notifications.c.dedup_key, notifications.c.context)
        .where(notifications.c.kind.in_([*CUSTODY_NOTICES, 'property_collectable']))
        .order_by(notifications.c.id)
    ).all()
    for notice_id, kind, dedup_key, context in rows:
        if not isinstance(context, dict):
            continue
        if kind == 'property_collectable':
            if context.get('item_kind') or 'item' not in context:
                continue
            code, field = _item_kind(connection, dedup_key, context), 'item_kind'
        else:
            if context.get('event_kind') or ('what' not in context and 'custody_event_id' not in context):
                continue
            code, field = _event_kind(connection, context), 'event_kind'
        if code:
            connection.execute(notifications.update().where(notifications.c.id == notice_id)
                               .values(context={**context, field: code}))


def downgrade():
    # The kinds are facts of the notices, read by the code of any revision; nothing to undo.
    pass
