"""Load the thematic sectors, enabling factors and enabling themes, so that `migrate` alone gives a
working install (a Docker install runs nothing else).

Decision: the data is frozen here, a copy of taxonomy/reference.py as it stood when this migration
was written, not imported from it. A migration is history: it must do tomorrow what it did today,
whatever reference.py says by then. A later change to the reference data is a new data migration
(with its own frozen copy); tests/seeds/test_reference_migrations.py fails until there is one,
because it checks that a freshly migrated database already matches reference.py.

The rows are found by slug (their natural key) and brought in line with the data, so an install
that loaded them before with `manage.py seed_reference` is updated, not duplicated. Historical
models (`apps.get_model`) are used, as the Django docs advise: today's model classes may have
fields this migration's schema has not.
"""

from django.db import migrations

THEMATIC_SECTORS = [
    {
        "slug": "energy",
        "name": "Energy",
        "description": (
            "Increasing the use of renewable energy in the city, cleaner production and "
            "incentives that limit industrial emissions; district heating and energy communities."
        ),
        "offered_only": False,
    },
    {
        "slug": "buildings",
        "name": "Buildings (Built Environment)",
        "description": (
            "Improving the energy efficiency of buildings, especially heritage and historical "
            "buildings, and attracting public funding and private investment for renovation."
        ),
        "offered_only": False,
    },
    {
        "slug": "sustainable-mobility",
        "name": "Sustainable mobility",
        "description": (
            "Better public transport, electric-vehicle infrastructure, walking and cycling, and "
            "less traffic congestion, so that residents rely less on private cars."
        ),
        "offered_only": False,
    },
    {
        "slug": "circular-economy",
        "name": "Circular economy",
        "description": (
            "Waste management and recycling (also in peak tourist seasons), waste-water "
            "treatment and circular construction."
        ),
        "offered_only": False,
    },
    {
        "slug": "nature-based-solutions",
        "name": "Nature-based solutions",
        "description": (
            "More green space and protected ecosystems for climate resilience: water scarcity, "
            "habitat loss, erosion, forest fires, flooding and heat waves."
        ),
        "offered_only": False,
    },
    {
        "slug": "industry",
        "name": "Industry",
        "description": (
            "Cleaner industrial production and lower industrial emissions. Offered in the "
            "programme design survey; no thematic group ran on it in cohort 1."
        ),
        "offered_only": True,
    },
]

ENABLING_FACTORS = [
    {
        "slug": "internal-governance",
        "name": "Internal governance and regulatory framework",
        "description": (
            "How the city administration is organised for the action, and the regulatory "
            "framework at national, regional and local level."
        ),
    },
    {
        "slug": "stakeholder-engagement",
        "name": "Stakeholder engagement",
        "description": (
            "Involving the stakeholders whose support the action needs, such as energy "
            "suppliers, local businesses and civil society."
        ),
    },
    {
        "slug": "citizen-engagement",
        "name": "Citizen engagement",
        "description": (
            "Informing and involving residents so that they understand, accept and take part "
            "in the action."
        ),
    },
    {
        "slug": "knowledge-capacities",
        "name": "Knowledge/capacities",
        "description": (
            "The skills, technical expertise and dedicated staff the city has or builds to "
            "carry out the action."
        ),
    },
    {
        "slug": "procurement-practices",
        "name": "Procurement practices",
        "description": (
            "Using public procurement as a lever, e.g. procuring nearly-zero energy public "
            "buildings."
        ),
    },
    {
        "slug": "data-digitalisation",
        "name": "Data and digitalisation",
        "description": (
            "Data, monitoring and digital tools that inform decisions and track progress."
        ),
    },
    {
        "slug": "technology-industry",
        "name": "Technology and industry",
        "description": (
            "The technologies, infrastructure and local industry available to deliver the action."
        ),
    },
    {
        "slug": "funding-financing",
        "name": "Funding and financing",
        "description": (
            "Public funding programmes, advisory services and private finance that pay for "
            "the action."
        ),
    },
]

ENABLING_THEMES = [
    {
        "slug": "policy-governance",
        "name": "Policy and governance",
        "description": (
            "Political commitment, multi-level governance, enabling national frameworks and "
            "breaking the silos between municipal departments."
        ),
    },
    {
        "slug": "implementation-practices",
        "name": "Implementation practices",
        "description": (
            "Closing the gap between strategy and implementation, scaling up existing actions "
            "and moving from projects to a portfolio approach."
        ),
    },
    {
        "slug": "culture-social-innovation-participation",
        "name": "Culture, social innovation and participation",
        "description": (
            "A culture of inclusive participation: engaging citizens and stakeholders in the "
            "societal change that climate neutrality needs."
        ),
    },
    {
        "slug": "finance-business-models",
        "name": "Finance and business models",
        "description": (
            "Funding and financing schemes, investment planning and business models that "
            "attract private finance."
        ),
    },
    {
        "slug": "strategic-learning",
        "name": "Strategic learning",
        "description": (
            "Peer-to-peer learning between cities: sharing tools, technologies and pilots, and "
            "how to replicate and scale them up."
        ),
    },
]


def reference_taxa_load(apps, schema_editor):
    for model_name, entries in (
        ("ThematicSector", THEMATIC_SECTORS),
        ("EnablingFactor", ENABLING_FACTORS),
        ("EnablingTheme", ENABLING_THEMES),
    ):
        model = apps.get_model("taxonomy", model_name)
        for position, entry in enumerate(entries, start=1):
            values = {key: value for key, value in entry.items() if key != "slug"}
            model.objects.update_or_create(
                slug=entry["slug"], defaults={**values, "position": position}
            )


class Migration(migrations.Migration):
    dependencies = [
        ("taxonomy", "0002_length_caps"),
    ]

    # Reversing leaves the rows: thematic groups, climate actions and their levers point at them
    # (PROTECT), and installs before this migration had them too, from seed_reference.
    operations = [
        migrations.RunPython(reference_taxa_load, migrations.RunPython.noop, elidable=False),
    ]
