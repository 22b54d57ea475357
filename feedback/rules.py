"""Who may do what with feedback surveys: the one place that says it (issue 11).

- Programme admins build, publish and read every survey, and build the programme-wide ones.
- A cohort's facilitators (lead or thematic group) build the surveys of their cohort and of its
  sessions, and read their results.
- Those a survey asks answer it once it is published: for a session, the people registered for
  it (by their account's email address) and the officers of the cities enrolled in its cohort;
  for a cohort, the officers of its enrolled cities; for a programme, the officers of cities
  enrolled in any of its cohorts. Whether it is open (dates) is the services' to say, with its
  own message.
- Nobody reads who wrote an anonymous response: it is not stored (feedback.models).

The facts come from the person's kept facts (sessions.selectors.session_access_of), as the
roadmaps' rules do: a page asks several of these rules and each was a query of its own.
"""

import rules

from accounts.rules import is_programme_admin
from cohorts.enums import EnrolmentStatus
from cohorts.models import Enrolment
from feedback.enums import SurveyScope
from sessions.models import Registration
from sessions.selectors import session_access_of


def survey_cohort_id(survey) -> int | None:
    """The cohort a survey belongs to: its own, or its session's (none for a programme)."""
    if survey.scope == SurveyScope.SESSION:
        return survey.session.cohort_id
    return survey.cohort_id


def _authenticated(user) -> bool:
    return user is not None and user.is_authenticated


@rules.predicate
def facilitates_survey(user, survey):
    """Lead or group facilitator of the survey's cohort (a programme survey has none)."""
    if survey is None or not _authenticated(user):
        return False
    cohort_id = survey_cohort_id(survey)
    return cohort_id is not None and cohort_id in session_access_of(user).facilitated_cohorts


@rules.predicate
def facilitates_cohort(user, cohort):
    """The object is the cohort a new survey is for (None: a programme-wide one)."""
    if cohort is None or not _authenticated(user):
        return False
    return cohort.pk in session_access_of(user).facilitated_cohorts


@rules.predicate
def is_asked(user, survey):
    """One of the people the survey asks (the module's docstring)."""
    if survey is None or not _authenticated(user):
        return False
    access = session_access_of(user)
    if survey.scope == SurveyScope.SESSION:
        session = survey.session
        if session.cohort_id in access.enrolled_cohorts:
            return True
        return Registration.objects.filter(session=session, email__iexact=user.email).exists()
    if survey.scope == SurveyScope.COHORT:
        return survey.cohort_id in access.enrolled_cohorts
    return Enrolment.objects.filter(
        cohort__programme=survey.programme,
        status=EnrolmentStatus.ACCEPTED,
        city_id__in=access.cities,
    ).exists()


@rules.predicate
def is_published(user, survey):
    return survey is not None and survey.is_published


# The object is the survey's cohort (None for a programme-wide survey).
rules.add_perm("feedback.add_survey", is_programme_admin | facilitates_cohort)
rules.add_perm("feedback.change_survey", is_programme_admin | facilitates_survey)
rules.add_perm("feedback.view_survey_results", is_programme_admin | facilitates_survey)
rules.add_perm("feedback.answer_survey", is_published & is_asked)
# Sending a post-session survey's chosen sub-topics to the technical session that follows
# (feedback/subtopics.py): those who read its results; sessions' service then asks
# peer_sessions.change_session of the technical session itself.
rules.add_perm("feedback.send_subtopics", is_programme_admin | facilitates_survey)
