"""Routes of the applying part of Group Study Visits (visits/urls.py)."""

urlpatterns: list = []
