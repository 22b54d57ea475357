"""The data version of the applications as the API lists them (portal/fragments.py), issue 12.

`APPLICATIONS` is raised by every change of an application's row, its preferences or its
delegates: by the save or deletion of an application (a receiver, so the services, the Django
admin and model saves are all covered: a draft's save, the autosave included, saves the
application with its preferences and delegates in one transaction), and by the writes that
send no signal (`bump(APPLICATIONS)` after scoring's bulk update of totals and ranks). The
decisions' bulk writes raise `visits.allocation.DECISIONS`, which the list's key names too.

Decision: one scope for every application, not one per call: the lists span calls (an admin's
is every call's), and a per-call scope would need the list's calls before its versions. The
autosave pays one more statement; what it invalidates is only the API's kept lists.
"""

from portal.fragments import bump_on_change

APPLICATIONS = "visits:applications"


def connect() -> None:
    """Connect what raises APPLICATIONS (from VisitsConfig.ready)."""
    from visits.models import Application

    bump_on_change(Application, lambda application: [APPLICATIONS])
