"""Database behaviour the services rely on, on both SQLite and PostgreSQL."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from coachway.core import db
from coachway.core.models import AuditLog


def test_a_rolled_back_savepoint_keeps_the_outer_work(clean_db):
    session = db.new_session()
    try:
        session.add(AuditLog(entity_type="test", entity_id="outer", action="create"))
        session.flush()
        nested = session.begin_nested()
        session.add(AuditLog(entity_type="test", entity_id="inner", action="create"))
        session.flush()
        nested.rollback()
        session.rollback()  # the outer transaction is undone too: nothing may have been committed early
    finally:
        session.close()
    with db.transaction() as s:
        assert s.scalar(select(func.count()).select_from(AuditLog)) == 0


def test_a_released_savepoint_is_undone_with_its_outer_transaction(clean_db):
    session = db.new_session()
    try:
        session.scalar(select(func.count()).select_from(AuditLog))  # the transaction starts with a read
        with session.begin_nested():
            session.add(AuditLog(entity_type="test", entity_id="inner", action="create"))
        session.rollback()
    finally:
        session.close()
    with db.transaction() as s:
        assert s.scalar(select(func.count()).select_from(AuditLog)) == 0


def test_savepoint_commit_then_outer_commit_keeps_both(clean_db):
    with db.transaction() as session:
        session.add(AuditLog(entity_type="test", entity_id="outer", action="create"))
        with session.begin_nested():
            session.add(AuditLog(entity_type="test", entity_id="inner", action="create"))
    with db.transaction() as s:
        assert sorted(s.scalars(select(AuditLog.entity_id))) == ["inner", "outer"]


def test_timestamps_come_back_aware_utc(clean_db):
    local = datetime(2026, 3, 8, 9, 30, tzinfo=timezone(timedelta(hours=-5)))
    with db.transaction() as session:
        session.add(AuditLog(entity_type="test", entity_id="t", action="create", created_at=local))
    with db.transaction() as s:
        stored = s.scalar(select(AuditLog.created_at))
    assert stored.tzinfo is not None
    assert stored == local and stored.utcoffset() == timedelta(0)
    assert stored.astimezone(UTC).hour == 14


def test_naive_timestamps_are_refused(clean_db):
    with pytest.raises(Exception, match="naive datetime"):
        with db.transaction() as session:
            session.add(AuditLog(entity_type="test", entity_id="t", action="create",
                                 created_at=datetime(2026, 1, 1)))
