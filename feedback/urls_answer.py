"""Routes of the feedback surveys: answer (filled in by issue 11's work)."""

urlpatterns: list = []
