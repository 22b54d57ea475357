"""A field save as one PostgreSQL statement: the autosave's fast path.

Why: on PostgreSQL every statement is a round trip to the server (0.09 ms on this machine at
its quietest, several times that when it is busy), and the full field save
(roadmaps.services.roadmap_field_save) sends BEGIN, the roadmap's row lock, the field's row, its
writes and COMMIT: with the session, the person and the version of their kept facts, eight
round trips against the two of a signed-in page with no data (issue 9's floor), which kept the
autosave at 1.6x-2.1x that page where the issue asks 1.5x. Here the lock, the checks and the
writes are one statement, sent in autocommit: four round trips in all, and three when the
version of the person's facts is checked by the statement itself (below).

Decision: the Python service stays the authority. This statement writes only a save that the
service would write, and when any of its conditions fails it writes nothing and returns None;
the service then runs its full path, which checks everything again under its own lock and
answers exactly as it always did (the missing roadmap, the read-only one, the refused person,
the closed section, the conflict, the unchanged text). So no refusal is decided here, and
SQLite keeps the full path alone.

What it repeats from the service, in its WHERE clauses, on the rows locked (FOR UPDATE, the
roadmap's row before the field's, in the service's order):
- the roadmap's row still has the city and cohort the caller was given (else the service
  answers "no such roadmap");
- its status is open, and one in which the person may change it: the service asks its own rule
  (roadmaps.change_roadmap) for each open status and hands the statuses allowed
  (`services._field_save_at_once`);
- the field's section is open: no phase of the cohort that the section opens with starts after
  today (roadmaps.selectors.section_opens_on; None for a section open from the start);
- the field's row exists at the version the person's text was based on (else a conflict) and
  holds another text (the same text writes nothing);
- for a required field, its text is filled (not only whitespace, as Python's `str.strip` sees
  it) before as after: the share complete stays as it is (the service counts it again when it
  moves);
- when the caller hands `visibility`: the version of the person's facts
  (sessions.caching.VISIBILITY) is still the one the statuses were asked under. The autosave
  asks the rule with the facts kept under the version this process read last, without reading
  it (roadmaps.services.roadmap_field_save_presumed); any change of who is an officer or a
  facilitator of what raises that version in its own transaction, so from its commit on the
  statement writes nothing and the service's full path reads the facts again.
Checked in Python by the service before it sends the statement: the field is in the template,
is not the desirability (which changes what is required) nor a climate action or services
(checked with queries of their own), and the text is valid for its kind (`services._clean`,
whose cleaned text is what is written).

It writes what the service writes for such a save: the field's row (the text, version + 1, who
and when), a row of the history (old and new text), the roadmap's last change and the data
versions of roadmaps.scopes.value_scopes, at the time the service hands it (`now`, Python's
clock, as the service's); and it returns the roadmap's row and the field's row as written.

Concurrency (READ COMMITTED): when a save, submit or return of the same roadmap commits while
this statement waits for the row lock, PostgreSQL checks the conditions again on the newest
versions of the locked rows before it writes, so a field saved meanwhile is a conflict and a
roadmap submitted meanwhile is refused, as under the service's lock. The cohort's phases are
read without a lock, as the service reads them.

The commit: in autocommit the statement is its own transaction, sent after `SET LOCAL
synchronous_commit TO OFF` in the same query string (portal.drafts' Decision: a draft's commit
does not wait for the disk); inside a transaction opened by the caller the commit and its
setting are the caller's, as in portal.drafts.

Prepared once per connection: PostgreSQL planned the statement at every save (0.18 ms, README
"Where issue 9 stands"). It is sent as `EXECUTE roadmaps_field_save_<n>(...)`, prepared
(`PREPARE`) in the query string of its first run on each connection; after five runs PostgreSQL
keeps one generic plan when it costs no more than the plans made for the values. Which
connection holds it is kept on Django's connection with the driver's connection object, so a
connection opened again (its age, a broken one) prepares it again; a prepared statement
outlives a rolled-back transaction, and when a query string that prepares it fails, the next
run asks `pg_prepared_statements` once. Decision: this needs a session of its own on the
server; behind a pooler in transaction mode (PgBouncer's default), which hands each transaction
any server connection, it would fail. This deployment connects to PostgreSQL directly
(config/settings.py, docker-compose.yml).
"""

import datetime
from functools import cache

from django.db import connection, connections

from cohorts.models import Phase
from portal.fragments import bump_rows
from portal.models import DataVersion
from roadmaps.models import Roadmap, RoadmapChange, RoadmapValue
from roadmaps.scopes import value_scopes
from sessions.caching import VISIBILITY

