"""portal.drafts: a draft save's transaction commits without waiting for the disk; every other
transaction, and a draft save inside a caller's transaction, keeps the connection's setting."""

import pytest
from django.db import connection, transaction

from portal.drafts import draft_transaction

pytestmark = pytest.mark.django_db(transaction=True)


def commit_setting():
    """What the database says about waiting for the disk at commit."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA synchronous")
        else:
            cursor.execute("SHOW synchronous_commit")
        return cursor.fetchone()[0]


# What a draft's commit is set to: SQLite's NORMAL, PostgreSQL's off.
DRAFT = {"sqlite": 1, "postgresql": "off"}


def run(statements):
    with connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)


def test_a_draft_transaction_does_not_wait_for_the_disk_and_the_next_one_does():
    before = commit_setting()
    assert before != DRAFT[connection.vendor]

    with draft_transaction() as draft:
        assert connection.in_atomic_block
        run(draft.statements)
        during = commit_setting()

    assert during == DRAFT[connection.vendor]
    assert commit_setting() == before
    with transaction.atomic():
        assert commit_setting() == before


def test_the_setting_comes_back_when_the_draft_save_fails():
    before = commit_setting()

    with pytest.raises(RuntimeError), draft_transaction() as draft:
        run(draft.statements)
        raise RuntimeError("the save was refused")

    assert commit_setting() == before


def test_inside_a_callers_transaction_the_commit_and_its_setting_are_the_callers():
    before = commit_setting()
    with transaction.atomic():
        with draft_transaction() as draft:
            assert draft.statements == []
            during = commit_setting()
        assert commit_setting() == before

    assert during == before
