"""Invitations now belong to cities (cities.0006): accounts forgets its model, keeps the table.

State only: the table `accounts_invitation` and its rows stay where they are, and
cities.Invitation uses it under the same name (`db_table`). Nothing is copied or dropped, in
either direction.
"""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0005_language_time_zone"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Invitation")],
            database_operations=[],
        ),
    ]
