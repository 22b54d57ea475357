"""Who may open and do what: every route and every API operation, by role, in one matrix.

The matrix is checked against the URL configuration and the OpenAPI schema: a route or an
operation without a row fails `test_every_route_has_a_row` or `test_every_api_operation_has_a_row`,
so a new page or endpoint is added here together with who may use it. The people and objects are
in tests/permissions/world.py: the officer of the object's city, an officer of another city, the
facilitator of the object's cohort, a facilitator of another cohort, a reviewer, a programme
admin, and nobody signed in. A second table does the same for the django-rules permissions.

Decisions the tables hold:
- Pages need sign-in: anonymous people are redirected to allauth's sign-in with ?next=.
- API data endpoints answer 401 to anonymous calls (with `WWW-Authenticate: Token`) and 403 to a
  signed-in person without the permission (REST_FRAMEWORK authentication order, settings.py).
- The OpenAPI schema and the docs are public (config/api_urls.py says why); so is the token
  endpoint, where email and password are the credentials.
- A single object a person may not see answers 404 (its existence is not revealed); one they
  may see but not act on answers 403 (portal.permissions.object_for). Cities and climate actions
  are seen by every signed-in person, so refusing to write them is a 403; an action one may not
  edit is looked up among the editable ones and answers 404, page and API alike.
- Sessions, roadmaps and cohort pages are seen only by their cohort's people (its facilitators,
  the officers of its enrolled cities) and by admins: everyone else gets 404. A cohort's
  enrolments, edit form and roadmaps overview are its facilitators' (and admins') only.
- Nobody registers people for a city they are not an officer of, admins included: the register
  page is 403 for facilitators and admins, and the API refuses such a city as an invalid choice
  (400), as it does a session the caller cannot see.
- A request to join a cohort is made by an officer for one of their cities; a facilitator or
  admin who opens the page is refused (403), and the API refuses a city that is not the caller's
  as an invalid choice (400).
- States hold for admins too: nobody cancels a session that has started (the service answers
  with a message on the session page, and the page offers no button), nobody registers people for
  it, nobody writes a submitted roadmap (403 on the page and autosave, the read-only message on
  the API's field save).
- /admin/ is for programme admins. Everyone else is redirected to /admin/login/, which sends
  anonymous people on to allauth's sign-in and answers 403 to a signed-in non-admin
  (secure_admin_login, config/urls.py): the admin has no sign-in form of its own.
- An invitation link, a calendar feed address and a registered person's signed calendar link
  (sessions.calendar_links) open for anyone who holds them: the secret in the address is the
  credential.
- Revoking an API token that is not one's own answers as for a token already revoked (a redirect
  with a message), so a token's id tells nothing (tests/accounts/test_api_tokens.py).

Each cell is the status code, or L / A for the redirect to allauth's / the admin's sign-in page
with ?next= back to the page. Unsafe requests send a body that gets past validation where the
permission is checked after it, and run in a transaction that is rolled back, so each role meets
the same objects.
"""

import datetime
import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import pytest
import rules
import time_machine
from django.apps import apps
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator

from roadmaps.enums import RoadmapStatus
from roadmaps.models import RoadmapValue
from sessions.enums import SessionStatus
from tests.factories import PASSWORD
from tests.permissions.world import ROLES, build_world
from visits.enums import ApplicationStatus, CallStatus, Decision, ReviewStatus
from visits.models import Application, Call, Review

LOGIN = "302 to sign-in"
ADMIN_LOGIN = "302 to admin sign-in"
STARTED = "started"  # the session began half an hour ago
SUBMITTED = "submitted"  # the roadmap is submitted
# The call's decisions are published, the city's application was selected for the visit (which
# is over: 12-13 May 2025) and its officers uploaded an action plan file.
VISITED = "visited"
REVIEWED = "reviewed"  # the reviewer submitted their review of the application
PUBLISHED = "published"  # the call's decisions are published


@dataclass(frozen=True)
class Row:
    method: str
    path: str  # {name} is an object of the world (World.ids)
    expected: tuple
    data: dict | None = None
    state: str | None = None

    @property
    def is_json(self) -> bool:
        return self.path.startswith("/api/") or self.path.endswith("/autosave/")

    def __str__(self):
        return f"{self.method} {self.path}" + (f" ({self.state})" if self.state else "")


def row(method, path, *expected, data=None, state=None) -> Row:
    assert len(expected) == len(ROLES), path
    return Row(method, path, expected, data, state)


REGISTER_PEOPLE = {
    "city": "{city}",
    "people-TOTAL_FORMS": "1",
    "people-INITIAL_FORMS": "0",
    "people-0-full_name": "Bea Santos",
    "people-0-email": "bea@lisboa.pt",
}
FIELD = {"key": "phase1.cause_1", "value": "Tourism", "base_version": 0}
NEW_ACTION = {"city": "{city}", "title": "Solar schools", "sector": "{sector}"}
ENROL_OTHER_CITY = {
    "cohort": "{cohort}",
    "city": "{other_city}",
    "groups": [{"thematic_group": "{group}"}],
}
REGISTER_BEA = {
    "session": "{session}",
    "city": "{city}",
    "full_name": "Bea Santos",
    "email": "bea@lisboa.pt",
}


class _Upload:
    """A file the test client uploads afresh for each role (a real file is read only once)."""

    def __init__(self, name: str, content: bytes):
        self.name, self._content = name, content

    def read(self) -> bytes:
        return self._content


REPORT_UPLOAD = {
    "report": _Upload(
        "participants.csv", b"Name (Original Name),User Email\r\nRui Costa,rui@lisboa.pt\r\n"
    )
}
ADD_WALK_IN_ROW = {
    "walk_ins-TOTAL_FORMS": "3",
    "walk_ins-INITIAL_FORMS": "0",
    "add_walk_in": "1",
}
ATTENDED = {"marks": [{"registration": "{registration}", "attendance": "attended"}]}
# The survey builder's forms (feedback.views_builder): valid settings for the world's cohort,
# and a single-choice question.
SURVEY_SETTINGS = {
    "title": "After the session",
    "about": "cohort:{cohort}",
    "opens_at": "2030-01-01T09:00",
    "closes_at": "2030-01-15T17:00",
    "min_responses": "3",
    "response_unit": "person",
}
QUESTION = {
    "drawn_kind": "single",
    "kind": "single",
    "text": "Which sub-topics?",
    "options": "Heat pumps\nGrids",
}

# The call pages' forms (visits.views_calls): valid settings of a call for the world's cohort,
# a visit hosted by the world's Mission City, a manual criterion scored 0 to 2.
CALL_SETTINGS = {
    "title": "Group Study Visits 2030",
    "eligible_cohorts": ["{cohort}"],
    "opens_at": "2030-01-01T09:00",
    "closes_at": "2030-02-01T17:00",
    "review_deadline": "2030-02-15T17:00",
    "aggregation": "mean",
    "reviewers_per_application": "2",
    "disagreement_threshold": "1",
    "questions": "",
}
VISIT = {
    "host_city": "{city}",
    "starts_on": "2030-05-12",
    "sector": "{sector}",
    "capacity_cities": "5",
    "delegates_per_city": "2",
}
CRITERION = {
    "kind": "manual",
    "name": "Relevance",
    "weight": "1",
    "scale_max": "2",
    "anchors": "Not addressed\nPartly\nFully",
}

# Columns: anonymous (an), officer of the object's city (of), officer of another city (of2),
# facilitator of the object's cohort (fa), facilitator of another cohort (fa2), reviewer (rv),
# programme admin (ad). L: redirected to sign-in; A: redirected to the admin's sign-in.
L, A = LOGIN, ADMIN_LOGIN

