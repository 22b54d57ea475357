"""The data version of the applications as the API lists them (portal/fragments.py), issue 12.

`APPLICATIONS` is raised by every change of an application's row, its preferences or its
delegates: by the save or deletion of an application (a receiver, so the services, the Django
admin and model saves are all covered: a draft's save, the autosave included, saves the
application with its preferences and delegates in one transaction), and by the writes that
send no signal (`bump(APPLICATIONS)` after scoring's bulk update of totals and ranks). The
decisions' bulk writes raise `visits.allocation.DECISIONS`, which the list's key names too. A
review's save that may change who sees an application (the Django admin's) and its deletion
raise it as well (the services' assignments raise visits.reviewing.REVIEWS).

Decision: one scope for every application, not one per call: the lists span calls (an admin's
is every call's), and a per-call scope would need the list's calls before its versions. The
autosave pays one more statement (home/page_versions.py already raises visits.reviewing.REVIEWS
at every save of an application, a preference or a delegate: visits keeps its own scope rather
than lean on a higher app's receivers); what it invalidates is only the API's kept lists.
"""

from django.db.models.signals import post_delete, post_save

from portal.fragments import bump, bump_on_change

APPLICATIONS = "visits:applications"

# The data version of what the officer's home page lists of the calls: the calls (status,
# dates, cohorts) and the cities' applications (started, submitted, withdrawn). Raised by
# visits.receivers; an autosave changes none of it and raises nothing. (Named here, with
# `call_scope`, so that visits.calls and visits.applying both read them without importing
# each other.)
OPEN_CALLS = "visits:open-calls"


def call_scope(call_id) -> str:
    """The data version of one call: its row, its visits and criteria (visits.calls)."""
    return f"visits:call:{call_id}"


# A review's fields that decide who sees its application (a reviewer, their assigned ones).
_REVIEW_VISIBILITY_FIELDS = frozenset({"reviewer", "reviewer_id", "application", "application_id"})


def _review_saved(sender, instance, created, update_fields=None, raw=False, **kwargs):
    # The reviewing services raise visits.reviewing.REVIEWS, which the list names, when they
    # assign or unassign (in bulk, without a signal); their saves of scores and status leave
    # who sees what as it was. A save that may move a review to another reviewer or
    # application (the Django admin's, with no update_fields) raises the applications' scope.
    if raw:
        return
    if created or update_fields is None or _REVIEW_VISIBILITY_FIELDS & set(update_fields):
        bump(APPLICATIONS)


def _review_deleted(sender, instance, **kwargs):
    bump(APPLICATIONS)


def connect() -> None:
    """Connect what raises APPLICATIONS (from VisitsConfig.ready)."""
    from visits.models import Application, Review

    bump_on_change(Application, lambda application: [APPLICATIONS])
    post_save.connect(_review_saved, sender=Review, dispatch_uid="visits.versions.review_saved")
    post_delete.connect(
        _review_deleted, sender=Review, dispatch_uid="visits.versions.review_deleted"
    )
