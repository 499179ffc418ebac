"""Test database set-up: a fresh database built by the migrations, emptied after each test.

Runs on SQLite by default and on PostgreSQL when COACHWAY_TEST_DATABASE_URL points at a server
(a throw-away database is created on it for the run and dropped afterwards).
"""

import os
import tempfile
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text

from coachway.config import get_settings
from coachway.core import clock, db
from coachway.integrations.payments_gateway import set_card_gateway

ROOT = Path(__file__).resolve().parents[1]
KEEP_TABLES = {"alembic_version"}


def _create_pg_database(server_url: str) -> str:
    url = make_url(server_url)
    name = f"cw_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def _drop_pg_database(url_str: str) -> None:
    url = make_url(url_str)
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def database_url():
    """A fresh, migrated database for this test run."""
    server = os.environ.get("COACHWAY_TEST_DATABASE_URL")
    tmpdir = None
    if server:
        url = _create_pg_database(server)
    else:
        tmpdir = tempfile.TemporaryDirectory()
        url = f"sqlite:///{tmpdir.name}/test.db"
    os.environ["COACHWAY_DATABASE_URL"] = url
    os.environ.setdefault("COACHWAY_STORAGE_DIR", tempfile.mkdtemp(prefix="cw-storage-"))
    # Fast, deterministic settings for tests; the real defaults are exercised by their own tests.
    os.environ["COACHWAY_OUTBOX_BACKOFF_SECONDS"] = "30"
    # Cheap argon2id parameters: hashing is exercised, not its cost (the real cost is the default).
    os.environ["COACHWAY_PASSWORD_HASH_TIME_COST"] = "1"
    os.environ["COACHWAY_PASSWORD_HASH_MEMORY_KIB"] = "1024"
    get_settings.cache_clear()
    db.reset_engine()
    from coachway.core.migrate import upgrade

    upgrade(url)
    yield url
    db.reset_engine()
    if server:
        _drop_pg_database(url)
    if tmpdir:
        tmpdir.cleanup()


def _empty_all_tables() -> None:
    from coachway.core.all_models import metadata

    engine = db.get_engine()
    tables = [t for t in metadata.sorted_tables if t.name not in KEEP_TABLES]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            conn.execute(text("PRAGMA foreign_keys=OFF"))
            for t in reversed(tables):
                conn.execute(t.delete())
            conn.execute(text("DELETE FROM sqlite_sequence")) if _has_sqlite_sequence(conn) else None
            conn.execute(text("PRAGMA foreign_keys=ON"))
    from coachway.auth.service import sync_permissions

    with db.transaction() as session:
        sync_permissions(session)


def _has_sqlite_sequence(conn) -> bool:
    return conn.execute(text("SELECT 1 FROM sqlite_master WHERE name='sqlite_sequence'")).first() is not None


@pytest.fixture(autouse=True)
def clean_db(database_url):
    """Each test starts from the seeded, otherwise empty database."""
    clock.set_clock(None)
    _empty_all_tables()
    yield
    clock.set_clock(None)
    get_settings.cache_clear()
    set_card_gateway(None)  # a test's fake Stripe never leaks into the next


@pytest.fixture
def session(clean_db):
    """A session for arranging and checking data directly.

    Commit to make its changes visible to the app; roll back (or commit) before reading what the app changed
    since this session's last read: on SQLite a transaction reads one snapshot.
    """
    s = db.new_session()
    yield s
    s.rollback()
    s.close()


@pytest.fixture
def app(clean_db):
    from coachway.app import create_app

    return create_app()


@pytest.fixture
def client(app):
    from fastapi.testclient import TestClient

    with TestClient(app) as c:
        yield c


@pytest.fixture
def is_postgres(database_url) -> bool:
    return database_url.startswith("postgresql")
