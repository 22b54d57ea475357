from django.apps import AppConfig


class HomeConfig(AppConfig):
    """The cross-app pages at the top of the layers: each role's home page (later, dashboards),
    the health check, the error pages and the project-wide commands."""

    name = "home"
    verbose_name = "Home"
