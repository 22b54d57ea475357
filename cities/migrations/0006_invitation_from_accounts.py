"""Invitations move from accounts to cities, keeping their table and rows.

The model is created in the migration state only, on the table accounts made
(`accounts_invitation`, accounts.0001 and 0002), which accounts.0006 has just left: no row is
copied. The content type follows, so the admin's history of invitations and the permissions
of the model stay attached to it.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

import cities.models


def _content_type_move(*, source: str, target: str):
    def move(apps, schema_editor):
        ContentType = apps.get_model("contenttypes", "ContentType")
        content_types = ContentType.objects.using(schema_editor.connection.alias)
        # A database migrated from zero has no content types yet (post_migrate makes them).
        if content_types.filter(app_label=target, model="invitation").exists():
            return
        content_types.filter(app_label=source, model="invitation").update(app_label=target)

    return move


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0006_invitation_moved_to_cities"),
        ("cities", "0005_reference_countries"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Invitation",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("email", models.EmailField(max_length=254, verbose_name="email address")),
                        (
                            "token",
                            models.CharField(
                                default=cities.models.new_invitation_token,
                                editable=False,
                                max_length=64,
                                unique=True,
                            ),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(
                                default=django.utils.timezone.now, verbose_name="created at"
                            ),
                        ),
                        ("expires_at", models.DateTimeField(verbose_name="expires at")),
                        (
                            "accepted_at",
                            models.DateTimeField(blank=True, null=True, verbose_name="accepted at"),
                        ),
                        (
                            "accepted_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="invitations_accepted",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="accepted by",
                            ),
                        ),
                        (
                            "city",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="invitations",
                                to="cities.city",
                                verbose_name="city",
                            ),
                        ),
                        (
                            "invited_by",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="invitations_sent",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="invited by",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "invitation",
                        "verbose_name_plural": "invitations",
                        "db_table": "accounts_invitation",
                        "ordering": ["-created_at", "-pk"],
                        "indexes": [
                            models.Index(fields=["email"], name="accounts_in_email_571f5a_idx")
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(
            _content_type_move(source="accounts", target="cities"),
            _content_type_move(source="cities", target="accounts"),
        ),
    ]
