"""Cached page fragments, keyed by what they show and invalidated by the changes to it.

A slow part of a page (a list, a table) is wrapped in `{% fragment "name" key1 key2 %}` ...
`{% endfragment %}` (`{% load portal_fragments %}`). The rendered markup is kept in the default
cache (Redis when configured) under a key made of the name, the language, the script prefix,
the page's full path and the keys given. The keys must name everything the fragment shows:

- a data version from `versions(...)` for every kind of data it reads; the code that changes
  that data calls `bump(...)` for the same scope, in the same transaction, so the next request
  renders afresh (usually from a post_save/post_delete receiver, so the Django admin and every
  service path are covered, see `bump_on_change`);
- whatever about the person changes what they see (their id for a personal page, or the facts
  the template tests, such as "may accept enrolments").

CSRF tokens inside a fragment are stored as a slot and filled in on every request, so a cached
form posts with the reader's own token. The view should hand the template callables or lazy
querysets, so that a cache hit skips the queries as well as the rendering.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import secrets

import django
from django.conf import settings
from django.db import connection
from django.db.models.signals import post_delete, post_save

from portal.models import DataVersion

# A unique string that cannot occur in rendered markup: it contains NUL, which the form guard
# refuses in any request, so no URL or text of a page holds it.
CSRF_SLOT = "\x00fragment-csrf\x00"
# Stale entries are never read again (their key names old versions); the timeout only returns
# their memory, and bounds the life of an entry whose data changed outside the portal's code.
TIMEOUT_SECONDS = 6 * 60 * 60


def versions(*scopes: str) -> str:
    """The current versions of `scopes`, as one string for a fragment key (one query)."""
    return joined(version_map(*scopes), *scopes)


def version_map(*scopes: str) -> dict[str, str]:
    """The current versions of `scopes` by scope (one query): a page that needs the versions of
    several things (its cached parts, the person's kept facts) reads them all at once and
    hands each its own, `joined` as `versions` gives them."""
    if not scopes:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(_sql("read", len(scopes)), scopes)
        found = dict(cursor.fetchall())
    return {scope: str(found.get(scope, 0)) for scope in scopes}


@functools.cache
def _sql(name: str, count: int) -> str:
    """The statements of the versions as SQL, built once for each number of scopes: every
    cached page reads versions and every change writes them, and Django's compiler took longer
    to build these two fixed statements than the database took to run them (0.12 ms against
    0.01 ms, 2 December 2026). Both run on SQLite and PostgreSQL."""
    table = connection.ops.quote_name(DataVersion._meta.db_table)
    scope = connection.ops.quote_name(DataVersion._meta.get_field("scope").column)
    version = connection.ops.quote_name(DataVersion._meta.get_field("version").column)
    if name == "read":
        marks = ", ".join(["%s"] * count)
        return f"SELECT {scope}, {version} FROM {table} WHERE {scope} IN ({marks})"
    rows = ", ".join(["(%s, %s)"] * count)
    return (
        f"INSERT INTO {table} ({scope}, {version}) VALUES {rows} "
        f"ON CONFLICT ({scope}) DO UPDATE SET {version} = EXCLUDED.{version}"
    )


def joined(version_map: dict[str, str], *scopes: str) -> str:
    """The string `versions(*scopes)` gives, from versions already read (`version_map`)."""
    return ".".join(version_map[scope] for scope in scopes)


# Counts the bumps made in this process, so that versions read earlier in a request are known
# to hold for what this request shows until it changes something itself (`bumps_made`).
# `next()` on a count is atomic under the GIL.
_bump_numbers = itertools.count(1)
_last_bump = 0


def bumps_made() -> int:
    """The number of the last bump made in this process: versions read when it was N still
    name what this process has written while it is N."""
    return _last_bump


def bump(*scopes: str) -> None:
    """Give `scopes` new versions inside the current transaction, so that readers see the new
    version exactly when they see the new data.

    A new version is a random 62-bit number, not the old one plus one: a bump rolled back with
    its transaction must never be given again, or a fragment rendered inside that transaction
    (showing data that was never committed) would be read under the next real change's
    version. All scopes are written in one statement (an insert that updates the rows already
    there: the first bump of a scope creates its row, even when another transaction creates it
    at the same moment), their rows in sorted order, so two transactions bumping the same
    scopes lock them in the same order."""
    sql, params = bump_statement(*scopes)
    if sql:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


def bump_statement(*scopes: str) -> tuple[str, list]:
    """The statement of `bump(*scopes)` with its parameters, for a caller that sends it with
    its own writes in one round trip (roadmaps.statements); the caller runs it in the same
    transaction, at once. ("", []) when there is no scope."""
    written = bump_rows(*scopes)
    if not written:
        return "", []
    params = list(itertools.chain(*written))
    return _sql("bump", len(written)), params


def bump_rows(*scopes: str) -> list[tuple[str, int]]:
    """The rows (scope, new version) a bump of `scopes` writes, in sorted order, for a caller
    that writes them in a statement of its own (roadmaps.field_save_pg); the caller runs it in
    the current transaction, at once."""
    scopes = sorted(set(scopes))
    if not scopes:
        return []
    global _last_bump
    # Counted when the rows are made: versions read before them may be stale from now on.
    _last_bump = next(_bump_numbers)
    return [(scope, secrets.randbits(62)) for scope in scopes]


def bump_on_change(model, scopes_of):
    """Bump `scopes_of(instance)` whenever an instance of `model` is saved or deleted.

    Called from an app's `ready()`. Bulk updates (`QuerySet.update`, `bulk_create`) send no
    signal: code that uses them calls `bump` itself. Returns a function that disconnects it.
    """

    def receiver(sender, instance, **kwargs):
        if kwargs.get("raw"):  # loaddata: the fixture's rows, not a change made by someone
            return
        scopes = tuple(scopes_of(instance))
        if scopes:
            bump(*scopes)

    uid = f"portal.fragments:{model._meta.label}:{scopes_of.__module__}.{scopes_of.__qualname__}"
    post_save.connect(receiver, sender=model, weak=False, dispatch_uid=uid)
    post_delete.connect(receiver, sender=model, weak=False, dispatch_uid=uid)

    def disconnect():
        post_save.disconnect(sender=model, dispatch_uid=uid)
        post_delete.disconnect(sender=model, dispatch_uid=uid)

    return disconnect


@functools.cache
def release() -> str:
    """A digest of what shapes the kept markup besides the data: the templates, the compiled
    translations, the date formats and Django's version. Part of every key, so that after an
    upgrade that changes one of them no page is served from markup the old code drew (it would
    otherwise be served until its data changed or the timeout). Read once per process: a few
    milliseconds at the first request. Not covered: a change of Python code alone that changes
    what a fragment shows (the release notes then say to clear the cache)."""
    # Django's own version: its widget templates and month names are drawn in fragments too.
    digest = hashlib.sha256(django.get_version().encode())
    base = settings.BASE_DIR
    shaping = (
        ("templates", "*.html"),
        ("templates", "*.txt"),
        ("locale", "*.mo"),
        ("portal/formats", "*.py"),  # the date formats (portal/formats/<lang>/formats.py)
    )
    for folder, pattern in shaping:
        for path in sorted((base / folder).rglob(pattern)):
            digest.update(str(path.relative_to(base)).encode())
            digest.update(b"\x00")
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def cache_key(name: str, parts) -> str:
    digest = hashlib.sha256("\x1f".join(str(part) for part in parts).encode()).hexdigest()
    return f"fragment:{release()}:{name}:{digest}"
