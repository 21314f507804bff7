"""app_user: look-alike names refused (name_key, name_skeleton) and a version for edits

Usernames are matched by their NFKC + case-folded key and kept apart by their Unicode
TS #39 skeleton (models/access/names.py): unique indexes on both refuse a new ``аdmin``
(Cyrillic а), ``ａｄｍｉｎ`` or ``Admin`` beside ``admin``. Accounts that already look alike
keep working: the oldest keeps the key and the skeleton, the others get none (NULL, which
the unique indexes allow; they answer to their exact names) and `tousu doctor` names them. ``version`` lets an account edit
made on an older view of the account be refused, as complaint edits are.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("app_user", sa.Column("name_key", sa.Text(), nullable=True))
    op.add_column("app_user", sa.Column("name_skeleton", sa.Text(), nullable=True))
    op.add_column(
        "app_user", sa.Column("version", sa.Integer(), nullable=False, server_default="0")
    )
    from models.access import names

    users = sa.table(
        "app_user",
        sa.column("id", sa.Integer),
        sa.column("username", sa.String),
        sa.column("name_key", sa.Text),
        sa.column("name_skeleton", sa.Text),
    )
    bind = op.get_bind()
    keys: set[str] = set()
    skeletons: set[str] = set()
    for id_, username in bind.execute(sa.select(users.c.id, users.c.username).order_by(users.c.id)):
        key, skeleton = names.key(username), names.skeleton(username)
        bind.execute(
            users.update()
            .where(users.c.id == id_)
            .values(
                name_key=None if key in keys else key,
                name_skeleton=None if skeleton in skeletons else skeleton,
            )
        )
        keys.add(key)
        skeletons.add(skeleton)
    op.create_index("ix_app_user_name_key", "app_user", ["name_key"], unique=True)
    op.create_index("ix_app_user_name_skeleton", "app_user", ["name_skeleton"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_app_user_name_skeleton", table_name="app_user")
    op.drop_index("ix_app_user_name_key", table_name="app_user")
    # Plain DROP COLUMN (SQLite 3.35+): a batch copy of app_user would drop the table, and
    # with it, by ON DELETE CASCADE, every login session.
    for column in ("version", "name_skeleton", "name_key"):
        op.execute(f"ALTER TABLE app_user DROP COLUMN {column}")
