"""Load the countries of the programme's cities, so that `migrate` alone gives a working install.

Decision: the data is frozen here, a copy of taxonomy/reference.py's COUNTRIES as it stood when
this migration was written, not imported from it: a migration must do tomorrow what it did today.
A later change is a new data migration; tests/seeds/test_reference_migrations.py fails until
there is one. Rows are found by ISO code (the natural key) with the historical model, so an
install that loaded them before with `manage.py seed_reference` is updated, not duplicated.
"""

from django.db import migrations

COUNTRIES = [
    ("AL", "Albania"),
    ("AT", "Austria"),
    ("BA", "Bosnia and Herzegovina"),
    ("BE", "Belgium"),
    ("BG", "Bulgaria"),
    ("CY", "Cyprus"),
    ("CZ", "Czechia"),
    ("DE", "Germany"),
    ("DK", "Denmark"),
    ("EE", "Estonia"),
    ("ES", "Spain"),
    ("FI", "Finland"),
    ("FR", "France"),
    ("GB", "United Kingdom"),
    ("GR", "Greece"),
    ("HR", "Croatia"),
    ("HU", "Hungary"),
    ("IE", "Ireland"),
    ("IL", "Israel"),
    ("IS", "Iceland"),
    ("IT", "Italy"),
    ("LT", "Lithuania"),
    ("LU", "Luxembourg"),
    ("LV", "Latvia"),
    ("MD", "Moldova"),
    ("ME", "Montenegro"),
    ("MT", "Malta"),
    ("NL", "Netherlands"),
    ("NO", "Norway"),
    ("PL", "Poland"),
    ("PT", "Portugal"),
    ("RO", "Romania"),
    ("RS", "Serbia"),
    ("SE", "Sweden"),
    ("SI", "Slovenia"),
    ("SK", "Slovakia"),
    ("TR", "Türkiye"),
    ("UA", "Ukraine"),
]


def countries_load(apps, schema_editor):
    Country = apps.get_model("cities", "Country")
    for iso_code, name in COUNTRIES:
        Country.objects.update_or_create(iso_code=iso_code, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [
        ("cities", "0004_length_caps"),
    ]

    # Reversing leaves the rows: cities point at their country (PROTECT), and installs before
    # this migration had them too, from seed_reference.
    operations = [
        migrations.RunPython(countries_load, migrations.RunPython.noop, elidable=False),
    ]
