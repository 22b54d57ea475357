"""Routes of the scoring part of Group Study Visits (visits/urls.py)."""

urlpatterns: list = []
