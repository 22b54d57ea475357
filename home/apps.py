from django.apps import AppConfig


class HomeConfig(AppConfig):
    """The cross-app pages at the top of the layers: each role's home page (later, dashboards),
    the health check, the error pages and the project-wide commands."""

    name = "home"
    verbose_name = "Home"

    def ready(self):
        from home import page_versions

        # Changes of sessions and roadmaps raise the versions of the cohort pages that show them.
        page_versions.connect()
