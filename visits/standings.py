"""What the admins' pages of a call's applications depend on: the ranking
(views_scoring.call_ranking), the allocation and the publish confirmation
(views_allocation), kept in the cache (`{% fragment %}`, portal/fragments.py) under `page_key`.

Issue 12: a call of 20,000 applicants is counted, paged and drawn in rows; the pages are read
much more often than the call changes between two readings. The key names everything they show:
- the call's own scope (visits.versions.call_scope: the call, its visits and criteria, raised by
  their saves), and the call's row itself, read on every request anyway: its status (published
  or not: the move forms or the action plans), and `scored_at`, which scoring writes in the
  same transaction as every line, total and rank it changes (visits/scoring.py writes those in
  bulk, without signals: the stamp is what changes with them);
- the call's applications (`applications_scope`): raised by the save of an application that
  changes what the pages show (its status: submitted, withdrawn), by its creation and its
  deletion (visits/receivers.py). A draft's autosave raises nothing;
- the decisions (visits.allocation.DECISIONS: raised by every write of a placement, the bulk
  ones of an allocation run included, and by a withdrawal's promotion: visits/decisions.py);
- the cities' and countries' names (cohorts.versions.CITIES).
Nothing on these pages depends on who reads them: they are the programme admins' (the view
asks `visits.manage_call` before anything is read), and CSRF tokens are filled in per request.
"""

from cohorts.versions import CITIES
from portal.fragments import versions
from visits.allocation import DECISIONS
from visits.calls import call_scope
from visits.models import Call

# An application's fields that these pages show, apart from its placement (decision, visit,
# waitlist position, by hand: every write of those raises DECISIONS, visits/allocation.py): a
# save naming none of them (a draft's autosave, a placement) raises nothing more.
SHOWN_FIELDS = frozenset({"call", "call_id", "city", "city_id", "status", "rank", "total"})


def applications_scope(call_id) -> str:
    return f"visits:call:{call_id}:applications"


def page_key(call: Call) -> str:
    """The versions of what the pages show of `call` (one query), with its status and the
    time of its last scoring."""
    return "|".join(
        (
            versions(call_scope(call.pk), applications_scope(call.pk), DECISIONS, CITIES),
            call.status,
            call.scored_at.isoformat() if call.scored_at else "",
        )
    )
