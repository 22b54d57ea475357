"""Routes of the allocation part of Group Study Visits (visits/urls.py)."""

urlpatterns: list = []