# The characters Python's str.strip() removes (str.isspace; a test checks every code point): a
# text made only of them is not filled (roadmaps.services._is_filled). PostgreSQL's btrim is
# given the same set.
WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680"
    "\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000"
)


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _table(model) -> str:
    return _quote(model._meta.db_table)


def _column(model, name: str) -> str:
    return _quote(model._meta.get_field(name).column)


def _returning(model) -> str:
    """Every column of `model`'s table, qualified, in the order of its concrete fields."""
    table = _table(model)
    return ", ".join(f"{table}.{_quote(field.column)}" for field in model._meta.concrete_fields)


# The statement's parameters, in the order of the prepared statement's $1, $2, ..., with their
# types; then a scope and its new version for each data version raised. bigint for every number
# the caller hands (a base version sent by a browser can be any integer a bigint holds: compared
# with the integer column, as a literal was).
PARAMETERS = (
    ("roadmap", "bigint"),
    ("city", "bigint"),
    ("cohort", "bigint"),
    ("statuses", "text[]"),
    ("phase", "text"),
    ("today", "date"),
    ("key", "text"),
    ("base_version", "bigint"),
    ("value", "text"),
    ("filled", "boolean"),
    ("whitespace", "text"),
    ("version", "bigint"),
    ("user", "bigint"),
    ("now", "timestamptz"),
    ("visibility_scope", "text"),
    ("visibility", "bigint"),
)
# The base versions the statement is sent for: its version + 1 is a bigint too.
BASE_VERSIONS = range(-(2**63), 2**63 - 1)


def _parameters(scope_count: int) -> tuple[tuple[str, str], ...]:
    return PARAMETERS + tuple(
        parameter
        for n in range(scope_count)
        for parameter in ((f"scope{n}", "text"), (f"version{n}", "bigint"))
    )


def statement_name(scope_count: int) -> str:
    """The name the statement is prepared under on each connection (for the number of data
    versions it raises): `EXECUTE <name>(...)` is what the autosave sends."""
    return f"roadmaps_field_save_{scope_count}"


@cache
def _sql(scope_count: int) -> str:
    """The statement, built once per process (for the number of data versions it raises), with
    its parameters as $1, $2, ... in the order of `_parameters`."""
    roadmap, value, change = _table(Roadmap), _table(RoadmapValue), _table(RoadmapChange)
    phase, versions = _table(Phase), _table(DataVersion)

    def r(name):
        return _column(Roadmap, name)

    def v(name):
        return _column(RoadmapValue, name)

    def p(name):
        return _column(Phase, name)

    history_columns = ", ".join(
        _column(RoadmapChange, name)
        for name in (
            "roadmap",
            "key",
            "old_value",
            "new_value",
            "version",
            "changed_by",
            "changed_at",
        )
    )
    bumps = ", ".join(f"(%(scope{n})s, %(version{n})s)" for n in range(scope_count))
    scope, version = _column(DataVersion, "scope"), _column(DataVersion, "version")
    sql = f"""
WITH target AS MATERIALIZED (
    SELECT r.{r("id")} AS roadmap_id, v.{v("id")} AS value_id, v.{v("value")} AS old_value
    FROM {roadmap} AS r JOIN {value} AS v ON v.{v("roadmap")} = r.{r("id")}
    WHERE r.{r("id")} = %(roadmap)s
        AND r.{r("city")} = %(city)s
        AND r.{r("cohort")} = %(cohort)s
        AND r.{r("status")} = ANY(%(statuses)s)
        AND NOT EXISTS (
            SELECT 1 FROM {phase} AS p
            WHERE p.{p("cohort")} = r.{r("cohort")}
                AND p.{p("kind")} = %(phase)s
                AND p.{p("starts_on")} > %(today)s
        )
        AND v.{v("key")} = %(key)s
        AND v.{v("version")} = %(base_version)s
        AND v.{v("value")} <> %(value)s
        AND (
            %(filled)s IS NULL
            OR (btrim(v.{v("value")}, %(whitespace)s) <> '') = %(filled)s
        )
        AND (
            %(visibility)s IS NULL
            OR COALESCE(
                (SELECT d.{version} FROM {versions} AS d WHERE d.{scope} = %(visibility_scope)s),
                0
            ) = %(visibility)s
        )
    FOR UPDATE OF r, v
),
saved AS (
    UPDATE {value}
    SET {v("value")} = %(value)s, {v("version")} = %(version)s,
        {v("updated_by")} = %(user)s, {v("updated_at")} = %(now)s
    FROM target WHERE {value}.{v("id")} = target.value_id
    RETURNING {_returning(RoadmapValue)}
),
history AS (
    INSERT INTO {change} ({history_columns})
    SELECT target.roadmap_id, %(key)s, target.old_value, %(value)s, %(version)s, %(user)s,
        %(now)s
    FROM target
),
bumped AS (
    INSERT INTO {versions} ({scope}, {version})
    SELECT bump.scope, bump.version FROM target, (VALUES {bumps}) AS bump (scope, version)
    ON CONFLICT ({scope}) DO UPDATE SET {version} = EXCLUDED.{version}
),
touched AS (
    UPDATE {roadmap} SET {r("updated_at")} = %(now)s
    FROM target WHERE {roadmap}.{r("id")} = target.roadmap_id
    RETURNING {_returning(Roadmap)}
)
SELECT touched.*, saved.* FROM touched, saved"""
    parameters = _parameters(scope_count)
    return sql % {name: f"${n}" for n, (name, _type) in enumerate(parameters, start=1)}


