from django.apps import AppConfig


class DevdataConfig(AppConfig):
    """Development data at the top of the layers: the demo programme (`seed_demo`,
    `demo_logins`), EU-scale data (`seed_scale`) and `seed_reference`. Installed in development
    and tests only (config/settings.py), so a production install has none of these commands."""

    name = "devdata"
    verbose_name = "Development data"
