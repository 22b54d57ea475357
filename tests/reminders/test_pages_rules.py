"""The reminder rules page: what each rule does, its setting, and the form that changes it."""

import html
import re

import pytest
from django.test import Client

from notifications.enums import ReminderKind
from reminders.models import ReminderRule
from tests import factories
from tests.queries import session_queries
from tests.reminders.test_services import stub_rules

pytestmark = pytest.mark.django_db

URL = "/reminders/rules/"
EDIT = "/reminders/rules/session_starts/"


@pytest.fixture
def admin():
    return factories.UserFactory(
        is_programme_admin=True, full_name="Ada Admin", time_zone="Europe/Lisbon"
    )


@pytest.fixture
def admin_page(admin):
    client = Client()
    client.force_login(admin)
    return client


def text_of(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def rule_sections(response) -> dict[str, str]:
    assert response.status_code == 200
    return {
        kind: text_of(body)
        for kind, body in re.findall(
            r'<section class="card" id="rule-\w+" [^>]*data-rule="(\w+)">(.*?)</section>',
            response.content.decode(),
            re.S,
        )
    }


def field_errors(response) -> list[str]:
    lists = re.findall(
        r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', response.content.decode(), re.S
    )
    return [text_of(item) for item in lists]


def test_rules_page_says_what_each_rule_does_and_how_it_is_set(admin_page):
    sections = rule_sections(admin_page.get(URL))

    assert list(sections) == ReminderKind.values
    assert {"session_starts": sections["session_starts"]} == {
        "session_starts": (
            "A session you are registered for is about to start "
            "Before a scheduled session starts, with its join link and an .ics file. A moved "
            "session is reminded of at its new time; a cancelled one is not. "
            "Who gets it The people registered for the session (walk-ins are not). "
            "On or off On When 24h 1h before "
            "Last changed Never: it runs as the portal was shipped. "
            "Change “A session you are registered for is about to start”"
        )
    }
    assert "A change applies from the next evaluation of the rules, within a minute" in (
        admin_page.get(URL).content.decode()
    )


def test_every_rule_of_the_catalogue_is_listed_in_its_order(admin_page, monkeypatch):
    stub_rules(monkeypatch)

    sections = rule_sections(admin_page.get(URL))

    assert list(sections) == ReminderKind.values
    assert (
        "Limits At most 2 reminders to one person, at least 3 days apart"
        in (sections["survey_unanswered"])
    )
    assert "Limits" not in sections["phase_closes"]
    assert "When 2d after" in sections["roadmap_returned"]
    assert "When Every week: Monday 08:00" in sections["facilitator_digest"]


def test_admin_changes_a_rule_and_the_page_says_who_and_when(admin_page, admin):
    form = admin_page.get(EDIT).content.decode()
    assert 'name="timing" value="24h 1h"' in form
    assert 'name="enabled" id="id_enabled" checked' in form
    assert "applies from the next evaluation of the rules, within a minute" in form

    response = admin_page.post(EDIT, {"timing": "2h, 48h"}, follow=True)

    assert response.redirect_chain == [(f"{URL}#rule-session_starts", 302)]
    row = ReminderRule.objects.get()
    assert (row.kind, row.enabled, row.offsets, row.updated_by) == (
        ReminderKind.SESSION_STARTS,
        False,
        [2880, 120],
        admin,
    )
    section = rule_sections(response)["session_starts"]
    assert "On or off Off When 2d 2h before" in section
    assert re.search(r"Last changed By Ada Admin, \d+ \w+ \d{4}, \d\d:\d\d", section)
    assert (
        "“A session you are registered for is about to start” is saved. It applies from the "
        "next evaluation of the rules, within a minute."
    ) in html.unescape(response.content.decode())


def test_limits_are_changed_on_a_rule_that_has_them(admin_page, monkeypatch):
    stub_rules(monkeypatch)
    path = "/reminders/rules/survey_unanswered/"
    assert 'name="max_reminders" value="2"' in admin_page.get(path).content.decode()

    response = admin_page.post(
        path, {"enabled": "on", "timing": "5d 2d", "max_reminders": "3", "min_gap_days": "2"}
    )

    assert response.status_code == 302
    assert list(
        ReminderRule.objects.values_list("enabled", "offsets", "max_reminders", "min_gap_days")
    ) == [(True, [2880, 7200], 3, 2)]


def test_a_rule_without_limits_has_no_limit_fields(admin_page):
    form = admin_page.get(EDIT).content.decode()

    assert "max_reminders" not in form and "min_gap_days" not in form


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        (
            {"enabled": "on", "timing": "tomorrow"},
            [
                "“tomorrow” is not a time we can read. Write each time as a number and a unit, "
                "d for days, h for hours or m for minutes, such as 24h 1h, 7d 2d or 30m."
            ],
        ),
        ({"enabled": "on", "timing": ""}, ["This field is required."]),
        (
            {"enabled": "on", "timing": "1h 60m"},
            ["“1h” and “60m” are the same time: give each time once."],
        ),
        (
            {"enabled": "on", "timing": "0m"},
            ["“0m” is no time at all: give times of at least one minute."],
        ),
    ],
)
def test_bad_timing_is_refused_with_the_reason_and_nothing_is_saved(admin_page, data, errors):
    response = admin_page.post(EDIT, data)

    assert response.status_code == 400
    assert field_errors(response) == errors
    # The text typed is given back to correct.
    typed = f' value="{html.escape(data["timing"])}"' if data["timing"] else ""
    assert f'<input type="text" name="timing"{typed} maxlength="300"' in response.content.decode()
    assert not ReminderRule.objects.exists()


