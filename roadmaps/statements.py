"""The statements of a field save (roadmaps.services._field_write), written as SQL.

Why not the ORM: an autosave runs at every pause in typing, and its statements have the same
shape every time. Django's compiler rebuilt that SQL for each one: on 2 December 2026 a one-row
read took 0.25 ms through the ORM and 0.013 ms as the same SQL, and the save's six ORM
statements cost more than a whole signed-in page (issue 9 holds an autosave to 1.5x that page).
Here each statement is plain SQL that SQLite and PostgreSQL both run, with the table and column
names taken from the models (a renamed field fails at the first save, in the tests), and rows
read back through `Manager.raw`, which converts the values as the ORM does.

They send no signals: the service raises the data versions itself (roadmaps.scopes
`value_scopes`), as the receivers would for a saved value. Each runs in the caller's transaction.
On PostgreSQL an ordinary save is first tried as one statement that locks, checks and writes
(roadmaps.field_save_pg); these are the full path it falls back to.
"""

import datetime
from functools import cache

from django.db import connection

from roadmaps.models import Roadmap, RoadmapChange, RoadmapValue


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _columns(model, *names: str) -> list[str]:
    return [connection.ops.quote_name(model._meta.get_field(name).column) for name in names]


def _when(moment: datetime.datetime):
    # What the ORM sends for a DateTimeField (SQLite: text in UTC; PostgreSQL: the value).
    return connection.ops.adapt_datetimefield_value(moment)


@cache
def _sql(vendor: str, name: str) -> str:
    """The statement `name` for the database `vendor`, built once per process."""
    for_update = " FOR UPDATE" if connection.features.has_select_for_update else ""
    roadmap, value, change = _table(Roadmap), _table(RoadmapValue), _table(RoadmapChange)
    roadmap_id, key = _columns(RoadmapValue, "roadmap", "key")
    if name == "lock":
        (pk,) = _columns(Roadmap, "id")
        return f"SELECT * FROM {roadmap} WHERE {pk} = %s{for_update}"
    if name == "value":
        # Locked too, as the ORM's select_for_update did: the services' writes wait for the
        # roadmap's lock, but a deletion or a model save from elsewhere takes the field's row.
        return f"SELECT * FROM {value} WHERE {roadmap_id} = %s AND {key} = %s{for_update}"
    if name == "update_value":
        pk, text, version, updated_by, updated_at = _columns(
            RoadmapValue, "id", "value", "version", "updated_by", "updated_at"
        )
        return (
            f"UPDATE {value} SET {text} = %s, {version} = %s, {updated_by} = %s, "
            f"{updated_at} = %s WHERE {pk} = %s"
        )
    if name == "insert_change":
        columns = _columns(
            RoadmapChange,
            "roadmap",
            "key",
            "old_value",
            "new_value",
            "version",
            "changed_by",
            "changed_at",
        )
        return (
            f"INSERT INTO {change} ({', '.join(columns)}) "
            f"VALUES ({', '.join(['%s'] * len(columns))})"
        )
    if name == "update_roadmap":
        pk, updated_at, percent = _columns(Roadmap, "id", "updated_at", "percent_complete")
        return f"UPDATE {roadmap} SET {updated_at} = %s, {percent} = %s WHERE {pk} = %s"
    raise KeyError(name)


def run_in_order(statements: list[tuple[str, list]]) -> None:
    """Run write statements (SQL and parameters) in order, in the caller's transaction.

    PostgreSQL gets them as one query string, one round trip for all (psycopg2 fills in the
    parameters on the client; a round trip cost about 0.09 ms on 2 December 2026, a fifth of
    a field save's statements). SQLite takes one statement per call and runs in this process:
    there is no round trip to save."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            sql = "; ".join(statement for statement, _params in statements)
            cursor.execute(sql, [param for _sql_, params in statements for param in params])
            return
        for statement, params in statements:
            cursor.execute(statement, params)


def lock_roadmap(pk: int) -> Roadmap | None:
    """The roadmap's row, locked until the transaction ends (PostgreSQL; SQLite's write
    transaction holds the whole database already); None when it is gone."""
    return next(iter(Roadmap.objects.raw(_sql(connection.vendor, "lock"), [pk])), None)


def saved_value(*, roadmap_id: int, key: str) -> RoadmapValue | None:
    """The field's saved row, locked until the transaction ends, or None when it was never
    saved."""
    rows = RoadmapValue.objects.raw(_sql(connection.vendor, "value"), [roadmap_id, key])
    return next(iter(rows), None)


def update_value(value: RoadmapValue) -> tuple[str, list]:
    """The statement writing the text, version and who and when of a saved field's row."""
    return _sql(connection.vendor, "update_value"), [
        value.value,
        value.version,
        value.updated_by_id,
        _when(value.updated_at),
        value.pk,
    ]


def insert_change(change: RoadmapChange) -> tuple[str, list]:
    """The statement adding a row to the roadmap's history."""
    return _sql(connection.vendor, "insert_change"), [
        change.roadmap_id,
        change.key,
        change.old_value,
        change.new_value,
        change.version,
        change.changed_by_id,
        _when(change.changed_at),
    ]


def update_roadmap(roadmap: Roadmap) -> tuple[str, list]:
    """The statement writing the roadmap's last change and share complete."""
    return _sql(connection.vendor, "update_roadmap"), [
        _when(roadmap.updated_at),
        roadmap.percent_complete,
        roadmap.pk,
    ]
