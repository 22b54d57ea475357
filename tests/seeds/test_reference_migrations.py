"""`migrate` alone loads the reference data: a Docker install runs nothing else.

Each test migrates a database of its own from zero with `manage.py migrate` in a subprocess, as
the compose file's migrate step does, and compares the rows with the reference modules of today
(taxonomy/reference.py, roadmaps/reference.py). The migrations hold a frozen copy of that data,
so a change to a reference module without a new data migration fails here.
"""

import os
import shutil
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import quote

import psycopg2
import pytest
from django.conf import settings

from cities.models import Country
from roadmaps import reference as roadmap_reference
from roadmaps.models import NetZeroCitiesService
from taxonomy import reference
from taxonomy.models import EnablingFactor, EnablingTheme, ThematicSector
from tests.conftest import require

ROOT = Path(__file__).resolve().parents[2]

# The last migration of each app before the data migrations: an install from before them.
BEFORE_REFERENCE_DATA = [
    ("roadmaps", "0005_export_recovery"),
    ("cities", "0004_length_caps"),
    ("taxonomy", "0002_length_caps"),
]


def python(database_url: str, *args: str) -> str:
    """Run Python on `database_url` in a fresh process and return what it printed."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "config.settings_test",
    }
    result = subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def manage(database_url: str, *args: str) -> str:
    return python(database_url, "manage.py", *args)


def reference_rows(cursor) -> dict[str, list[tuple]]:
    """Every reference row with every field the data sets, in a fixed order."""

    def rows(model, columns: str, order: str) -> list[tuple]:
        cursor.execute(f"SELECT {columns} FROM {model._meta.db_table} ORDER BY {order}")
        return [tuple(row) for row in cursor.fetchall()]

    taxon = "position, slug, name, description"
    return {
        "sectors": [
            (*row[:4], bool(row[4]))
            for row in rows(ThematicSector, f"{taxon}, offered_only", "position")
        ],
        "factors": rows(EnablingFactor, taxon, "position"),
        "themes": rows(EnablingTheme, taxon, "position"),
        "countries": rows(Country, "iso_code, name", "iso_code"),
        "services": [
            (*row[:4], bool(row[4]))
            for row in rows(
                NetZeroCitiesService, "position, name, description, url, is_active", "position"
            )
        ],
    }


def expected_rows() -> dict[str, list[tuple]]:
    """The rows the reference modules describe, positions counted from 1 in their order."""

    def taxa(entries):
        return [
            (position, entry["slug"], entry["name"], entry["description"])
            for position, entry in enumerate(entries, start=1)
        ]

    return {
        "sectors": [
            (*row, entry["offered_only"])
            for row, entry in zip(
                taxa(reference.THEMATIC_SECTORS), reference.THEMATIC_SECTORS, strict=True
            )
        ],
        "factors": taxa(reference.ENABLING_FACTORS),
        "themes": taxa(reference.ENABLING_THEMES),
        "countries": sorted(reference.COUNTRIES),
        "services": [
            (position, entry["name"], entry["description"], "", True)
            for position, entry in enumerate(roadmap_reference.NETZEROCITIES_SERVICES, start=1)
        ],
    }


def assert_reference_data(rows: dict[str, list[tuple]]) -> None:
    assert {name: len(found) for name, found in rows.items()} == {
        "sectors": 6,
        "factors": 8,
        "themes": 5,
        "countries": 38,
        "services": 10,
    }
    assert ("TR", "Türkiye") in rows["countries"]
    assert rows["sectors"][0][:3] == (1, "energy", "Energy")
    assert rows["sectors"][5][2:] == (
        "Industry",
        reference.THEMATIC_SECTORS[5]["description"],
        True,
    )
    assert rows == expected_rows()


@pytest.fixture(scope="module")
def migrated_sqlite(tmp_path_factory) -> Path:
    """A SQLite database migrated from zero, made once for the module; tests copy it."""
    folder = tmp_path_factory.mktemp("migrated")
    manage(f"sqlite:///{folder / 'db.sqlite3'}", "migrate", "--noinput")
    return folder


def sqlite_copy(migrated: Path, tmp_path: Path) -> Path:
    # The whole folder: a write-ahead log, if one is left, belongs to the database.
    shutil.copytree(migrated, tmp_path / "db")
    return tmp_path / "db" / "db.sqlite3"


def sqlite_rows(path: Path) -> dict[str, list[tuple]]:
    with sqlite3.connect(path) as db:
        return reference_rows(db.cursor())


def test_migrate_loads_the_reference_data_into_an_empty_sqlite_database(migrated_sqlite, tmp_path):
    assert_reference_data(sqlite_rows(sqlite_copy(migrated_sqlite, tmp_path)))


def test_reference_migrations_reverse_keeping_rows_and_reapply_over_an_older_install(
    migrated_sqlite, tmp_path
):
    path = sqlite_copy(migrated_sqlite, tmp_path)
    url = f"sqlite:///{path}"
    # The three apps in one process: a process start costs more than these migrations.
    python(
        url,
        "-c",
        "import django; django.setup(); from django.core.management import call_command; "
        + "; ".join(
            f"call_command('migrate', {app!r}, {migration!r}, interactive=False)"
            for app, migration in BEFORE_REFERENCE_DATA
        ),
    )
    # Reversing kept the rows: the database is now an install that ran seed_reference before
    # the data migrations existed. Its admin retired a service and linked it; someone renamed
    # a country.
    with sqlite3.connect(path) as db:
        db.execute(
            f"UPDATE {NetZeroCitiesService._meta.db_table} SET is_active = 0, "
            "url = 'https://netzerocities.eu/city-advisors' WHERE name = 'City Advisors'"
        )
        db.execute(f"UPDATE {Country._meta.db_table} SET name = 'Turkey' WHERE iso_code = 'TR'")
    assert len(sqlite_rows(path)["countries"]) == 38

    output = manage(url, "migrate", "--noinput")

    applied = sorted(line.strip() for line in output.splitlines() if "Applying" in line)
    # cities' later migrations (invitations moved in, climate action authors, the city's
    # description) were reversed with 0005 and come back with it; so were roadmaps' after 0006.
    assert applied == [
        "Applying cities.0005_reference_countries... OK",
        "Applying cities.0006_invitation_from_accounts... OK",
        "Applying cities.0007_climate_action_created_by_updated_by... OK",
        "Applying cities.0008_city_description... OK",
        # The surveys' tables refer to cities': reversed with cities 0005.
        "Applying feedback.0001_surveys... OK",
        "Applying feedback.0002_live... OK",
        # Refers to taxonomy's enabling themes and feedback's tables: reversed with both.
        "Applying feedback.0003_needs... OK",
        # Options' identities in their template (comparisons): after 0003, reversed with it.
        "Applying feedback.0004_template_refs... OK",
        "Applying feedback.0005_scale_indexes... OK",
        "Applying roadmaps.0006_reference_services... OK",
        # Reversed with 0006 (issue 10's general reasoning and status labels).
        "Applying roadmaps.0007_general_reasoning... OK",
        "Applying roadmaps.0008_status_labels... OK",
        "Applying taxonomy.0003_reference_data... OK",
        # The visits' tables refer to cities' and taxonomy's: reversed with them.
        "Applying visits.0001_calls... OK",
        "Applying visits.0002_application_call_status... OK",
        "Applying visits.0003_scoring_write_indexes... OK",
    ]
    rows = sqlite_rows(path)
    # No row twice; the country is put back by its ISO code; the service keeps the admin's
    # link and "offered" flag.
    assert rows["countries"] == expected_rows()["countries"]
    assert rows["services"][4] == (
        5,
        "City Advisors",
        roadmap_reference.NETZEROCITIES_SERVICES[4]["description"],
        "https://netzerocities.eu/city-advisors",
        False,
    )
    assert rows["services"][:4] + rows["services"][5:] == (
        expected_rows()["services"][:4] + expected_rows()["services"][5:]
    )
    assert {
        name: found for name, found in rows.items() if name not in {"countries", "services"}
    } == {
        name: found
        for name, found in expected_rows().items()
        if name not in {"countries", "services"}
    }


@pytest.mark.postgres
def test_migrate_loads_the_reference_data_into_an_empty_postgresql_database():
    server = settings.DATABASES["default"]
    require(
        server["ENGINE"] == "django.db.backends.postgresql",
        f"the database is {server['ENGINE'].rsplit('.', 1)[-1]}, not PostgreSQL",
    )
    name = f"portal_refdata_fresh_{uuid.uuid4().hex[:12]}"
    credentials = {
        "host": server["HOST"] or "localhost",
        "port": server["PORT"] or 5432,
        "user": server["USER"],
        "password": server["PASSWORD"],
    }
    admin = psycopg2.connect(dbname="postgres", **credentials)
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        try:
            login = quote(credentials["user"], safe="")
            if credentials["password"]:
                login += ":" + quote(credentials["password"], safe="")
            manage(
                f"postgres://{login}@{credentials['host']}:{credentials['port']}/{name}",
                "migrate",
                "--noinput",
            )
            fresh = psycopg2.connect(dbname=name, **credentials)
            try:
                with fresh.cursor() as cursor:
                    rows = reference_rows(cursor)
            finally:
                fresh.close()
        finally:
            with admin.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        admin.close()

    assert_reference_data(rows)


def test_tests_start_without_reference_data(db):
    # tests/conftest.py empties what the data migrations loaded, so that a test sees the same
    # tables whether or not a transactional test flushed them before it.
    assert [
        model.objects.count()
        for model in (ThematicSector, EnablingFactor, EnablingTheme, Country, NetZeroCitiesService)
    ] == [0, 0, 0, 0, 0]


def test_reference_data_fixture_loads_what_the_migrations_load(reference_data):
    from django.db import connection

    with connection.cursor() as cursor:
        assert reference_rows(cursor) == expected_rows()
