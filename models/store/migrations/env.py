"""Alembic environment: runs on the connection that models.store.schema hands over."""

from alembic import context
from sqlmodel import SQLModel

import models.store.tables  # noqa: F401  (registers the tables on SQLModel.metadata)
from models.store.search_index import managed

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("Run migrations through `tousu init` (models.store.schema.upgrade).")

context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite cannot ALTER most things
    compare_type=True,
    include_object=managed,  # the search index is the migrations' own (0008)
)
with context.begin_transaction():
    context.run_migrations()
