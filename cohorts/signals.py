"""What happens to cohorts, announced for the apps above (ARCHITECTURE.md, "Telling a higher app").

cohorts never imports roadmaps or sessions: an app that must react connects a receiver in its
own `receivers.py` (from its AppConfig.ready), and an app that adds to a cohort's pages answers
one of the hooks below.
"""

from dataclasses import dataclass

from django.dispatch import Signal

# A city was enrolled in a cohort: a request was accepted, or a facilitator enrolled it
# directly. Sent with `enrolment` (status accepted, `cohort` and `city` loaded) inside the
# service's transaction, so whatever a receiver writes commits or rolls back with the
# enrolment (roadmaps.receivers opens the city's Reflection Roadmap).
enrolment_accepted = Signal()

# Hook: the facilitator's page of a cohort lists its enrolled cities (selectors.
# enrolled_cities_of_cohort). Sent with `cohort`; each receiver returns a dict of
# annotations (name -> expression over Enrolment, evaluated in the same query) the rows gain
# (sessions.receivers: registered_count, attended_count).
enrolled_city_annotations = Signal()

# Hook: the same page after its rows are read. Sent with `cohort` and `enrolments` (the list
# of rows); a receiver sets on each row the attributes the page shows for its app
# (roadmaps.receivers: `roadmap` and `roadmap_label`).
enrolled_cities_listed = Signal()

# Hook: the cached part of the same page is keyed by the data versions of what it shows
# (cohorts/versions.py), and by what each app above answers here for what no version follows.
# Sent with `cohort`; a receiver returns a string that changes whenever its part of the page
# does (roadmaps.receivers: the roadmaps' count and last change, which every autosave moves,
# so that an autosave raises no version).
cohort_page_state = Signal()


@dataclass(frozen=True)
class CohortPagePart:
    """An app's answer to `cohort_page_parts`: its part of a cohort's page.

    The page keeps its parts drawn (a cached fragment, templates/cohorts/cohort_detail.html), so
    the answer says what they show besides the variables themselves:
    - `context`: template variables, lazy, read only when the part is drawn afresh;
    - `scopes`: the data-version scopes (portal/fragments.py) of everything the variables show,
      raised by the answering app on every change of those rows;
    - `key`: whatever else changes what the part shows: what the reader may do there, the time
      its past and upcoming rows divide at, the time zone its times are written in.
    """

    context: dict
    scopes: tuple[str, ...] = ()
    key: str = ""


# Hook: a cohort's page is being shown. Sent with `cohort`, `user` (who reads) and `runs`
# (whether they run the cohort: a programme admin, or one of its facilitators, i.e. the
# `cohorts.view_cohort` of cohorts/rules.py, already decided by the page's one query); each
# receiver returns a `CohortPagePart` (sessions.receivers: `cohort_sessions`, the session
# programme with the actions on each session, and `can_schedule`).
cohort_page_parts = Signal()