# fmt: off
ROWS = [
    #   method    path                                            an   of  of2   fa  fa2   rv   ad
    # --- Home, health, language ---------------------------------------------------------------
    row("GET",    "/",                                             L, 200, 200, 200, 200, 200, 200),
    row("GET",    "/health/",                                    200, 200, 200, 200, 200, 200, 200),
    row("POST",   "/i18n/setlang/",                              302, 302, 302, 302, 302, 302, 302,
        data={"language": "fr", "next": "/"}),
    # --- Accounts (allauth's pages beyond these are excluded, see EXCLUDED) ---------------------
    row("GET",    "/accounts/login/",                            200, 302, 302, 302, 302, 302, 302),
    row("POST",   "/accounts/logout/",                           302, 302, 302, 302, 302, 302, 302),
    row("GET",    "/accounts/signup/",                           200, 302, 302, 302, 302, 302, 302),
    row("GET",    "/accounts/password/change/",                    L, 200, 200, 200, 200, 200, 200),
    row("GET",    "/accounts/profile/",                            L, 200, 200, 200, 200, 200, 200),
    row("POST",   "/accounts/profile/",                            L, 302, 302, 302, 302, 302, 302,
        data={"full_name": "New Name", "language": "en", "time_zone": "Europe/Lisbon"}),
    row("GET",    "/accounts/tokens/",                             L, 200, 200, 200, 200, 200, 200),
    row("POST",   "/accounts/tokens/",                             L, 200, 200, 200, 200, 200, 200,
        data={"name": "Script", "lifetime_days": "30"}),
    # Revoking is a POST: a GET is refused once signed in.
    row("GET",    "/accounts/tokens/{api_token}/revoke/",          L, 405, 405, 405, 405, 405, 405),
    row("POST",   "/accounts/tokens/{api_token}/revoke/",          L, 302, 302, 302, 302, 302, 302),
    # A person's tokens, for programme admins (anyone else: 404): revoked one by one or all
    # at once; made only for a script account (a person's own are theirs to make: 403).
    row("GET",    "/accounts/people/{officer_person}/tokens/",     L, 404, 404, 404, 404, 404, 200),
    row("GET",    "/accounts/people/{script_account}/tokens/",     L, 404, 404, 404, 404, 404, 200),
    row("POST",   "/accounts/people/{script_account}/tokens/",     L, 404, 404, 404, 404, 404, 200,
        data={"name": "Nightly import", "lifetime_days": "90"}),
    row("POST",   "/accounts/people/{officer_person}/tokens/",     L, 404, 404, 404, 404, 404, 403,
        data={"name": "Acting as Ana", "lifetime_days": "90"}),
    row("POST",   "/accounts/people/{officer_person}/tokens/{api_token}/revoke/",
                                                                   L, 404, 404, 404, 404, 404, 302),
    row("POST",   "/accounts/people/{officer_person}/tokens/revoke-all/",
                                                                   L, 404, 404, 404, 404, 404, 302),
    row("GET",    "/accounts/facilitators/search/?q=Fay",          L, 403, 403, 200, 200, 403, 200),
    row("GET",    "/invitations/new/",                             L, 403, 403, 200, 200, 403, 200),
    # A facilitator invites only to the cities of their cohorts: the form refuses the city (200).
    row("POST",   "/invitations/new/",                             L, 403, 403, 302, 200, 403, 302,
        data={"email": "new.officer@example.org", "city": "{city}"}),
    row("GET",    "/invitations/{invitation}/",                  200, 200, 200, 200, 200, 200, 200),
    row("POST",   "/invitations/{invitation}/",                  302, 302, 302, 302, 302, 302, 302,
        data={"full_name": "Ivo Invited", "password1": PASSWORD, "password2": PASSWORD}),
    # --- Cohorts and enrolments -------------------------------------------------------------------
    row("GET",    "/cohorts/",                                     L, 200, 200, 200, 200, 200, 200),
    row("GET",    "/cohorts/new/",                                 L, 403, 403, 200, 200, 403, 200),
    row("POST",   "/cohorts/new/",                                 L, 403, 403, 200, 200, 403, 200),
    # The officer of an enrolled city reads the participant's page (its programme, its own
    # city); the officer of a city not enrolled in it gets 404 (cohorts.selectors.
    # cohort_pages_visible_to).
    row("GET",    "/cohorts/{cohort}/",                            L, 200, 404, 200, 404, 404, 200),
    row("GET",    "/cohorts/{cohort}/edit/",                       L, 404, 404, 200, 404, 404, 200),
    row("POST",   "/cohorts/{cohort}/edit/",                       L, 404, 404, 200, 404, 404, 200),
    # Officers see the cohorts they may join; only an officer asks, for one of their own cities
    # (admins and facilitators enrol a city directly, on the enrolments page).
    row("GET",    "/cohorts/{cohort}/enrol/",                      L, 200, 200, 403, 404, 404, 403),
    # The officer of the cohort's city asks for a city not theirs: the form refuses it (200).
    row("POST",   "/cohorts/{cohort}/enrol/",                      L, 200, 302, 403, 404, 404, 403,
        data={"city": "{other_city}", "groups": "{group}"}),
    row("GET",    "/cohorts/{cohort}/enrolments/",                 L, 404, 404, 200, 404, 404, 200),
    row("POST",   "/cohorts/{cohort}/enrolments/",                 L, 404, 404, 200, 404, 404, 200),
    row("POST", "/cohorts/{cohort}/enrolments/{requested}/accept/",
                                                                   L, 404, 404, 302, 404, 404, 302),
    row("POST", "/cohorts/{cohort}/enrolments/{requested}/decline/",
                                                                   L, 404, 404, 302, 404, 404, 302),
    # --- Cities and climate actions -----------------------------------------------------------
    row("GET",    "/cities/",                                      L, 200, 200, 200, 200, 200, 200),
    row("GET",    "/cities/search/?q=Lis",                         L, 200, 200, 200, 200, 200, 200),
    row("GET",    "/cities/{city}/",                               L, 200, 200, 200, 200, 200, 200),
    # A city's profile is edited by its officers and admins; everyone else gets 404 (as an
    # action's edit page: the city is looked up among those the person may edit).
    row("GET",    "/cities/{city}/edit/",                          L, 200, 404, 404, 404, 404, 200),
    row("POST",   "/cities/{city}/edit/",                          L, 302, 404, 404, 404, 404, 302,
        data={"population": "545000", "description": "Capital of Portugal."}),
    row("GET",    "/cities/{city}/actions/new/",                   L, 200, 403, 200, 200, 403, 200),
    row("POST",   "/cities/{city}/actions/new/",                   L, 200, 403, 200, 200, 403, 200),
    row("GET",    "/cities/actions/{action}/edit/",                L, 200, 404, 200, 200, 404, 200),
    row("POST",   "/cities/actions/{action}/edit/",                L, 200, 404, 200, 200, 404, 200),
    # --- Sessions -----------------------------------------------------------------------------
    # The sessions page lists what `sessions_visible_to` gives each person (maybe nothing): a
    # cohort filter of a cohort they do not see lists nothing, a bad filter value is a message.
    row("GET",    "/sessions/",                                    L, 200, 200, 200, 200, 200, 200),
    row("GET",    "/sessions/?cohort={cohort}",                    L, 200, 200, 200, 200, 200, 200),
    row("GET",    "/sessions/?view=month&cohort={cohort}",         L, 200, 200, 200, 200, 200, 200),
    row("GET",    "/sessions/?view=month&month=not-a-month&kind=x",
                                                                   L, 200, 200, 200, 200, 200, 200),
    row("GET",    "/sessions/new/?cohort={cohort}",                L, 404, 404, 200, 404, 404, 200),
    row("POST",   "/sessions/new/?cohort={cohort}",                L, 404, 404, 200, 404, 404, 200),
    row("GET",    "/sessions/calendar/",                           L, 200, 200, 200, 200, 200, 200),
    row("POST",   "/sessions/calendar/",                           L, 302, 302, 302, 302, 302, 302),
    row("GET",    "/sessions/{session}/",                          L, 200, 404, 200, 404, 404, 200),
    row("GET",    "/sessions/{session}/",                          L, 200, 404, 200, 404, 404, 200,
        state=STARTED),
    row("GET",    "/sessions/{session}/edit/",                     L, 403, 404, 200, 404, 404, 200),
    row("POST",   "/sessions/{session}/edit/",                     L, 403, 404, 200, 404, 404, 200),
    row("POST",   "/sessions/{session}/cancel/",                   L, 403, 404, 302, 404, 404, 302),
    # Started: refused by the service with a message on the session page (test below).
    row("POST",   "/sessions/{session}/cancel/",                   L, 403, 404, 302, 404, 404, 302,
        state=STARTED),
    row("GET",    "/sessions/{session}/outcome/",                  L, 403, 404, 200, 404, 404, 200),
    row("POST",   "/sessions/{session}/outcome/",                  L, 403, 404, 302, 404, 404, 302,
        data={"key_takeaways": "Heat networks pay off.", "requested_subtopics": ""}),
    row("GET",    "/sessions/{session}/register/",                 L, 200, 404, 403, 404, 404, 403),
    row("POST",   "/sessions/{session}/register/",                 L, 302, 404, 403, 404, 404, 403,
        data=REGISTER_PEOPLE),
    # Started: the officer's page says registration has closed and the form refuses (200).
    row("GET",    "/sessions/{session}/register/",                 L, 200, 404, 403, 404, 404, 403,
        state=STARTED),
    row("POST",   "/sessions/{session}/register/",                 L, 200, 404, 403, 404, 404, 403,
        data=REGISTER_PEOPLE, state=STARTED),
    row("POST", "/sessions/{session}/registrations/{registration}/delete/",
                                                                   L, 302, 404, 302, 404, 404, 302),
    row("GET",    "/sessions/{session}/attendance/",               L, 403, 404, 200, 404, 404, 200),
    row("POST",   "/sessions/{session}/attendance/",               L, 403, 404, 200, 404, 404, 200),
    # Started: adding a walk-in row saves nothing, the form comes back with one more row.
    row("POST",   "/sessions/{session}/attendance/",               L, 403, 404, 200, 404, 404, 200,
        data=ADD_WALK_IN_ROW, state=STARTED),
    row("GET",    "/sessions/{session}/attendance/import/",        L, 403, 404, 200, 404, 404, 200),
    # A report is read (the confirmation page, 200) only for who may record attendance.
    row("POST",   "/sessions/{session}/attendance/import/",        L, 403, 404, 200, 404, 404, 200,
        data=REPORT_UPLOAD, state=STARTED),
    # An unsigned (or expired) confirmation: back to the upload with a message, for who may
    # record attendance; a signed one is tests/sessions/test_attendance_import.py's.
    row("POST",   "/sessions/{session}/attendance/import/confirm/",
                                                                   L, 403, 404, 302, 404, 404, 302,
        data={"report": "not-a-signed-report"}),
    row("GET",    "/sessions/{session}/calendar.ics",              L, 200, 404, 200, 404, 404, 200),
    row("GET",    "/calendar/{feed}.ics",                        200, 200, 200, 200, 200, 200, 200),
    row("GET",    "/calendar/not-a-feed.ics",                    404, 404, 404, 404, 404, 404, 404),
    row("GET",    "/calendar/registrations/{registration}/{registration_signature}.ics",
                                                                 200, 200, 200, 200, 200, 200, 200),
    row("GET",    "/calendar/registrations/{registration}/not-a-signature.ics",
                                                                 404, 404, 404, 404, 404, 404, 404),
    # --- Roadmaps -----------------------------------------------------------------------------
    row("GET",    "/roadmaps/{roadmap}/",                          L, 200, 404, 200, 404, 404, 200),
    row("POST",   "/roadmaps/{roadmap}/",                          L, 302, 404, 403, 404, 404, 302,
        data={"phase1.cause_1": "Tourism", "version.phase1.cause_1": "0"}),
    row("POST",   "/roadmaps/{roadmap}/",                          L, 403, 404, 403, 404, 404, 403,
        data={"phase1.cause_1": "Tourism", "version.phase1.cause_1": "0"}, state=SUBMITTED),
    row("POST",   "/roadmaps/{roadmap}/autosave/",               401, 200, 404, 403, 404, 404, 200,
        data=FIELD),
    row("POST",   "/roadmaps/{roadmap}/autosave/",               401, 403, 404, 403, 404, 404, 403,
        data=FIELD, state=SUBMITTED),
    row("GET",    "/roadmaps/{roadmap}/history/",                  L, 200, 404, 200, 404, 404, 200),
    row("GET",    "/roadmaps/{roadmap}/submit/",                   L, 200, 404, 403, 404, 404, 200),
    # Empty required fields: the service refuses with the list (400), to the editors only.
    row("POST",   "/roadmaps/{roadmap}/submit/",                   L, 400, 404, 403, 404, 404, 400),
    row("POST",   "/roadmaps/{roadmap}/submit/",                   L, 403, 404, 403, 404, 404, 403,
        state=SUBMITTED),
    row("POST",   "/roadmaps/{roadmap}/comments/",                 L, 403, 404, 302, 404, 404, 302,
        data={"section": "phase1", "body": "Name the second cause."}),
    row("POST",   "/roadmaps/{roadmap}/review/",                   L, 403, 404, 302, 404, 404, 302,
        data={"decision": "return", "note": ""}, state=SUBMITTED),
    row("GET",    "/roadmaps/{roadmap}/pdf/",                      L, 200, 404, 200, 404, 404, 200),
    row("GET",    "/roadmaps/cohort/{cohort}/",                    L, 404, 404, 200, 404, 404, 200),
    row("GET", "/roadmaps/cohort/{cohort}/summary/factors.svg",
                                                                   L, 404, 404, 200, 404, 404, 200),
    row("GET", "/roadmaps/cohort/{cohort}/summary/actions.csv",
                                                                   L, 404, 404, 200, 404, 404, 200),
    row("POST",   "/roadmaps/cohort/{cohort}/export/",             L, 404, 404, 302, 404, 404, 302),
    row("GET",    "/roadmaps/exports/{export}/",                   L, 404, 404, 200, 404, 404, 200),
    row("POST",   "/roadmaps/exports/{export}/restart/",           L, 404, 404, 302, 404, 404, 302),
    row("GET",    "/roadmaps/exports/{export}/download/",          L, 404, 404, 200, 404, 404, 200),
    # --- Feedback surveys: building (feedback.views_builder) -----------------------------------
    # A builder page of a survey one may not change is 403 to those who know of it (it asks
    # them), 404 to the rest; the list and the new-survey form, 403 to those who build nothing.
    row("GET",    "/surveys/",                                     L, 403, 403, 200, 200, 403, 200),
    row("GET",    "/surveys/new/",                                 L, 403, 403, 200, 200, 403, 200),
    # The cohort is not among the other facilitator's choices: the form again (200).
    row("POST",   "/surveys/new/",                                 L, 403, 403, 302, 200, 403, 302,
        data=SURVEY_SETTINGS),
    row("GET",    "/surveys/{survey}/edit/",                       L, 403, 404, 200, 404, 404, 200),
    row("POST",   "/surveys/{survey}/edit/",                       L, 403, 404, 302, 404, 404, 302,
        data=SURVEY_SETTINGS),
    row("GET",    "/surveys/{draft_survey}/edit/",                 L, 404, 404, 200, 404, 404, 200),
    row("GET",    "/surveys/{programme_survey}/edit/",             L, 403, 403, 404, 404, 404, 200),
    row("POST",   "/surveys/{draft_survey}/publish/",              L, 404, 404, 302, 404, 404, 302),
    row("POST",   "/surveys/{survey}/unpublish/",                  L, 403, 404, 302, 404, 404, 302),
    row("POST",   "/surveys/{survey}/sections/new/",               L, 403, 404, 302, 404, 404, 302,
        data={"title": "Format"}),
    row("POST",   "/surveys/{survey}/sections/{survey_section}/edit/",
                                                                   L, 403, 404, 302, 404, 404, 302,
        data={"title": "About you"}),
    row("POST",   "/surveys/{survey}/sections/{survey_section}/move/",
                                                                   L, 403, 404, 302, 404, 404, 302,
        data={"direction": "down"}),
    row("POST",   "/surveys/{survey}/sections/{survey_section}/delete/",
                                                                   L, 403, 404, 302, 404, 404, 302),
    row("GET",    "/surveys/{survey}/sections/{survey_section}/questions/new/",
                                                                   L, 403, 404, 200, 404, 404, 200),
    row("POST",   "/surveys/{survey}/sections/{survey_section}/questions/new/",
                                                                   L, 403, 404, 302, 404, 404, 302,
        data=QUESTION),
    row("GET",    "/surveys/{survey}/questions/{survey_question}/edit/",
                                                                   L, 403, 404, 200, 404, 404, 200),
    row("POST",   "/surveys/{survey}/questions/{survey_question}/edit/",
                                                                   L, 403, 404, 302, 404, 404, 302,
        data=QUESTION),
    row("POST",   "/surveys/{survey}/questions/{survey_question}/move/",
                                                                   L, 403, 404, 302, 404, 404, 302,
        data={"direction": "down"}),
    row("POST",   "/surveys/{survey}/questions/{survey_question}/delete/",
                                                                   L, 403, 404, 302, 404, 404, 302),
    # --- Survey results (feedback.views_results) -----------------------------------------------
    # Their cohort's facilitators and admins read them; a person the survey asks (who sees it to
    # answer it) gets 403, everyone else 404. The programme survey has no cohort: admins only.
    row("GET",    "/surveys/{survey}/results/",            L, 403, 404, 200, 404, 404, 200),
    row("GET",    "/surveys/{session_survey}/results/",    L, 403, 404, 200, 404, 404, 200),
    row("GET",    "/surveys/{programme_survey}/results/",  L, 403, 403, 404, 404, 404, 200),
    row("GET",    "/surveys/{draft_survey}/results/",      L, 404, 404, 200, 404, 404, 200),
    row("GET", "/surveys/{survey}/results/questions/{survey_question}.svg",
                                                                   L, 403, 404, 200, 404, 404, 200),
    row("GET",    "/surveys/{survey}/results/remind/",     L, 403, 404, 200, 404, 404, 200),
    # Exports (feedback.views_exports): the results' permission, answered as the results page.
    row("GET",    "/surveys/{survey}/results/responses.csv",  L, 403, 404, 200, 404, 404, 200),
    row("GET",    "/surveys/{survey}/results/responses.xlsx", L, 403, 404, 200, 404, 404, 200),
    row("GET",    "/surveys/{survey}/results/report.pdf",     L, 403, 404, 200, 404, 404, 200),
    row("GET",    "/surveys/{programme_survey}/results/responses.csv",
                                                                   L, 403, 403, 404, 404, 404, 200),
    row("GET", "/surveys/{survey}/results/questions/{survey_question}.png",
                                                                   L, 403, 404, 200, 404, 404, 200),
    row("POST",   "/surveys/{survey}/results/remind/",     L, 403, 404, 302, 404, 404, 302),
    # Comparing surveys of one template (feedback.views_comparison, the comparison part): for
    # those who read some survey's results (403 to the rest, as the builder's list); a survey in
    # the address whose results one may not read is a 404.
    row("GET",    "/surveys/compare/",                             L, 403, 403, 200, 200, 403, 200),
    row("GET",    "/surveys/compare/?survey={survey}&survey={session_survey}",
                                                                   L, 403, 403, 200, 404, 403, 200),
    row("GET",    "/surveys/compare/?survey={survey}&survey={programme_survey}",
                                                                   L, 403, 403, 404, 404, 403, 200),
    # --- Live mode (feedback.views_live) --------------------------------------------------------
    # The presenter's pages: those who may change the survey; one it asks gets 403, the rest 404.
    # The world's survey is presented under the code KM4TXA at its question.
    row("GET",    "/surveys/{survey}/live/",               L, 403, 404, 200, 404, 404, 200),
    row("GET",    "/surveys/{survey}/live/area/",          L, 403, 404, 200, 404, 404, 200),
    row("POST",   "/surveys/{survey}/live/start/",         L, 403, 404, 302, 404, 404, 302),
    row("POST",   "/surveys/{survey}/live/move/",          L, 403, 404, 302, 404, 404, 302,
        data={"question": "{survey_question}"}),
    row("POST",   "/surveys/{survey}/live/close/",         L, 403, 404, 302, 404, 404, 302),
    row("GET",    "/surveys/{draft_survey}/live/",         L, 404, 404, 200, 404, 404, 200),
    # The participants': typing the code needs no sign-in; the code's pages are for those the
    # survey asks (403 to those who build or read it, 404 to the rest). An unknown code: 404.
    row("GET",    "/live/",                              200, 200, 200, 200, 200, 200, 200),
    row("GET",    "/live/?code={live_code}",             302, 302, 302, 302, 302, 302, 302),
    row("GET",    "/live/{live_code}/",                    L, 200, 404, 403, 404, 404, 403),
    row("POST",   "/live/{live_code}/",                    L, 302, 404, 403, 404, 404, 403,
        data={"question": "{survey_question}"}),
    row("GET",    "/live/{live_code}/poll/",               L, 200, 404, 403, 404, 404, 403),
    row("GET",    "/live/KMKMKM/",                         L, 404, 404, 404, 404, 404, 404),
    # The programme's own figures (feedback.views_needs, feedback.views_subtopics): the needs
    # assessment by enabling theme, read as the results are; sending a post-session survey's
    # sub-topics to the technical session, by the same people (a survey of another kind: the
    # page says why nothing can be sent, and a POST is refused with that message).
    row("GET",    "/surveys/{survey}/results/themes/",     L, 403, 404, 200, 404, 404, 200),
    row("GET",    "/surveys/{programme_survey}/results/themes/", L, 403, 403, 404, 404, 404, 200),
    row("GET",    "/surveys/{session_survey}/results/subtopics/",
                                                           L, 403, 404, 200, 404, 404, 200),
    row("POST",   "/surveys/{session_survey}/results/subtopics/",
                                                           L, 403, 404, 302, 404, 404, 302),
    # --- Group Study Visits: calls, their visits and criteria (visits.views_calls) -------------
    # Every signed-in person has the list (of the calls they may see). A call is seen by its
    # eligible cities' officers, its cohorts' facilitators, the reviewers of its applications
    # and admins (visits.selectors.calls_visible_to): the rest get 404. Its edit pages are the
    # admins' (visits.manage_call): 403 to the others who see it. The world's call is open; its
    # visit is asked for by the application, so removing it is refused with a message (302).
    row("GET",    "/visits/",                                      L, 200, 200, 200, 200, 200, 200),
    row("GET",    "/visits/calls/new/",                            L, 403, 403, 403, 403, 403, 200),
    row("POST",   "/visits/calls/new/",                            L, 403, 403, 403, 403, 403, 302,
        data=CALL_SETTINGS),
    row("GET",    "/visits/calls/{call}/",                         L, 200, 404, 200, 404, 200, 200),
    row("GET",    "/visits/calls/{call}/edit/",                    L, 403, 404, 403, 404, 403, 200),
    row("POST",   "/visits/calls/{call}/edit/",                    L, 403, 404, 403, 404, 403, 302,
        data=CALL_SETTINGS),
    row("POST",   "/visits/calls/{call}/open/",                    L, 403, 404, 403, 404, 403, 302),
    row("GET",    "/visits/calls/{call}/visits/new/",              L, 403, 404, 403, 404, 403, 200),
    row("POST",   "/visits/calls/{call}/visits/new/",              L, 403, 404, 403, 404, 403, 302,
        data=VISIT),
    row("GET",    "/visits/calls/{call}/visits/{visit}/edit/",     L, 403, 404, 403, 404, 403, 200),
    row("POST",   "/visits/calls/{call}/visits/{visit}/edit/",     L, 403, 404, 403, 404, 403, 302,
        data=VISIT),
    row("POST",   "/visits/calls/{call}/visits/{visit}/remove/",   L, 403, 404, 403, 404, 403, 302),
    row("GET",    "/visits/calls/{call}/criteria/new/",            L, 403, 404, 403, 404, 403, 200),
    row("POST",   "/visits/calls/{call}/criteria/new/",            L, 403, 404, 403, 404, 403, 302,
        data=CRITERION),
    row("POST",   "/visits/calls/{call}/criteria/weights/",        L, 403, 404, 403, 404, 403, 302,
        data={"weight_{criterion}": "2"}),
    row("GET",    "/visits/calls/{call}/criteria/{criterion}/edit/",
                                                                   L, 403, 404, 403, 404, 403, 200),
    row("POST",   "/visits/calls/{call}/criteria/{criterion}/edit/",
                                                                   L, 403, 404, 403, 404, 403, 302,
        data=CRITERION),
    row("POST",   "/visits/calls/{call}/criteria/{criterion}/remove/",
                                                                   L, 403, 404, 403, 404, 403, 302),
    # --- Group Study Visits: allocation and decisions (visits.views_allocation) ---------------
    # The admin's pages; those who see the call (the eligible officer, the cohort's facilitator,
    # the reviewer of one of its applications) get 403, the rest 404. The POST to publish
    # reaches the service, which says there is no decision yet (a message: 302).
    row("GET",    "/visits/calls/{call}/allocation/",              L, 403, 404, 403, 404, 403, 200),
    row("POST",   "/visits/calls/{call}/allocation/run/",          L, 403, 404, 403, 404, 403, 302),
    row("GET",    "/visits/calls/{call}/allocation/publish/",      L, 403, 404, 403, 404, 403, 200),
    row("POST",   "/visits/calls/{call}/allocation/publish/",      L, 403, 404, 403, 404, 403, 302),
    # A draft cannot be placed: the admin is told so (302 with a message).
    row("POST",   "/visits/applications/{application}/place/",     L, 403, 404, 404, 404, 403, 302,
        data={"place": "waitlist"}),
    # The action plan: its city's officers and admins read it (the reviewer sees the application,
    # 403); only the officers write it, once the visit they were selected for is over.
    row("GET",    "/visits/applications/{application}/action-plan/",
                                                                   L, 200, 404, 404, 404, 403, 200),
    row("POST",   "/visits/applications/{application}/action-plan/",
                                                                   L, 403, 404, 404, 404, 403, 403,
        data={"action_plan": "Heat pumps in schools"}),
    row("POST",   "/visits/applications/{application}/action-plan/",
                                                                   L, 302, 404, 404, 404, 403, 403,
        data={"action_plan": "Heat pumps in schools"}, state=VISITED),
    row("GET",    "/visits/applications/{application}/action-plan/file/",
                                                                   L, 404, 404, 404, 404, 403, 404),
    row("GET",    "/visits/applications/{application}/action-plan/file/",
                                                                   L, 200, 404, 404, 404, 403, 200,
        state=VISITED),
    # --- Group Study Visits: the exports of the ranking and the allocation (visits.views_exports)
    # The admins', as the ranking and allocation pages: those who see the call get 403, the
    # rest 404.
    row("GET",    "/visits/calls/{call}/ranking.csv",              L, 403, 404, 403, 404, 403, 200),
    row("GET",    "/visits/calls/{call}/ranking.xlsx",             L, 403, 404, 403, 404, 403, 200),
    row("GET",    "/visits/calls/{call}/allocation.csv",           L, 403, 404, 403, 404, 403, 200),
    row("GET",    "/visits/calls/{call}/allocation.xlsx",          L, 403, 404, 403, 404, 403, 200),
    # --- Group Study Visits: scoring and ranking (visits.views_scoring) ------------------------
    # The ranking and "Run scoring" are the admins'; those who see the call (an eligible
    # officer, a facilitator of its cohort, a reviewer of one of its applications) get 403.
    row("GET",    "/visits/calls/{call}/ranking/",         L, 403, 404, 403, 404, 403, 200),
    row("POST",   "/visits/calls/{call}/ranking/run/",     L, 403, 404, 403, 404, 403, 302),
    # "Why this score": admins; the city's officers once decisions are published; the
    # reviewer, who sees the application, is refused; everyone else does not find it.
    row("GET",    "/visits/applications/{application}/score/",
                                                           L, 403, 404, 404, 404, 403, 200),
    row("GET",    "/visits/applications/{application}/score/",
                                                           L, 200, 404, 404, 404, 403, 200,
        state=PUBLISHED),
    # --- The Django admin (its other pages are excluded, see EXCLUDED) ---------------------------
    row("GET",    "/admin/",                                       A,   A,   A,   A,   A,   A, 200),
    row("GET",    "/admin/login/",                                 L, 403, 403, 403, 403, 403, 302),
    row("GET",    "/admin/cities/city/",                           A,   A,   A,   A,   A,   A, 200),
    row("GET",    "/admin/accounts/apitoken/",                     A,   A,   A,   A,   A,   A, 200),
    row("GET",    "/admin/visits/call/",                           A,   A,   A,   A,   A,   A, 200),
    # --- The API ----------------------------------------------------------------------------------
    row("GET",    "/api/schema/",                                200, 200, 200, 200, 200, 200, 200),
    row("GET",    "/api/docs/",                                  200, 200, 200, 200, 200, 200, 200),
    row("GET",    "/api/v1/",                                    401, 200, 200, 200, 200, 200, 200),
    row("GET",    "/api/v1/no-such-endpoint/",                   404, 404, 404, 404, 404, 404, 404),
    row("GET",    "/api/v1/me/",                                 401, 200, 200, 200, 200, 200, 200),
    # Public: email and password are the credentials (a GET is refused, for anyone).
    row("GET",    "/api/v1/auth/token/",                         405, 405, 405, 405, 405, 405, 405),
    row("POST",   "/api/v1/auth/token/",                         200, 200, 200, 200, 200, 200, 200,
        data={"email": "{officer_email}", "password": PASSWORD}),
    row("GET",    "/api/v1/countries/",                          401, 200, 200, 200, 200, 200, 200),
    row("GET",    "/api/v1/countries/{country}/",                401, 200, 200, 200, 200, 200, 200),
    row("GET",    "/api/v1/cities/",                             401, 200, 200, 200, 200, 200, 200),
    row("GET",    "/api/v1/cities/{city}/",                      401, 200, 200, 200, 200, 200, 200),
    # A city's profile is changed by its officers and programme admins; anyone else: 404.
    row("PATCH",  "/api/v1/cities/{city}/",                      401, 200, 404, 404, 404, 404, 200,
        data={"description": "A port city on the Tagus."}),
    row("GET",    "/api/v1/climate-actions/",                    401, 200, 200, 200, 200, 200, 200),
    row("POST",   "/api/v1/climate-actions/",                    401, 201, 403, 201, 201, 403, 201,
        data=NEW_ACTION),
    row("GET",    "/api/v1/climate-actions/{action}/",           401, 200, 200, 200, 200, 200, 200),
    row("PUT",    "/api/v1/climate-actions/{action}/",           401, 200, 404, 200, 200, 404, 200,
        data={"title": "Energy communities", "sector": "{sector}"}),
    row("PATCH",  "/api/v1/climate-actions/{action}/",           401, 200, 404, 200, 200, 404, 200,
        data={"title": "Energy communities"}),
    row("GET",    "/api/v1/cohorts/",                            401, 200, 200, 200, 200, 200, 200),
    # Officers see the cohorts open to them (this one runs until after today) and their own.
    row("GET",    "/api/v1/cohorts/{cohort}/",                   401, 200, 200, 200, 404, 404, 200),
    # A cohort's phases and thematic groups are seen by whoever sees the cohort.
    row("GET",    "/api/v1/phases/",                             401, 200, 200, 200, 200, 200, 200),
    row("GET",    "/api/v1/phases/{phase}/",                     401, 200, 200, 200, 404, 404, 200),
    row("GET",    "/api/v1/thematic-groups/",                    401, 200, 200, 200, 200, 200, 200),
    row("GET",    "/api/v1/thematic-groups/{group}/",            401, 200, 200, 200, 404, 404, 200),
    # The programme's reference lists: every signed-in person.
    row("GET",    "/api/v1/sectors/",                            401, 200, 200, 200, 200, 200, 200),
    row("GET",    "/api/v1/sectors/{sector_id}/",                401, 200, 200, 200, 200, 200, 200),
    row("GET",    "/api/v1/enabling-factors/",                   401, 200, 200, 200, 200, 200, 200),
    row("GET",    "/api/v1/enabling-factors/{factor}/",          401, 200, 200, 200, 200, 200, 200),
    row("GET",    "/api/v1/enabling-themes/",                    401, 200, 200, 200, 200, 200, 200),
    row("GET",    "/api/v1/enabling-themes/{theme}/",            401, 200, 200, 200, 200, 200, 200),
    row("GET",    "/api/v1/enrolments/",                         401, 200, 200, 200, 200, 200, 200),
    # A city the caller is not an officer of is an invalid choice (400), for anyone.
    row("POST",   "/api/v1/enrolments/",                         401, 400, 201, 400, 400, 400, 400,
        data=ENROL_OTHER_CITY),
    row("GET",    "/api/v1/enrolments/{enrolment}/",             401, 200, 404, 200, 404, 404, 200),
    row("POST",   "/api/v1/enrolments/{requested}/accept/",      401, 404, 404, 200, 404, 404, 200),
    row("POST",   "/api/v1/enrolments/{requested}/decline/",     401, 404, 404, 200, 404, 404, 200),
    row("GET",    "/api/v1/sessions/",                           401, 200, 200, 200, 200, 200, 200),
    row("GET",    "/api/v1/sessions/{session}/",                 401, 200, 404, 200, 404, 404, 200),
    # A presentation is seen by whoever sees its session.
    row("GET",    "/api/v1/session-presentations/",              401, 200, 200, 200, 200, 200, 200),
    row("GET",    "/api/v1/session-presentations/{presentation}/",
                                                                 401, 200, 404, 200, 404, 404, 200),
    row("GET",    "/api/v1/sessions/{session}/attendance/",      401, 403, 404, 200, 404, 404, 200),
    row("POST",   "/api/v1/sessions/{session}/attendance/",      401, 403, 404, 200, 404, 404, 200,
        data=ATTENDED, state=STARTED),
    row("GET",    "/api/v1/registrations/",                      401, 200, 200, 200, 200, 200, 200),
    # Only the officer's own city is a valid choice; the other officer cannot see the session.
    row("POST",   "/api/v1/registrations/",                      401, 201, 400, 400, 400, 400, 400,
        data=REGISTER_BEA),
    row("GET",    "/api/v1/registrations/{registration}/",       401, 200, 404, 200, 404, 404, 200),
    row("DELETE", "/api/v1/registrations/{registration}/",       401, 204, 404, 204, 404, 404, 204),
    row("GET",    "/api/v1/roadmaps/",                           401, 200, 200, 200, 200, 200, 200),
    row("GET",    "/api/v1/roadmaps/{roadmap}/",                 401, 200, 404, 200, 404, 404, 200),
    # The services a roadmap's Phase 3 picks from: every signed-in person.
    row("GET",    "/api/v1/netzerocities-services/",             401, 200, 200, 200, 200, 200, 200),
    row("GET",    "/api/v1/netzerocities-services/{nzc_service}/",
                                                                 401, 200, 200, 200, 200, 200, 200),
    row("POST",   "/api/v1/roadmaps/{roadmap}/fields/",          401, 200, 404, 403, 404, 404, 200,
        data=FIELD),
    # Submitted: the service refuses every visible caller for the state first (400, read-only),
    # before asking who they are (roadmaps/services.py, "Decision").
    row("POST",   "/api/v1/roadmaps/{roadmap}/fields/",          401, 400, 404, 400, 404, 404, 400,
        data=FIELD, state=SUBMITTED),
    row("GET",    "/api/v1/roadmaps/{roadmap}/history/",         401, 200, 404, 200, 404, 404, 200),
    row("POST",   "/api/v1/roadmaps/{roadmap}/submit/",          401, 400, 404, 403, 404, 404, 400,
        data={}),
    # Submitted: the service says so (400), to every caller who can see the roadmap.
    row("POST",   "/api/v1/roadmaps/{roadmap}/submit/",          401, 400, 404, 400, 404, 404, 400,
        data={}, state=SUBMITTED),
    row("GET",    "/api/v1/roadmaps/{roadmap}/comments/",        401, 200, 404, 200, 404, 404, 200),
    row("POST",   "/api/v1/roadmaps/{roadmap}/comments/",        401, 403, 404, 201, 404, 404, 201,
        data={"section": "phase1", "body": "Name the second cause."}),
    row("POST",   "/api/v1/roadmaps/{roadmap}/return/",          401, 403, 404, 200, 404, 404, 200,
        data={"note": ""}, state=SUBMITTED),
    row("POST",   "/api/v1/roadmaps/{roadmap}/accept/",          401, 403, 404, 200, 404, 404, 200,
        data={"note": ""}, state=SUBMITTED),
    # Answering a survey (feedback/views_answer.py): the people it asks; those who build or
    # read it are refused (403), everyone else does not find it (404).
    row("GET",    "/surveys/{survey}/",                            L, 200, 404, 403, 404, 404, 403),
    row("POST",   "/surveys/{survey}/",                            L, 302, 404, 403, 404, 404, 403),
    row("GET",    "/surveys/{survey}/answer/1/",                   L, 200, 404, 403, 404, 404, 403),
    row("POST",   "/surveys/{survey}/answer/1/",                   L, 302, 404, 403, 404, 404, 403,
        data={"action": "save"}),
    row("GET",    "/surveys/{survey}/answer/done/",                L, 200, 404, 403, 404, 404, 403),
    # A survey still being built asks nobody yet.
    row("GET",    "/surveys/{draft_survey}/",                      L, 404, 404, 403, 404, 404, 403),
    # --- Group Study Visits: applying (visits/views_applying.py) ------------------------------
    # Applying is for an officer of an eligible city: the city's draft already exists, so the
    # start answers with it (302 to its page). Those who see the call but may not apply (its
    # cohort's facilitator, the application's reviewer, admins): 403; the others: 404.
    row("POST",   "/visits/calls/{call}/apply/",                   L, 302, 404, 403, 404, 403, 403,
        data={}),
    # The application: its city's officers, its reviewer and admins read it; only the officers
    # change it (the service refuses the others: 403); everyone else does not find it (404).
    row("GET",    "/visits/applications/{application}/",           L, 200, 404, 404, 404, 200, 200),
    row("POST",   "/visits/applications/{application}/",           L, 302, 404, 404, 404, 403, 403,
        data={"action": "save"}),
    row("POST",   "/visits/applications/{application}/autosave/", 401, 200, 404, 404, 404, 403, 403,
        data={"motivation": "We want to learn."}),
    # --- Feedback surveys: the API (feedback/api.py) ------------------------------------------
    # A survey is seen by those who build it (drafts too) and by those it asks once published;
    # everyone else: 404. Answering is for those it asks (403 to its builders); responses and
    # results for those who read its results (403 to those it asks), as the pages.
    row("GET",    "/api/v1/surveys/",                            401, 200, 200, 200, 200, 200, 200),
    row("GET",    "/api/v1/surveys/{survey}/",                   401, 200, 404, 200, 404, 404, 200),
    row("GET",    "/api/v1/surveys/{draft_survey}/",             401, 404, 404, 200, 404, 404, 200),
    row("GET",    "/api/v1/surveys/{programme_survey}/",         401, 200, 200, 404, 404, 404, 200),
    row("GET",    "/api/v1/surveys/{survey}/response/",          401, 200, 404, 403, 404, 404, 403),
    row("PUT",    "/api/v1/surveys/{survey}/response/",          401, 200, 404, 403, 404, 404, 403,
        data={"answers": {}}),
    row("POST",   "/api/v1/surveys/{survey}/response/submit/",   401, 200, 404, 403, 404, 404, 403,
        data={}),
    row("GET",    "/api/v1/surveys/{survey}/responses/",         401, 403, 404, 200, 404, 404, 200),
    row("GET",    "/api/v1/surveys/{survey}/results/",           401, 403, 404, 200, 404, 404, 200),
    row("GET",    "/api/v1/surveys/{programme_survey}/results/", 401, 403, 403, 404, 404, 404, 200),
    # --- Group Study Visits: the API (visits/api.py) -------------------------------------------
    # The calls one sees (visits.selectors.calls_visible_to), as the pages; the allocation and
    # the admin's actions are the admins' (403 to the others who see the call), save that an
    # officer whose city's submitted application has a published decision reads it (VISITED).
    row("GET",    "/api/v1/visit-calls/",                        401, 200, 200, 200, 200, 200, 200),
    row("GET",    "/api/v1/visit-calls/{call}/",                 401, 200, 404, 200, 404, 200, 200),
    row("GET",    "/api/v1/visit-calls/{call}/allocation/",      401, 403, 404, 403, 404, 403, 200),
    row("GET",    "/api/v1/visit-calls/{call}/allocation/",      401, 200, 404, 403, 404, 403, 200,
        state=VISITED),
    row("POST",   "/api/v1/visit-calls/{call}/allocation/run/",  401, 403, 404, 403, 404, 403, 200),
    # Nothing is decided yet: the service says so (400).
    row("POST",   "/api/v1/visit-calls/{call}/allocation/publish/",
                                                                 401, 403, 404, 403, 404, 403, 400),
    row("POST",   "/api/v1/visit-calls/{call}/scoring/",         401, 403, 404, 403, 404, 403, 202),
    # Applications: seen by the city's officers, its reviewer and admins (404 to the rest);
    # changed only by the city's officers (the service refuses the others: 403). Starting one:
    # the city has applied already (400); a call one does not see is an invalid choice (400);
    # those who see it but may not apply: 403.
    row("GET",    "/api/v1/visit-applications/",                 401, 200, 200, 200, 200, 200, 200),
    row("POST",   "/api/v1/visit-applications/",                 401, 400, 400, 403, 400, 403, 403,
        data={"call": "{call}"}),
    row("GET",    "/api/v1/visit-applications/{application}/",   401, 200, 404, 404, 404, 200, 200),
    row("PUT",    "/api/v1/visit-applications/{application}/",   401, 200, 404, 404, 404, 403, 403,
        data={"motivation": "We want to learn."}),
    # Incomplete: the service lists what is missing (400), to the city's officers only.
    row("POST",   "/api/v1/visit-applications/{application}/submit/",
                                                                 401, 400, 404, 404, 404, 403, 403),
    row("POST",   "/api/v1/visit-applications/{application}/withdraw/",
                                                                 401, 200, 404, 404, 404, 403, 403),
    # "Why this score", as its page.
    row("GET",    "/api/v1/visit-applications/{application}/score/",
                                                                 401, 403, 404, 404, 404, 403, 200),
    row("GET",    "/api/v1/visit-applications/{application}/score/",
                                                                 401, 200, 404, 404, 404, 403, 200,
        state=PUBLISHED),
    # Reviews: one's own only; anyone else's is not found.
    row("GET",    "/api/v1/visit-reviews/",                      401, 200, 200, 200, 200, 200, 200),
    row("GET",    "/api/v1/visit-reviews/{review}/",             401, 404, 404, 404, 404, 200, 404),
    row("PUT",    "/api/v1/visit-reviews/{review}/",             401, 404, 404, 404, 404, 200, 404,
        data={"comment": "Promising"}),
    # Not every criterion is scored: the service names them (400).
    row("POST",   "/api/v1/visit-reviews/{review}/submit/",      401, 404, 404, 404, 404, 400, 404,
        data={}),
    row("POST",   "/api/v1/visit-reviews/{review}/recuse/",      401, 404, 404, 404, 404, 200, 404,
        data={"reason": "I advised this city last year."}),
    # --- The analysts' export (reports.api) -------------------------------------------------------
    # Programme admins and facilitators (each gets the cohorts they report on; a facilitator no
    # personal column); anyone else signed in 403. A cohort a facilitator does not facilitate
    # is refused as an invalid choice (400).
    row("GET",    "/api/v1/datasets/",                           401, 403, 403, 200, 200, 403, 200),
    row("GET",    "/api/v1/datasets/dictionary.csv",             401, 403, 403, 200, 200, 403, 200),
    row("GET",    "/api/v1/datasets/{dataset}/",                 401, 403, 403, 200, 200, 403, 200),
    row("GET",    "/api/v1/datasets/{dataset}/?cohort={cohort}", 401, 403, 403, 200, 400, 403, 200),
    # --- Group Study Visits: reviewing (visits.views_reviewing) -----------------------------------
    # Each person's list of their own assigned applications (empty for those with none). The
    # review page is the assigned reviewer's and the admins' (who see every score and score
    # nothing: 403 to their post); everyone else, the city's officers included, gets 404. The
    # call's assignment page is the admins'; those who see the call get 403, others 404.
    row("GET",    "/visits/reviews/",                              L, 200, 200, 200, 200, 200, 200),
    row("GET",    "/visits/reviews/{application}/",                L, 404, 404, 404, 404, 200, 200),
    row("POST",   "/visits/reviews/{application}/",                L, 404, 404, 404, 404, 302, 403,
        data={"action": "save", "comment": "Promising"}),
    row("POST",   "/visits/reviews/{application}/recuse/",         L, 404, 404, 404, 404, 302, 403,
        data={"reason": "I advised this city last year."}),
    row("GET",    "/visits/calls/{call}/reviewers/",               L, 403, 404, 403, 404, 403, 200),
    row("POST",   "/visits/calls/{call}/reviewers/",               L, 403, 404, 403, 404, 403, 302,
        data={"action": "auto"}),
    # --- Reminders (reminders/views*.py) ---------------------------------------------------------
    # Everyone signed in chooses their own reminders. An unsubscribe link opens for anyone who
    # holds it, signed in or not: the signed address in it is the credential, and a GET changes
    # nothing; a link that is not one the portal signed is a 400 for all. The outbox and the
    # rules are the programme admins' (403 to everyone else signed in); cancelling a failed
    # email leaves it as it is, with a message (302).
    row("GET",    "/reminders/preferences/",                       L, 200, 200, 200, 200, 200, 200),
    row("POST",   "/reminders/preferences/",                       L, 302, 302, 302, 302, 302, 302,
        data={"session_starts": "on"}),
    row("GET",    "/reminders/unsubscribe/{unsubscribe}/",       200, 200, 200, 200, 200, 200, 200),
    row("POST",   "/reminders/unsubscribe/{unsubscribe}/",       200, 200, 200, 200, 200, 200, 200),
    row("GET",    "/reminders/unsubscribe/not-a-link/",          400, 400, 400, 400, 400, 400, 400),
    row("GET",    "/reminders/outbox/",                            L, 403, 403, 403, 403, 403, 200),
    row("GET",    "/reminders/outbox/{outbox_email}/",             L, 403, 403, 403, 403, 403, 200),
    row("POST",   "/reminders/outbox/cancel/",                     L, 403, 403, 403, 403, 403, 302,
        data={"only": "{outbox_email}"}),
    row("POST",   "/reminders/outbox/send-again/",                 L, 403, 403, 403, 403, 403, 302,
        data={"only": "{outbox_email}"}),
    row("GET",    "/reminders/rules/",                             L, 403, 403, 403, 403, 403, 200),
    row("GET",    "/reminders/rules/session_starts/",              L, 403, 403, 403, 403, 403, 200),
    row("POST",   "/reminders/rules/session_starts/",              L, 403, 403, 403, 403, 403, 302,
        data={"enabled": "on", "timing": "24h 1h"}),
    # --- Reports (reports/views*.py): the programme dashboard is programme admins' only. -------
    row("GET",    "/reports/",                                     L, 403, 403, 403, 403, 403, 200),
    row("GET",    "/reports/charts/countries.svg",                 L, 403, 403, 403, 403, 403, 200),
    row("GET",    "/reports/charts/no-such-chart.svg",             L, 403, 403, 403, 403, 403, 404),
    # Cohort reports: admins and the cohort's facilitators; another cohort's facilitator: 404.
    row("GET",    "/reports/cohorts/",                             L, 403, 403, 200, 200, 403, 200),
    row("GET",    "/reports/cohorts/{cohort}/",                    L, 403, 403, 200, 404, 403, 200),
    row("GET",    "/reports/cohorts/{cohort}/charts/roadmaps.svg", L, 403, 403, 200, 404, 403, 200),
    row("GET",    "/reports/cohorts/{cohort}/charts/types.svg",    L, 403, 403, 404, 404, 403, 404),
    row("GET",    "/reports/cohorts/compare/",                     L, 403, 403, 200, 200, 403, 200),
    row("GET",    "/reports/report.xlsx",                          L, 403, 403, 403, 403, 403, 200),
    row("GET",    "/reports/report.pdf",                           L, 403, 403, 403, 403, 403, 200),
    row("GET",    "/reports/cohorts/{cohort}/report.xlsx",         L, 403, 403, 200, 404, 403, 200),
    row("GET",    "/reports/cohorts/{cohort}/report.pdf",          L, 403, 403, 200, 404, 403, 200),
    row("GET",    "/reports/cohorts/compare/report.xlsx",          L, 403, 403, 302, 302, 403, 302),
    # --- Report exports (reports/views_exports.py) ----------------------------------------------
    # Programme admins and facilitators export (reports.export_data; 403 to everyone else signed
    # in); an export is opened by whoever asked for it and by admins, a 404 to anyone else who
    # exports. Asking for one with a data set not offered goes back to the list with a message.
    row("GET",    "/reports/exports/",                             L, 403, 403, 200, 200, 403, 200),
    row("POST",   "/reports/exports/start/",                       L, 403, 403, 302, 302, 403, 302,
        data={"dataset": "cities", "format": "csv"}),
    row("GET",    "/reports/exports/{report_export}/",             L, 403, 403, 200, 404, 403, 200),
    row("GET",    "/reports/exports/{report_export}/download/",    L, 403, 403, 200, 404, 403, 200),
]
# fmt: on


