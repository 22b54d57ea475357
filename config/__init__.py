"""The portal project: settings, root URLs, the Celery app and cross-app pages."""

from config.celery import app as celery_app

__all__ = ["celery_app"]
