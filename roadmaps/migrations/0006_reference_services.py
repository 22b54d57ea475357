"""Load the NetZeroCities services of the roadmap's Phase 3, so that `migrate` alone gives a
working install.

Decision: the data is frozen here, a copy of roadmaps/reference.py as it stood when this migration
was written, not imported from it: a migration must do tomorrow what it did today. A later change
is a new data migration; tests/seeds/test_reference_migrations.py fails until there is one.
Rows are found by name (the natural key) with the historical model. Only the description and
position are set: the link and the "offered" flag are the programme admins' (seed_reference keeps
them the same way), so an install that had the services from seed_reference keeps its edits.
"""

from django.db import migrations

NETZEROCITIES_SERVICES = [
    {
        "name": "Climate Transition Map",
        "description": (
            "The NetZeroCities framework for planning a city's transition, with its Discovery "
            "Tour for cities starting out."
        ),
    },
    {
        "name": "NetZeroCities Portal knowledge repository",
        "description": (
            "Guidance, case studies and tools on the NetZeroCities Portal, with a group per "
            "programme for sharing material and questions."
        ),
    },
    {
        "name": "Climate City Contract guidance",
        "description": (
            "Support to prepare the Climate City Contract: commitments, action plan and "
            "investment plan."
        ),
    },
    {
        "name": "City Support Groups",
        "description": "Support services for cities organised into groups with shared needs.",
    },
    {
        "name": "City Advisors",
        "description": "A NetZeroCities City Advisor who accompanies the city's transition team.",
    },
    {
        "name": "Capital Hub / financing advisory",
        "description": (
            "Guidance on fund structuring, public-private partnerships and blended finance, and "
            "matchmaking with investors."
        ),
    },
    {
        "name": "Pilot Cities Programme",
        "description": "Funded pilot activities testing systemic approaches to climate neutrality.",
    },
    {
        "name": "Twinning Learning Programme",
        "description": "Longer peer learning between a Pilot City and its Twin Cities.",
    },
    {
        "name": "Peer Learning Online Discussion Groups",
        "description": (
            "Online thematic sessions where Mission Cities present climate actions to "
            "Mission-minded cities, followed by technical support."
        ),
    },
    {
        "name": "Group Study Visits",
        "description": "Two-day in-person visits to a Mission City ending with an action plan.",
    },
]


def services_load(apps, schema_editor):
    NetZeroCitiesService = apps.get_model("roadmaps", "NetZeroCitiesService")
    for position, entry in enumerate(NETZEROCITIES_SERVICES, start=1):
        NetZeroCitiesService.objects.update_or_create(
            name=entry["name"],
            defaults={"description": entry["description"], "position": position},
        )


class Migration(migrations.Migration):
    dependencies = [
        ("roadmaps", "0005_export_recovery"),
    ]

    # Reversing leaves the rows: roadmaps' suitable journeys may name them, and installs before
    # this migration had them too, from seed_reference.
    operations = [
        migrations.RunPython(services_load, migrations.RunPython.noop, elidable=False),
    ]