@dataclass(frozen=True)
class Exclusion:
    name: str
    reason: str
    pattern: str  # a regular expression over the route (or, with `module`, the view's module)
    module: bool = False

    def matches(self, route: str, module: str) -> bool:
        return re.search(self.pattern, module if self.module else route) is not None


EXCLUDED = [
    Exclusion(
        "the Django admin's pages",
        "every page of admin.site is wrapped in AdminSite.admin_view (programme admins only); "
        "the rows for /admin/, /admin/login/ and two change lists show that guard",
        r"^admin/",
    ),
    Exclusion(
        "allauth's sign-in flows",
        "allauth's own pages for signing in, confirming an address and resetting a password, "
        "made for people not signed in; the rows for sign-in, sign-out, sign-up and password "
        "change show how the portal uses them",
        r"^allauth\.",
        module=True,
    ),
    Exclusion(
        "the API's format suffixes",
        "the router repeats each API route with .<format> (and the root with <format>): the same "
        "view and permission as the route's row",
        r"(\(\?P<format>|<drf_format_suffix:format>)",
    ),
]


# --- Coverage: every route and every operation has a row --------------------------------------


def _join_route(prefix: str, route: str) -> str:
    # As django.urls.resolvers does for ResolverMatch.route: the inner "^" is dropped.
    return prefix + route.removeprefix("^") if prefix else route