def _prepare_sql(scope_count: int) -> str:
    types = ", ".join(type_ for _name, type_ in _parameters(scope_count))
    return f"PREPARE {statement_name(scope_count)} ({types}) AS {_sql(scope_count)};\n"


def _prepared(cursor, scope_count: int) -> dict:
    """What this process knows of the statements prepared on the current connection: by number
    of scopes, True (prepared) or None (unknown: a query string that would prepare it failed,
    after or before the PREPARE took). Kept on Django's connection with the driver's connection
    it holds, so a new connection (closed for its age, or broken) starts with none."""
    wrapper = connections[connection.alias]
    raw = wrapper.connection
    kept = getattr(wrapper, "_roadmaps_prepared", None)
    if kept is None or kept[0] is not raw:
        kept = (raw, {})
        wrapper._roadmaps_prepared = kept
    known = kept[1]
    if scope_count in known and known[scope_count] is None:
        cursor.execute(
            "SELECT 1 FROM pg_prepared_statements WHERE name = %s", [statement_name(scope_count)]
        )
        if cursor.fetchone() is None:
            del known[scope_count]
        else:
            known[scope_count] = True
    return known


def field_save(
    *,
    roadmap: Roadmap,
    key: str,
    value: str,
    base_version: int,
    acting_user,
    statuses: list[str],
    phase: str | None,
    filled: bool | None,
    now: datetime.datetime,
    today: datetime.date,
    visibility: int | None = None,
) -> tuple[Roadmap, RoadmapValue] | None:
    """Save `value` (cleaned) in the field `key` of `roadmap` (its id, city and cohort) if the
    conditions of the module's docstring hold, and return the roadmap's row and the field's row
    as written; None when they do not hold, and nothing was written.

    `statuses`: the statuses in which `acting_user` may change it; `phase`: the kind of phase
    the field's section opens with (None: open from the start); `filled`: for a required field,
    whether `value` is filled (None: any other field); `visibility`: the version of the
    person's facts (sessions.caching.VISIBILITY) that `statuses` were asked under, when the
    caller did not read it (None: read before, or not asked)."""
    if base_version not in BASE_VERSIONS:
        # No field's version is outside an integer's range, and the parameters are bigints.
        return None
    bumps = bump_rows(*value_scopes(roadmap.pk, roadmap.cohort_id))
    params = {
        "roadmap": roadmap.pk,
        "city": roadmap.city_id,
        "cohort": roadmap.cohort_id,
        "statuses": list(statuses),
        "phase": phase,
        "today": today,
        "key": key,
        "base_version": base_version,
        "value": value,
        "filled": filled,
        "whitespace": WHITESPACE,
        "version": base_version + 1,
        "user": acting_user.pk,
        "now": now,
        "visibility_scope": VISIBILITY,
        "visibility": visibility,
    }
    for n, (scope, version) in enumerate(bumps):
        params[f"scope{n}"], params[f"version{n}"] = scope, version
    count = len(bumps)
    values = [params[name] for name, _type in _parameters(count)]
    sql = f"EXECUTE {statement_name(count)}({', '.join(['%s'] * len(values))})"
    if not connection.in_atomic_block:
        sql = f"SET LOCAL synchronous_commit TO OFF;\n{sql}"
    with connection.cursor() as cursor:
        prepared = _prepared(cursor, count)
        if count not in prepared:
            # Prepared once per connection, in the same query string as its first run.
            sql = _prepare_sql(count) + sql
            prepared[count] = None
        try:
            cursor.execute(sql, values)
        except Exception:
            # The next save on this connection asks PostgreSQL whether the PREPARE took.
            prepared[count] = None
            raise
        prepared[count] = True
        row = cursor.fetchone()
    if row is None:
        return None
    roadmap_fields = Roadmap._meta.concrete_fields
    written = Roadmap.from_db(
        connection.alias,
        [field.attname for field in roadmap_fields],
        row[: len(roadmap_fields)],
    )
    saved = RoadmapValue.from_db(
        connection.alias,
        [field.attname for field in RoadmapValue._meta.concrete_fields],
        row[len(roadmap_fields) :],
    )
    return written, saved
