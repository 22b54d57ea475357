"""Invitations moved from accounts to cities keep their table, their rows and their content type.

accounts.0006 forgets the model and cities.0006 takes it over on the same table
(`accounts_invitation`), in the migration state only. The test database is itself migrated from
zero; the move over an older install runs `manage.py migrate` in a subprocess, as a deployment
does (the helpers of tests/seeds/test_reference_migrations.py).
"""

import json

from django.db import connection

from cities.models import Invitation
from tests.seeds.test_reference_migrations import python

MOVE = [
    "accounts.0006_invitation_moved_to_cities",
    "cities.0006_invitation_from_accounts",
    "cities.0007_climate_action_created_by_updated_by",
    "cities.0008_city_description",
]

# An install from before the move (accounts and cities, and portal's data versions: the others
# play no part), with an invitation written as accounts wrote it.
BEFORE_THE_MOVE = """
import django
django.setup()
from django.core.management import call_command
from django.db import connection
from cities.models import Country

call_command("migrate", "accounts", "0005_language_time_zone", verbosity=0)
call_command("migrate", "cities", "0005_reference_countries", verbosity=0)
# Today's code writes the user below (saving one raises the cities' data version); the city is
# written as cities 0005 knew it, without the columns added since (its description).
call_command("migrate", "portal", verbosity=0)
# The user as accounts 0005 knew it (today's model has columns added since): every column
# the table requires, by SQL.
with connection.cursor() as cursor:
    columns = [
        (row[1], row[2].lower())
        for row in cursor.execute("PRAGMA table_info(accounts_user)").fetchall()
        if row[3] and row[4] is None and not row[5]
    ]
    values = {
        name: "lea@example.org" if name == "email"
        else "2026-11-30 10:00:00" if "datetime" in kind
        else 0 if kind.startswith(("integer", "bool", "smallint"))
        else ""
        for name, kind in columns
    }
    cursor.execute(
        f"INSERT INTO accounts_user ({', '.join(values)}) "
        f"VALUES ({', '.join(['%s'] * len(values))})",
        list(values.values()),
    )
    user_id = cursor.lastrowid
with connection.cursor() as cursor:
    cursor.execute(
        "INSERT INTO cities_city (name, country_id, is_mission_city, is_mission_minded, "
        "is_pilot_city, is_twin_city, contract_status) VALUES ('Lisbon', %s, 0, 0, 0, 0, '')",
        [Country.objects.get(iso_code="PT").pk],
    )
    city_id = cursor.lastrowid
    cursor.execute(
        "INSERT INTO accounts_invitation (email, token, created_at, expires_at, city_id, "
        "invited_by_id) VALUES ('ana@lisboa.example', 'the-token', '2026-11-30 10:00:00', "
        "'2026-12-14 10:00:00', %s, %s)",
        [city_id, user_id],
    )
    cursor.execute(
        "SELECT id FROM django_content_type WHERE app_label = 'accounts' AND model = 'invitation'"
    )
    print(cursor.fetchone()[0])
"""

# Migrate cities (which takes accounts.0006 with it), read with today's code, migrate back.
MOVE_AND_BACK = """
import io, json
import django
django.setup()
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from cities.models import Invitation

moved, back = io.StringIO(), io.StringIO()
call_command("migrate", "cities", stdout=moved)
after_the_move = {
    "invitations": [
        # Values only: today's user model has columns the migrated-back table lacks.
        list(row)
        for row in Invitation.objects.values_list(
            "email", "city__name", "invited_by__email", "token"
        )
    ],
    "content_types": list(
        ContentType.objects.filter(model="invitation").values_list("pk", "app_label")
    ),
    "permissions": sorted(
        Permission.objects.filter(content_type__model="invitation").values_list(
            "content_type__app_label", "codename"
        )
    ),
}
call_command("migrate", "accounts", "0005_language_time_zone", stdout=back)
with connection.cursor() as cursor:
    cursor.execute("SELECT email, token FROM accounts_invitation")
    invitations = cursor.fetchall()
    cursor.execute("SELECT id, app_label FROM django_content_type WHERE model = 'invitation'")
    content_types = cursor.fetchall()
print(json.dumps({
    "moved": moved.getvalue(),
    "after_the_move": after_the_move,
    "back": back.getvalue(),
    "after_going_back": {"invitations": invitations, "content_types": content_types},
}))
"""


def migrations_of_the_move(output: str, verb: str) -> list[str]:
    return [
        line.strip().removeprefix(f"{verb} ").removesuffix("... OK")
        for line in output.splitlines()
        if line.strip().startswith(verb)
        and line.strip().removeprefix(f"{verb} ").startswith(("accounts.", "cities."))
    ]


def test_the_invitation_table_migrated_from_zero_is_the_models(db):
    with connection.cursor() as cursor:
        columns = connection.introspection.get_table_description(cursor, Invitation._meta.db_table)
        constraints = connection.introspection.get_constraints(cursor, Invitation._meta.db_table)

    assert Invitation._meta.db_table == "accounts_invitation"
    assert sorted(column.name for column in columns) == sorted(
        field.column for field in Invitation._meta.concrete_fields
    )
    assert constraints["accounts_in_email_571f5a_idx"]["columns"] == ["email"]


def test_invitations_keep_their_rows_when_they_move_to_cities_and_back(tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    content_type = int(python(url, "-c", BEFORE_THE_MOVE))

    found = json.loads(python(url, "-c", MOVE_AND_BACK))

    assert migrations_of_the_move(found["moved"], "Applying") == MOVE
    assert found["after_the_move"] == {
        "invitations": [["ana@lisboa.example", "Lisbon", "lea@example.org", "the-token"]],
        # The same content type, now of cities: the admin's history and the permissions follow.
        "content_types": [[content_type, "cities"]],
        "permissions": [
            ["cities", "add_invitation"],
            ["cities", "change_invitation"],
            ["cities", "delete_invitation"],
            ["cities", "view_invitation"],
        ],
    }
    assert migrations_of_the_move(found["back"], "Unapplying") == MOVE[::-1]
    assert found["after_going_back"] == {
        "invitations": [["ana@lisboa.example", "the-token"]],
        "content_types": [[content_type, "accounts"]],
    }
