"""Alembic environment: the URL comes from the caller (models.db.upgrade), never from a file."""
from __future__ import annotations

from alembic import context

from models import Base
from models.db import make_engine

config = context.config
url = config.attributes.get("database_url")
if not url:
    raise SystemExit("run migrations through `clearance db upgrade` (DATABASE_URL names the database)")

engine = make_engine(url)
with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
engine.dispose()
