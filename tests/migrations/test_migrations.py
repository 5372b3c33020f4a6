"""Migrations build the schema the models describe, on SQLite and (in CI) on PostgreSQL."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

import app.models  # noqa: F401
from app.core.db import Base, make_engine
from app.core.migrate import alembic_config, upgrade


def schema_diff(engine) -> list:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": False})
        return compare_metadata(context, Base.metadata)


def test_fresh_sqlite_upgrade_matches_models(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    upgrade(url)
    engine = make_engine(url)
    assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
    assert schema_diff(engine) == []
    upgrade(url)  # running it again is a no-op
    engine.dispose()


def test_test_database_is_at_head_and_matches_models(migrated_engine):
    """The suite's database (SQLite here; PostgreSQL when LLMCOURSE_TEST_DATABASE_URL is set)."""
    heads = set(ScriptDirectory.from_config(alembic_config()).get_heads())
    with migrated_engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    assert current == heads
    assert schema_diff(migrated_engine) == []
