"""Corrections on the read model: the latest correction of a statement's speaker, target or stance is written
onto the statement row, which every filter, count, timeline and export reads (later corrections are written
there by the store as they are made). The corrections themselves and the model's judgements are unchanged.

Revision ID: 0005_corrections
Revises: 0004
"""

from alembic import op

revision = "0005_corrections"
down_revision = "0004"
branch_labels = None
depends_on = None

FIELDS = ("speaker", "target", "stance")


def upgrade() -> None:
    for name in FIELDS:  # names from the constant above, not from input
        latest = (f"SELECT c.value FROM corrections c WHERE c.statement_id = statements.id AND c.field = '{name}' "  # noqa: S608
                  f"ORDER BY c.id DESC LIMIT 1")
        corrected = f"SELECT c.statement_id FROM corrections c WHERE c.field = '{name}'"  # noqa: S608
        if name == "speaker":  # the column is required: a correction to no speaker is not applied
            corrected += " AND c.value IS NOT NULL AND c.value <> ''"
            latest = latest.replace("ORDER BY", "AND c.value IS NOT NULL AND c.value <> '' ORDER BY")
        op.execute(f"UPDATE statements SET {name} = ({latest}) WHERE id IN ({corrected})")  # noqa: S608


def downgrade() -> None:
    # The rows go back to the primary judgement's target and stance; a corrected speaker stays (the model's
    # name is the linked actor's, and the name as written is kept in speaker_text).
    for name in ("target", "stance"):
        op.execute(f"UPDATE statements SET {name} = (SELECT j.{name} FROM judgements j "  # noqa: S608
                   f"WHERE j.statement_id = statements.id AND j.rank = 0) "
                   f"WHERE id IN (SELECT statement_id FROM corrections WHERE field = '{name}')")
