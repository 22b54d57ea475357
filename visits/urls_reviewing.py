"""Routes of the reviewing part of Group Study Visits (visits/urls.py)."""

urlpatterns: list = []
