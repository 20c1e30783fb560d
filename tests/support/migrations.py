"""What alembic's autogenerate finds between a migrated database and the models, about given tables:
empty when a migration builds what its models describe."""
from __future__ import annotations

from collections.abc import Collection
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from models import Base
from models.db import make_engine


def tables_of(diff: Any) -> set[str]:
    """The tables an autogenerate difference names (modify_* differences come grouped per column)."""
    if isinstance(diff, list):
        return tables_of(diff[0])
    names = set()
    for part in diff[1:]:
        if isinstance(part, str):
            names.add(part)
        names.add(getattr(part, "name", None) if hasattr(part, "columns") else None)
        names.add(getattr(getattr(part, "table", None), "name", None))
    return {name for name in names if isinstance(name, str)}


def differences(url: str, tables: Collection[str]) -> list[Any]:
    """The differences between the database at `url` and the models that name one of `tables`."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            found = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}),
                                     Base.metadata)
    finally:
        engine.dispose()
    return [d for d in found if tables_of(d) & set(tables)]
