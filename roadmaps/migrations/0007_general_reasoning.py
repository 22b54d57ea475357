"""Join Phase 2.2's reasonings per enabling factor into the one general reasoning (issue 10).

The template asks for one general reasoning for the scores (roadmaps.template). Each roadmap that
had reasonings per factor gets them in `phase2_2.reasoning`, in the factors' order, each as
"<factor's name>: <text>", separated by a blank line; factors without text are left out, so a
roadmap without any gets no field. Nothing is lost:
- the joined text is written whatever its length, even over the 100 words and the field's
  2,000 characters: the page shows it with its word count marked over the limit, a save must
  bring it under the limit, and the submit check names it as too long (roadmaps.services
  `roadmap_submit_check`);
- the per-factor rows of RoadmapValue go (no page shows them any more), their history stays:
  RoadmapChange is not touched, and one change is added for the new field (version 1, by
  nobody), so the history says where the text came from;
- percent_complete is computed again with the new list of required fields.

Decision: the data is frozen here (factors, required fields), not imported: a migration must do
tomorrow what it did today. Backwards: the joined text is split again at the factors' names
when it still has that shape, else kept whole in the first factor's reasoning.
"""

import secrets

from django.db import migrations

FACTORS = [
    ("internal-governance", "Internal governance and regulatory framework"),
    ("stakeholder-engagement", "Stakeholder engagement"),
    ("citizen-engagement", "Citizen engagement"),
    ("knowledge-capacities", "Knowledge/capacities"),
    ("procurement-practices", "Procurement practices"),
    ("data-digitalisation", "Data and digitalisation"),
    ("technology-industry", "Technology and industry"),
    ("funding-financing", "Funding and financing"),
]
OLD_PREFIX = "phase2_2.reasoning."
NEW_KEY = "phase2_2.reasoning"
SEPARATOR = "\n\n"
# The required fields after this migration (roadmaps.template as it stood).
REQUIRED = [
    "representative.first_name",
    "representative.last_name",
    "representative.role",
    "representative.email",
    "phase1.overview",
    "phase1.challenge",
    *(f"phase1.cause_{n}" for n in (1, 2, 3)),
    *(f"phase1.consequence_{n}" for n in (1, 2, 3)),
    "phase1.in_place",
    "phase1.missing",
    "phase2_1.climate_action",
    "phase2_1.desirability",
    "phase2_1.explanation",
    *(f"phase2_2.score.{slug}" for slug, _name in FACTORS),
    NEW_KEY,
    "phase3.services",
]


def _percent(values: dict) -> int:
    required = REQUIRED
    if values.get("phase2_1.desirability", "").strip() == "low":
        required = [key for key in REQUIRED if not key.startswith("phase2_2.")]
    filled = sum(1 for key in required if values.get(key, "").strip())
    return filled * 100 // len(required)


def joined(texts: dict) -> str:
    """The general reasoning from the per-factor texts by slug."""
    return SEPARATOR.join(
        f"{name}: {texts[slug].strip()}"
        for slug, name in FACTORS
        if texts.get(slug, "").strip()
    )


def forwards(apps, schema_editor):
    Roadmap = apps.get_model("roadmaps", "Roadmap")
    RoadmapValue = apps.get_model("roadmaps", "RoadmapValue")
    RoadmapChange = apps.get_model("roadmaps", "RoadmapChange")
    old_rows = RoadmapValue.objects.filter(key__startswith=OLD_PREFIX)
    roadmap_ids = sorted(set(old_rows.values_list("roadmap_id", flat=True)))
    for roadmap_id in roadmap_ids:
        rows = list(old_rows.filter(roadmap_id=roadmap_id))
        text = joined({row.key[len(OLD_PREFIX) :]: row.value for row in rows})
        if text:
            latest = max(rows, key=lambda row: (row.updated_at, row.pk))
            existing = RoadmapValue.objects.filter(roadmap_id=roadmap_id, key=NEW_KEY).first()
            if existing is None:
                RoadmapValue.objects.create(
                    roadmap_id=roadmap_id,
                    key=NEW_KEY,
                    value=text,
                    version=1,
                    updated_by_id=latest.updated_by_id,
                    updated_at=latest.updated_at,
                )
                version, old_value = 1, ""
            else:  # not expected; kept first so nothing is lost
                old_value = existing.value
                existing.value = SEPARATOR.join(part for part in (old_value, text) if part)
                existing.version += 1
                existing.save()
                version, text = existing.version, existing.value
            RoadmapChange.objects.create(
                roadmap_id=roadmap_id,
                key=NEW_KEY,
                old_value=old_value,
                new_value=text,
                version=version,
                changed_by=None,
                changed_at=latest.updated_at,
            )
        RoadmapValue.objects.filter(roadmap_id=roadmap_id, key__startswith=OLD_PREFIX).delete()
    # Every roadmap's share: the required fields changed (one reasoning for eight).
    for roadmap in Roadmap.objects.all().only("pk", "percent_complete"):
        values = dict(
            RoadmapValue.objects.filter(roadmap_id=roadmap.pk).values_list("key", "value")
        )
        percent = _percent(values)
        if percent != roadmap.percent_complete:
            Roadmap.objects.filter(pk=roadmap.pk).update(percent_complete=percent)
    _renew_cached_pages(apps)


def _renew_cached_pages(apps):
    """New data versions for every roadmap scope (roadmaps.scopes: "roadmap:<id>", "roadmaps:..."):
    the cached roadmap pages were rendered from the fields and the template before this."""
    DataVersion = apps.get_model("portal", "DataVersion")
    for row in DataVersion.objects.filter(scope__startswith="roadmap"):
        DataVersion.objects.filter(pk=row.pk).update(version=secrets.randbits(62))


def backwards(apps, schema_editor):
    RoadmapValue = apps.get_model("roadmaps", "RoadmapValue")
    names = {name: slug for slug, name in FACTORS}
    for row in RoadmapValue.objects.filter(key=NEW_KEY):
        texts = {}
        for part in row.value.split(SEPARATOR):
            name, colon, rest = part.partition(": ")
            if colon and name in names and names[name] not in texts:
                texts[names[name]] = rest
            else:
                texts = {FACTORS[0][0]: row.value}
                break
        for slug, text in texts.items():
            RoadmapValue.objects.update_or_create(
                roadmap_id=row.roadmap_id,
                key=f"{OLD_PREFIX}{slug}",
                defaults={"value": text, "version": 1, "updated_at": row.updated_at},
            )
        row.delete()
    _renew_cached_pages(apps)


class Migration(migrations.Migration):
    dependencies = [("roadmaps", "0006_reference_services"), ("portal", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