def url_routes(patterns=None, prefix="") -> dict[str, str]:
    """Every route of the URL configuration (as ResolverMatch.route) -> its view's module."""
    routes = {}
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = _join_route(prefix, str(pattern.pattern))
        if isinstance(pattern, URLResolver):
            routes.update(url_routes(pattern.url_patterns, route))
        elif isinstance(pattern, URLPattern):
            callback = pattern.callback
            routes[route] = getattr(callback, "__module__", "") or ""
    return routes


def _placeholders_filled(path: str) -> str:
    return re.sub(r"\{\w+\}", "1", path)


def _route_of(row: Row) -> str:
    return resolve(urlsplit(_placeholders_filled(row.path)).path).route


def _operation_of(row: Row) -> tuple[str, str]:
    return row.method, re.sub(r"\{\w+\}", "{id}", urlsplit(row.path).path)


def test_every_route_has_a_row():
    routes = url_routes()
    covered = {_route_of(r) for r in ROWS}

    assert covered - routes.keys() == set()  # each row resolves to a route found by the walk
    missing = sorted(
        route
        for route, module in routes.items()
        if route not in covered and not any(e.matches(route, module) for e in EXCLUDED)
    )
    assert missing == [], f"routes without a row in ROWS: {missing}"


@pytest.mark.parametrize("exclusion", EXCLUDED, ids=lambda e: e.name)
def test_each_exclusion_still_matches_a_route(exclusion):
    covered = {_route_of(r) for r in ROWS}

    matched = [
        route
        for route, module in url_routes().items()
        if route not in covered and exclusion.matches(route, module)
    ]

    assert matched != [], f"{exclusion.name}: no route matches {exclusion.pattern!r} any more"


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def test_every_api_operation_has_a_row(schema):
    operations = {
        # A path parameter by any name ({key} of a data set) stands as {id}, as in the rows.
        (method.upper(), re.sub(r"\{\w+\}", "{id}", path))
        for path, item in schema["paths"].items()
        for method in item
        if method in {"get", "put", "patch", "post", "delete"}
    }
    rows = {_operation_of(r) for r in ROWS}
    missing = sorted(operations - rows)

    assert missing == [], f"API operations without a row in ROWS: {missing}"


