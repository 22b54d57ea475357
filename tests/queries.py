"""What a signed-in request costs in queries before its page does anything.

With database sessions (SQLite, or PostgreSQL without Redis) reading the session is one query;
with cached sessions (REDIS_URL set: config/settings.py) the session comes from Redis once it
has been written, and it is none. Query-count tests add `SESSION_QUERIES` so that they hold the
same exact count under both.
"""

from django.conf import settings


def session_queries() -> int:
    return 0 if settings.SESSION_ENGINE == "django.contrib.sessions.backends.cached_db" else 1


def session_tables() -> list[str]:
    """The tables a signed-in request reads for its session: `["django_session"]` or none."""
    return ['"django_session"'] * session_queries()


def keep_facts_of(*users) -> None:
    """Read and keep each person's facts of what they see (sessions.selectors.session_access_of)
    as their first page does, so that a count taken next is that of any later page: the version
    of those facts (one query), not their reading afresh (four more)."""
    from sessions.selectors import session_access_of

    for user in users:
        # A fresh object, as a request has: the one given may hold facts from before a
        # cache.clear().
        session_access_of(type(user).objects.get(pk=user.pk))
