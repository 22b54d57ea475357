"""Routes of the feedback surveys: builder (filled in by issue 11's work)."""

urlpatterns: list = []