def test_rows_are_unique():
    seen = [(r.method, r.path, r.state) for r in ROWS]

    assert len(seen) == len(set(seen))


# --- The matrix -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The people and objects, made once for the module inside a transaction rolled back at its
    end; each test runs in a savepoint of it (pytest-django's `db`), and each request in one
    more, so every role meets the objects as they were built."""
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")),
        transaction.atomic(),
    ):
        yield build_world()
        transaction.set_rollback(True)


def _fill(value, ids):
    if isinstance(value, str):
        return value.format_map(ids)
    if isinstance(value, dict):
        return {key: _fill(item, ids) for key, item in value.items()}
    if isinstance(value, list):
        return [_fill(item, ids) for item in value]
    return value


def _set_state(world, state):
    now = timezone.now()
    if state == STARTED:
        type(world.session).objects.filter(pk=world.session.pk).update(
            starts_at=now - datetime.timedelta(minutes=30),
            ends_at=now + datetime.timedelta(minutes=60),
        )
    elif state == SUBMITTED:
        type(world.roadmap).objects.filter(pk=world.roadmap.pk).update(
            status=RoadmapStatus.SUBMITTED, submitted_at=now
        )
    elif state == VISITED:
        application = Application.objects.select_related("call").get(pk=world.ids["application"])
        Call.objects.filter(pk=application.call_id).update(
            status=CallStatus.PUBLISHED, published_at=now
        )
        application.status = ApplicationStatus.SUBMITTED
        application.decision = Decision.SELECTED
        application.allocated_visit_id = world.ids["visit"]
        application.action_plan_file.save("plan.txt", ContentFile(b"Our plan"), save=False)
        application.save()
    elif state == REVIEWED:
        Review.objects.filter(pk=world.ids["review"]).update(
            status=ReviewStatus.SUBMITTED, submitted_at=now
        )
    elif state == PUBLISHED:
        Call.objects.filter(pk=world.ids["call"]).update(
            status=CallStatus.PUBLISHED, published_at=now
        )


def _request(world, role, row: Row):
    client = world.client(role)
    path = row.path.format_map(world.ids)
    data = _fill(row.data or {}, world.ids)
    kwargs = {"content_type": "application/json"} if row.is_json else {}
    with transaction.atomic():
        response = getattr(client, row.method.lower())(path, data, **kwargs)
        transaction.set_rollback(True)
    return path, response


def _outcome(path, response):
    if response.status_code == 302:
        location = urlsplit(response["Location"])
        query = parse_qs(location.query)
        for outcome, name in ((LOGIN, "account_login"), (ADMIN_LOGIN, "admin:login")):
            if location.path == reverse(name) and query.get("next") == [path]:
                return outcome
    return response.status_code


@pytest.mark.parametrize("matrix_row", ROWS, ids=str)
def test_matrix(world, db, matrix_row):
    _set_state(world, matrix_row.state)
    observed = {}
    for role in ROLES:
        path, response = _request(world, role, matrix_row)
        observed[role] = _outcome(path, response)
        if path.startswith("/api/v1/") and response.status_code == 401:
            assert response["WWW-Authenticate"] == "Token"
            assert response.json()["error"]["code"] == "not_authenticated"

    assert observed == dict(zip(ROLES, matrix_row.expected, strict=True))


def test_admin_login_sends_anonymous_people_to_allauth_sign_in(client, db):
    response = client.get("/admin/", follow=True)

    assert response.redirect_chain == [
        ("/admin/login/?next=/admin/", 302),
        ("/accounts/login/?next=%2Fadmin%2F", 302),
    ]
    assert response.status_code == 200


def test_admin_for_signed_in_facilitator_ends_in_403(client, facilitator):
    client.force_login(facilitator)

    response = client.get("/admin/", follow=True)

    assert response.redirect_chain == [("/admin/login/?next=/admin/", 302)]
    assert response.status_code == 403


# --- Admins and states: a started session, a submitted roadmap ---------------------------------


def _messages(page: str) -> list[str]:
    return [
        " ".join(message.split())
        for message in re.findall(r'<p class="message [^"]*">(.*?)</p>', page, re.S)
    ]


def test_admin_is_offered_cancel_before_a_session_starts_and_nothing_once_it_has(world, db):
    session = world.session
    cancel = f'action="/sessions/{session.pk}/cancel/"'
    register = f'href="/sessions/{session.pk}/register/"'
    admin, officer = world.client("admin"), world.client("officer")

    before = admin.get(f"/sessions/{session.pk}/").content.decode()
    before_officer = officer.get(f"/sessions/{session.pk}/").content.decode()
    _set_state(world, STARTED)
    after = admin.get(f"/sessions/{session.pk}/").content.decode()
    after_officer = officer.get(f"/sessions/{session.pk}/").content.decode()

    assert (cancel in before, register in before, register in before_officer) == (
        True,
        False,
        True,
    )
    assert (cancel in after, register in after, register in after_officer) == (False, False, False)


def test_admin_cannot_cancel_a_started_session(world, db):
    _set_state(world, STARTED)
    session = world.session

    response = world.client("admin").post(f"/sessions/{session.pk}/cancel/", follow=True)

    session.refresh_from_db()
    assert response.redirect_chain == [(f"/sessions/{session.pk}/", 302)]
    assert _messages(response.content.decode()) == [
        "This session has started: it can no longer be cancelled."
    ]
    assert session.status == SessionStatus.SCHEDULED


def test_admin_cannot_register_people_for_a_started_session(world, db):
    _set_state(world, STARTED)
    session = world.session
    admin = world.client("admin")
    data = _fill(REGISTER_PEOPLE, world.ids)

    page = admin.get(f"/sessions/{session.pk}/register/")
    posted = admin.post(f"/sessions/{session.pk}/register/", data)

    assert (page.status_code, posted.status_code) == (403, 403)
    assert list(session.registrations.values_list("full_name", flat=True)) == ["Rui Costa"]


def test_admin_cannot_write_a_submitted_roadmap(world, db):
    _set_state(world, SUBMITTED)
    roadmap = world.roadmap
    admin = world.client("admin")
    read_only = "This roadmap has been submitted and can no longer be changed."

    page = admin.get(f"/roadmaps/{roadmap.pk}/")
    form = admin.post(
        f"/roadmaps/{roadmap.pk}/", {"phase1.cause_1": "Tourism", "version.phase1.cause_1": "0"}
    )
    autosave = admin.post(
        f"/roadmaps/{roadmap.pk}/autosave/", FIELD, content_type="application/json"
    )
    api = admin.post(
        f"/api/v1/roadmaps/{roadmap.pk}/fields/", FIELD, content_type="application/json"
    )
    submit = admin.post(f"/api/v1/roadmaps/{roadmap.pk}/submit/", content_type="application/json")

    assert page.status_code == 200
    assert f'<p class="message message-warning" data-read-only>{read_only}</p>' in (
        page.content.decode()
    )
    assert 'name="version.phase1.cause_1"' not in page.content.decode()
    assert form.status_code == 403
    assert (autosave.status_code, autosave.json()["error"]["message"]) == (403, read_only)
    assert (api.status_code, api.json()["error"]["message"]) == (400, read_only)
    assert (submit.status_code, submit.json()["error"]["message"]) == (
        400,
        "This roadmap has already been submitted.",
    )
    assert not RoadmapValue.objects.filter(roadmap=roadmap).exists()


def test_admin_writes_a_draft_roadmap(world, db):
    """The counterpart of the test above: the same requests on a draft are saved."""
    roadmap = world.roadmap
    admin = world.client("admin")

    page = admin.get(f"/roadmaps/{roadmap.pk}/")
    autosave = admin.post(
        f"/roadmaps/{roadmap.pk}/autosave/", FIELD, content_type="application/json"
    )

    assert 'name="version.phase1.cause_1"' in page.content.decode()
    assert (autosave.status_code, autosave.json()["version"]) == (200, 1)
    assert list(RoadmapValue.objects.filter(roadmap=roadmap).values_list("key", "value")) == [
        ("phase1.cause_1", "Tourism")
    ]


# --- The rules --------------------------------------------------------------------------------

T, F = True, False

# fmt: off
RULES = [
    #   rule                              object          state       an  of  of2 fa  fa2 rv  ad
    ("accounts.list_facilitators",        None,           None,      (F,  F,  F,  T,  T,  F,  T)),
    ("accounts.create_api_token",         "officer",      None,      (F,  T,  F,  F,  F,  F,  F)),
    ("accounts.create_api_token",         "script_account", None,    (F,  F,  F,  F,  F,  F,  T)),
    ("accounts.revoke_api_token",         "api_token",    None,      (F,  T,  F,  F,  F,  F,  T)),
    ("accounts.revoke_api_tokens_of",     "officer",      None,      (F,  T,  F,  F,  F,  F,  T)),
    ("accounts.change_own_account",       "officer",      None,      (F,  T,  F,  F,  F,  F,  F)),
    ("cities.add_invitation",             None,           None,      (F,  F,  F,  T,  T,  F,  T)),
    ("cities.add_invitation",             "city",         None,      (F,  F,  F,  T,  F,  F,  T)),
    ("cities.add_invitation",             "other_city",   None,      (F,  F,  F,  F,  T,  F,  T)),
    # Sent to an address none of these people has: nobody accepts it for its invitee.
    ("cities.accept_invitation",          "invitation",   None,      (F,  F,  F,  F,  F,  F,  F)),
    ("cities.view_invitation",            None,           None,      (F,  F,  F,  T,  T,  F,  T)),
    ("cities.view_city",                  None,           None,      (F,  T,  T,  T,  T,  T,  T)),
    ("cities.view_city",                  "city",         None,      (F,  T,  T,  T,  T,  T,  T)),
    ("cities.view_country",               None,           None,      (F,  T,  T,  T,  T,  T,  T)),
    ("cities.change_city",                None,           None,      (F,  F,  F,  F,  F,  F,  T)),
    ("cities.change_city",                "city",         None,      (F,  F,  F,  F,  F,  F,  T)),
    ("cities.change_city_profile",        "city",         None,      (F,  T,  F,  F,  F,  F,  T)),
    ("cities.change_city_profile",        "other_city",   None,      (F,  F,  T,  F,  F,  F,  T)),
    ("cities.view_city_officers",         "city",         None,      (F,  T,  F,  T,  T,  F,  T)),
    ("cities.view_city_officers",         "other_city",   None,      (F,  F,  T,  T,  T,  F,  T)),
    ("cities.view_climateaction",         None,           None,      (F,  T,  T,  T,  T,  T,  T)),
    ("cities.add_climateaction",          "city",         None,      (F,  T,  F,  T,  T,  F,  T)),
    ("cities.add_climateaction",          "other_city",   None,      (F,  F,  T,  T,  T,  F,  T)),
    ("cities.change_climateaction",       "action",       None,      (F,  T,  F,  T,  T,  F,  T)),
    ("cohorts.add_cohort",                None,           None,      (F,  F,  F,  T,  T,  F,  T)),
    ("cohorts.change_cohort",             "cohort",       None,      (F,  F,  F,  T,  F,  F,  T)),
    ("cohorts.view_cohort",               "cohort",       None,      (F,  F,  F,  T,  F,  F,  T)),
    ("cohorts.view_cohort_programme",     "cohort",       None,      (F,  T,  F,  T,  F,  F,  T)),
    ("cohorts.decide_enrolment",          "cohort",       None,      (F,  F,  F,  T,  F,  F,  T)),
    ("cohorts.request_enrolment",         None,           None,      (F,  T,  T,  F,  F,  F,  F)),
    ("cohorts.request_enrolment",         "city",         None,      (F,  T,  F,  F,  F,  F,  F)),
    ("peer_sessions.view_session",        None,           None,      (F,  T,  T,  T,  T,  T,  T)),
    ("peer_sessions.add_session",         "cohort",       None,      (F,  F,  F,  T,  F,  F,  T)),
    ("peer_sessions.change_session",      "session",      None,      (F,  F,  F,  T,  F,  F,  T)),
    ("peer_sessions.cancel_session",      "session",      None,      (F,  F,  F,  T,  F,  F,  T)),
    ("peer_sessions.cancel_session",      "session",      STARTED,   (F,  F,  F,  F,  F,  F,  F)),
    ("peer_sessions.record_attendance",   "session",      None,      (F,  F,  F,  T,  F,  F,  T)),
    ("peer_sessions.add_registration",    "session",      None,      (F,  T,  F,  F,  F,  F,  F)),
    ("peer_sessions.add_registration",    "session",      STARTED,   (F,  F,  F,  F,  F,  F,  F)),
    ("peer_sessions.register_city",       "city",         None,      (F,  T,  F,  F,  F,  F,  T)),
    ("peer_sessions.view_registration",   None,           None,      (F,  T,  T,  T,  T,  T,  T)),
    ("peer_sessions.reset_calendar_feed", None,           None,      (F,  T,  T,  T,  T,  T,  T)),
    ("peer_sessions.delete_registration", "registration", None,      (F,  T,  F,  T,  F,  F,  T)),
    ("roadmaps.view_roadmap",             "roadmap",      None,      (F,  T,  F,  T,  F,  F,  T)),
    ("roadmaps.change_roadmap",           "roadmap",      None,      (F,  T,  F,  F,  F,  F,  T)),
    ("roadmaps.change_roadmap",           "roadmap",      SUBMITTED, (F,  F,  F,  F,  F,  F,  F)),
    ("roadmaps.submit_roadmap",           "roadmap",      None,      (F,  T,  F,  F,  F,  F,  T)),
    ("roadmaps.submit_roadmap",           "roadmap",      SUBMITTED, (F,  F,  F,  F,  F,  F,  F)),
    ("roadmaps.comment_roadmap",          "roadmap",      None,      (F,  F,  F,  T,  F,  F,  T)),
    ("roadmaps.review_roadmap",           "roadmap",      None,      (F,  F,  F,  T,  F,  F,  T)),
    ("roadmaps.export_cohort_roadmaps",   "cohort",       None,      (F,  F,  F,  T,  F,  F,  T)),
    ("feedback.add_survey",               "cohort",       None,      (F,  F,  F,  T,  F,  F,  T)),
    ("feedback.add_survey",               None,           None,      (F,  F,  F,  F,  F,  F,  T)),
    ("feedback.change_survey",            "survey",       None,      (F,  F,  F,  T,  F,  F,  T)),
    ("feedback.change_survey",            "programme_survey", None,  (F,  F,  F,  F,  F,  F,  T)),
    ("feedback.view_survey_results",      "survey",       None,      (F,  F,  F,  T,  F,  F,  T)),
    ("feedback.view_survey_results",      "session_survey", None,    (F,  F,  F,  T,  F,  F,  T)),
    ("feedback.send_subtopics",           "session_survey", None,    (F,  F,  F,  T,  F,  F,  T)),
    ("feedback.send_subtopics",           "programme_survey", None,  (F,  F,  F,  F,  F,  F,  T)),
    ("feedback.answer_survey",            "survey",       None,      (F,  T,  F,  F,  F,  F,  F)),
    ("feedback.answer_survey",            "session_survey", None,    (F,  T,  F,  F,  F,  F,  F)),
    ("feedback.answer_survey",            "programme_survey", None,  (F,  T,  T,  F,  F,  F,  F)),
    ("feedback.answer_survey",            "draft_survey", None,      (F,  F,  F,  F,  F,  F,  F)),
    # Group Study Visits (visits/rules.py).
    ("visits.manage_call",                "call",         None,      (F,  F,  F,  F,  F,  F,  T)),
    ("visits.apply",                      "call",         None,      (F,  T,  F,  F,  F,  F,  F)),
    ("visits.view_application",           "application",  None,      (F,  T,  F,  F,  F,  T,  T)),
    ("visits.change_application",         "application",  None,      (F,  T,  F,  F,  F,  F,  F)),
    ("visits.write_action_plan",          "application",  None,      (F,  F,  F,  F,  F,  F,  F)),
    ("visits.write_action_plan",          "application",  VISITED,   (F,  T,  F,  F,  F,  F,  F)),
    ("visits.view_action_plan",           "application",  None,      (F,  T,  F,  F,  F,  F,  T)),
    # The reviewer's own review only (the deadline is the service's to say, with a message).
    ("visits.change_review",              "review",       None,      (F,  F,  F,  F,  F,  T,  F)),
    # Others' scores: admins, and a reviewer once their own review is in.
    ("visits.view_other_scores",          "application",  None,      (F,  F,  F,  F,  F,  F,  T)),
    ("visits.view_other_scores",          "application",  REVIEWED,  (F,  F,  F,  F,  F,  T,  T)),
    ("visits.view_application_score",     "application",  None,      (F,  F,  F,  F,  F,  F,  T)),
    ("visits.view_application_score",     "application",  PUBLISHED, (F,  T,  F,  F,  F,  F,  T)),
    # Reminders (reminders/rules.py).
    ("reminders.view_outbox",             None,           None,      (F,  F,  F,  F,  F,  F,  T)),
    ("reminders.change_rules",            None,           None,      (F,  F,  F,  F,  F,  F,  T)),
    ("reminders.choose_reminders",        None,           None,      (F,  T,  T,  T,  T,  T,  T)),
    # Reports and exports (reports/rules.py).
    ("reports.view_dashboard",            None,           None,      (F,  F,  F,  F,  F,  F,  T)),
    ("reports.view_cohort_reports",       None,           None,      (F,  F,  F,  T,  T,  F,  T)),
    ("reports.export_data",               None,           None,      (F,  F,  F,  T,  T,  F,  T)),
    ("reports.view_personal_data",        None,           None,      (F,  F,  F,  F,  F,  F,  T)),
    ("reports.download_export",           "report_export", None,     (F,  F,  F,  T,  F,  F,  T)),
]
# fmt: on

RULE_OBJECTS = {
    "action": ("cities", "ClimateAction"),
    "api_token": ("accounts", "ApiToken"),
    "invitation": ("cities", "Invitation"),
    "officer": ("accounts", "User"),
    "script_account": ("accounts", "User"),
    "city": ("cities", "City"),
    "cohort": ("cohorts", "Cohort"),
    "other_city": ("cities", "City"),
    "registration": ("peer_sessions", "Registration"),
    "roadmap": ("roadmaps", "Roadmap"),
    "session": ("peer_sessions", "Session"),
    "survey": ("feedback", "Survey"),
    "session_survey": ("feedback", "Survey"),
    "programme_survey": ("feedback", "Survey"),
    "draft_survey": ("feedback", "Survey"),
    "call": ("visits", "Call"),
    "application": ("visits", "Application"),
    "review": ("visits", "Review"),
    "report_export": ("reports", "ExportFile"),
}


def test_every_rule_has_a_row():
    registered, rows = set(rules.permissions.permissions), {r[0] for r in RULES}

    assert sorted(registered - rows) == [], "django-rules permissions without a row in RULES"
    assert sorted(rows - registered) == [], "rows in RULES for permissions no app defines"


@pytest.mark.parametrize(
    ("rule", "obj", "state", "expected"),
    RULES,
    ids=[f"{rule} {obj or ''} {state or ''}".strip() for rule, obj, state, _ in RULES],
)
def test_rule(world, db, rule, obj, state, expected):
    _set_state(world, state)
    instance = None
    if obj is not None:
        # Read again: the state was written to the row.
        instance = apps.get_model(*RULE_OBJECTS[obj]).objects.get(pk=world.rule_object_ids[obj])
    answers = {
        role: (person or AnonymousUser()).has_perm(rule, instance)
        for role, person in world.people.items()
    }

    assert answers == dict(zip(ROLES, expected, strict=True))


# --- Caching shows each person their own page ---------------------------------------------------

# The only parts of a page that differ between two requests of the same person: the masked CSRF
# token (a fresh mask each time) and a calendar's DTSTAMP (when the file was made).
VOLATILE = re.compile(rb'(name="csrfmiddlewaretoken" value=")[^"]+(")|(DTSTAMP:)[0-9TZ]+()')
READ_ROWS = [r for r in ROWS if r.method == "GET" and r.state is None]


def _body(response) -> bytes:
    content = (
        b"".join(response.streaming_content) if response.streaming else bytes(response.content)
    )
    return VOLATILE.sub(rb"\1\3-\2\4", content)


def _read(world, role, row: Row) -> tuple[int, bytes]:
    # Not rolled back, unlike the matrix's requests: a read that creates what it shows (the
    # calendar page makes the person's feed address on first visit) shows the same thereafter.
    response = world.client(role).get(row.path.format_map(world.ids))
    return response.status_code, _body(response)


@pytest.mark.parametrize("matrix_row", READ_ROWS, ids=str)
def test_each_role_sees_its_own_page_after_the_others_filled_the_cache(world, db, matrix_row):
    """Pages and API lists keep fragments in the cache (portal/fragments.py). For every read in
    the matrix, what each role gets after every other role has read the same URL (in both
    orders, so each role follows and precedes each other) is byte for byte what it gets with
    an empty cache: no person is shown what was cached for another, and caching changes no
    page.

    The clock stands still meanwhile: reports say when their figures were read (to the
    minute), and a report read afresh after `cache.clear()` would say a later minute."""
    with time_machine.travel(timezone.now(), tick=False):
        alone = {}
        for role in ROLES:
            cache.clear()
            alone[role] = _read(world, role, matrix_row)

        for order in (ROLES, tuple(reversed(ROLES))):
            cache.clear()
            after_others = {}
            for role in order:
                after_others[role] = _read(world, role, matrix_row)
            assert after_others == alone
