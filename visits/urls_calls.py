"""Routes of the calls part of Group Study Visits (visits/urls.py)."""

urlpatterns: list = []
