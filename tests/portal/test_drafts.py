"""portal.drafts: a draft save's transaction commits without waiting for the disk; every other
transaction, and a draft save inside a caller's transaction, keeps the connection's setting."""

import pytest
from django.db import connection, transaction

from portal.drafts import draft_transaction

pytestmark = pytest.mark.django_db(transaction=True)


def commit_waits_for_the_disk() -> bool:
    """Whether a commit made now waits for the disk, as the database says."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA synchronous")
            return cursor.fetchone()[0] == 2  # FULL; NORMAL is 1
        cursor.execute("SHOW synchronous_commit")
        return cursor.fetchone()[0] == "on"


def test_a_draft_transaction_does_not_wait_for_the_disk_and_the_next_one_does():
    assert commit_waits_for_the_disk()

    with draft_transaction():
        assert connection.in_atomic_block
        during = commit_waits_for_the_disk()

    assert during is False
    assert commit_waits_for_the_disk()
    with transaction.atomic():
        assert commit_waits_for_the_disk()


def test_the_setting_comes_back_when_the_draft_save_fails():
    with pytest.raises(RuntimeError), draft_transaction():
        raise RuntimeError("the save was refused")

    assert commit_waits_for_the_disk()


def test_inside_a_callers_transaction_the_commit_and_its_setting_are_the_callers():
    with transaction.atomic():
        with draft_transaction():
            during = commit_waits_for_the_disk()
        assert commit_waits_for_the_disk()

    assert during is True
