"""Routes of the feedback surveys: results (filled in by issue 11's work)."""

urlpatterns: list = []
