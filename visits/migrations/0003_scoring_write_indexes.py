"""Cheaper whole-call writes of scoring and the allocation (issue 12; visits/models.py says why
each index goes): no index of its own for an application's call (every read by call uses an
index starting with it), none for its status, none for a score line's application (the unique
(application, criterion) index starts with it); and, on PostgreSQL, room on each page of the
applications' table for every row's next version (fillfactor 50).

Why the room: scoring rewrites the totals and ranks of a whole call, then the allocation its
placements. The rank is indexed, so scoring's update writes each row anew with its indexes;
the allocation's columns are not (its visit only for the few selected), so its update can
stay on the row's page and skip the indexes ("HOT" update), if the page has room. On the
scale call's 20,000 applications, at the default fill (100) nearly none did (about ten WAL
records per row); at 50 all did (one). The setting applies to pages written from now on: a
table already filled keeps its pages until they are rewritten (VACUUM FULL)."""

import django.db.models.deletion
from django.db import migrations, models

FILLFACTOR = 50


def _set_fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE visits_application SET (fillfactor = {FILLFACTOR})")


def _reset_fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE visits_application RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [
        ("visits", "0002_application_call_status"),
    ]

    operations = [
        migrations.AlterField(
            model_name="application",
            name="call",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="applications",
                to="visits.call",
            ),
        ),
        migrations.AlterField(
            model_name="application",
            name="status",
            field=models.CharField(
                choices=[("draft", "Draft"), ("submitted", "Submitted"), ("withdrawn", "Withdrawn")],
                default="draft",
                max_length=10,
                verbose_name="status",
            ),
        ),
        migrations.AlterField(
            model_name="scoreline",
            name="application",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="score_lines",
                to="visits.application",
            ),
        ),
        migrations.RunPython(_set_fillfactor, _reset_fillfactor, elidable=False),
    ]