AT_LEAST = "Ensure this value is greater than or equal to"
AT_MOST = "Ensure this value is less than or equal to"


@pytest.mark.parametrize(
    ("limits", "error"),
    [
        ({"max_reminders": "0", "min_gap_days": "2"}, f"{AT_LEAST} 1."),
        ({"max_reminders": "11", "min_gap_days": "2"}, f"{AT_MOST} 10."),
        ({"max_reminders": "2", "min_gap_days": "-1"}, f"{AT_LEAST} 0."),
        ({"max_reminders": "two", "min_gap_days": "2"}, "Enter a whole number."),
    ],
)
def test_bad_limits_are_refused(admin_page, monkeypatch, limits, error):
    stub_rules(monkeypatch)

    response = admin_page.post(
        "/reminders/rules/survey_unanswered/", {"enabled": "on", "timing": "2d", **limits}
    )

    assert response.status_code == 400
    assert field_errors(response) == [error]
    assert not ReminderRule.objects.exists()


def test_an_unknown_rule_is_not_found(admin_page):
    assert admin_page.get("/reminders/rules/birthday/").status_code == 404
    assert admin_page.post("/reminders/rules/birthday/", {"timing": "1h"}).status_code == 404


@pytest.mark.parametrize("role", ["officer", "facilitator", "reviewer"])
def test_only_programme_admins_see_and_change_the_rules(client, role, request):
    client.force_login(request.getfixturevalue(role))

    answers = [
        client.get(URL).status_code,
        client.get(EDIT).status_code,
        client.post(EDIT, {"enabled": "on", "timing": "1h"}).status_code,
        client.post(EDIT, {"timing": "bad"}).status_code,
    ]

    assert answers == [403, 403, 403, 403]
    assert not ReminderRule.objects.exists()


def test_signed_out_people_are_sent_to_sign_in(client):
    for path in (URL, EDIT):
        response = client.get(path)
        assert response["Location"] == f"/accounts/login/?next={path}"
    assert client.post(EDIT, {"timing": "1h"}).status_code == 302
    assert not ReminderRule.objects.exists()


def test_rules_page_queries_do_not_grow_with_the_rules(
    admin_page, admin, monkeypatch, django_assert_num_queries
):
    # user, the rules' rows with who changed them
    with django_assert_num_queries(2 + session_queries()):
        assert admin_page.get(URL).status_code == 200
    stub_rules(monkeypatch)
    for kind in ReminderKind.values:
        ReminderRule.objects.create(kind=kind, offsets=[60], updated_by=admin)

    with django_assert_num_queries(2 + session_queries()):
        assert len(rule_sections(admin_page.get(URL))) == 7
    with django_assert_num_queries(2 + session_queries()):
        assert admin_page.get(EDIT).status_code == 200


def test_an_empty_form_is_refused(admin_page):
    response = admin_page.post(EDIT, {})

    assert response.status_code == 400
    assert field_errors(response) == ["This field is required."]
    assert not ReminderRule.objects.exists()


def test_the_django_admin_lists_the_rules_and_opt_outs_to_read(admin_page, admin):
    from reminders.models import ReminderOptOut

    ReminderRule.objects.create(kind=ReminderKind.SESSION_STARTS, offsets=[60], updated_by=admin)
    ReminderOptOut.objects.create(address="ana@braga.pt", kind=ReminderKind.SESSION_STARTS)

    rules_list = admin_page.get("/admin/reminders/reminderrule/")
    opt_outs = admin_page.get("/admin/reminders/reminderoptout/")

    assert (rules_list.status_code, opt_outs.status_code) == (200, 200)
    assert "ana@braga.pt" in opt_outs.content.decode()
    assert admin_page.get("/admin/reminders/reminderrule/add/").status_code == 403


def test_the_weekly_digest_is_timed_by_a_day_and_an_hour(admin_page, monkeypatch):
    stub_rules(monkeypatch)
    path = "/reminders/rules/facilitator_digest/"
    form = admin_page.get(path).content.decode()
    assert 'name="timing" value="Monday 08:00"' in form
    assert "A day and a time in each recipient's time zone, such as Monday 08:00." in form

    # One digest a week: two times are refused, saying why.
    refused = admin_page.post(path, {"enabled": "on", "timing": "Thursday 17:00, monday 8:00"})
    assert refused.status_code == 400
    assert "The digest goes out once a week: give one day and time." in refused.content.decode()
    assert not ReminderRule.objects.exists()

    response = admin_page.post(path, {"enabled": "on", "timing": "thursday 17:00"})

    assert response.status_code == 302
    assert ReminderRule.objects.get().offsets == [3 * 1440 + 1020]
    section = rule_sections(admin_page.get(URL))["facilitator_digest"]
    assert "When Every week: Thursday 17:00" in section
