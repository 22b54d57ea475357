"""The allocation's pages (visits/views_allocation.py): the admin's allocation page, moves,
publishing, the action plan and its file, and the decision on the city's page."""

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.formats import localize

from notifications.models import OutboundEmail
from tests import factories
from tests.queries import session_queries
from tests.visits.alloc_world import apply, build, placements
from visits.action_plans import ACTION_PLAN_MAX_BYTES
from visits.allocation import allocation_run
from visits.decisions import call_publish_decisions
from visits.enums import ApplicationStatus, CallStatus, Decision
from visits.models import Application

S, W, N = Decision.SELECTED, Decision.WAITLISTED, Decision.NOT_SELECTED

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin():
    return factories.UserFactory(is_programme_admin=True)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _messages(response) -> list[str]:
    return [
        " ".join(message.split())
        for message in re.findall(
            r'<p class="message [^"]*">(.*?)</p>', response.content.decode(), re.S
        )
    ]


def _url(world, part=""):
    return f"/visits/calls/{world.call.pk}/allocation/{part}"


def _section(page: str, name: str) -> str:
    start = page.index(f'data-section="{name}"')
    return page[start : page.index("</section>", start)]


def test_allocation_page_lists_each_visit_the_waitlist_and_not_selected(client, admin):
    world = build(capacities=(("mannheim", 1), ("guimaraes", 1)))
    apply(world, "leuven", 1, ["mannheim"])
    apply(world, "tartu", 2, ["mannheim"])
    apply(world, "espoo", 3, ["mannheim"])
    apply(world, "graz", 4, ["mannheim"])
    client.force_login(admin)

    response = client.post(_url(world, "run/"), follow=True)

    page = response.content.decode()
    assert _messages(response) == ["Allocated: 1 selected, 2 on the waitlist, 1 not selected."]
    mannheim = page[page.index(f'data-visit="{world.visits["mannheim"].pk}"') :]
    assert "1 of 1 places taken" in mannheim[: mannheim.index("</section>")]
    assert "Leuven" in mannheim[: mannheim.index("</section>")]
    waitlist = _section(page, "waitlist")
    assert [name for name in ("Tartu", "Espoo", "Graz") if name in waitlist] == [
        "Tartu",
        "Espoo",
    ]
    assert waitlist.index("Tartu") < waitlist.index("Espoo")
    assert "Graz" in _section(page, "not-selected")
    assert 'data-action="allocate"' in page
    # Each table's scroll region is named by its own heading.
    mannheim_id = world.visits["mannheim"].pk
    assert f'aria-labelledby="visit-{mannheim_id}-heading"' in page
    assert f'id="visit-{mannheim_id}-heading"' in page
    assert 'aria-labelledby="waitlist-heading"' in page


def test_allocation_page_queries_do_not_grow_with_applications(client, admin):
    def count(world) -> tuple[int, int]:
        allocation_run(acting_user=admin, call=world.call)
        numbers = []
        for _ in range(2):  # drawn afresh, then kept in the cache
            with CaptureQueriesContext(connection) as queries:
                response = client.get(_url(world))
            assert response.status_code == 200
            numbers.append(len(queries))
        return tuple(numbers)

    client.force_login(admin)
    one = build()
    apply(one, "leuven", 1, ["mannheim"])
    many = build(tag=" 2")
    for rank in range(1, 31):
        apply(many, f"city{rank}", rank, ["guimaraes", "mannheim"])

    # Drawn afresh: the session, the user, the call, the versions of what the lists show (one
    # query, visits/standings.py), the visits with their hosts (and their countries, in the
    # visits' names), the selected and waitlisted applications with their cities and
    # countries, the numbers not selected and undecided (one aggregate), and one page of the
    # cities not selected, read only when there are some (`many` has; `one` has none): the
    # lists of a call of 20,000 applicants are pages (visits.allocation.allocation_overview).
    # Kept in the cache: the session, the user, the call and the versions.
    assert count(one) == (session_queries() + 6, session_queries() + 3)
    assert count(many) == (session_queries() + 7, session_queries() + 3)


def test_publish_confirmation_queries_do_not_grow_with_applications(client, admin):
    def count(world) -> tuple[int, int]:
        allocation_run(acting_user=admin, call=world.call)
        numbers = []
        for _ in range(2):  # drawn afresh, then kept in the cache
            with CaptureQueriesContext(connection) as queries:
                response = client.get(_url(world, "publish/"))
            assert response.status_code == 200
            numbers.append(len(queries))
        return tuple(numbers)

    client.force_login(admin)
    one = build()
    apply(one, "leuven", 1, ["mannheim"])
    many = build(tag=" 2")
    for rank in range(1, 31):
        apply(many, f"city{rank}", rank, ["guimaraes", "mannheim"])

    # Drawn afresh: the session, the user, the call, the versions of what the numbers count
    # (visits/standings.py) and the numbers of each list in one aggregate
    # (visits.allocation.allocation_counts): no row of the lists is read. Kept in the cache:
    # the same without the aggregate.
    assert count(one) == count(many) == (session_queries() + 4, session_queries() + 3)


def test_the_cities_not_selected_and_undecided_are_shown_a_page_at_a_time(
    client, admin, monkeypatch
):
    monkeypatch.setattr("visits.allocation.OVERVIEW_PAGE_SIZE", 2)
    world = build(capacities=(("mannheim", 1), ("guimaraes", 1)))
    names = ["leuven", "tartu", "espoo", "graz", "malmo", "turku", "porto"]
    for rank, name in enumerate(names, start=1):
        apply(world, name, rank, ["mannheim"])
    client.force_login(admin)
    client.post(_url(world, "run/"))
    # Submitted after the allocation: no decision yet (three, ranks 8 to 10).
    for rank, name in enumerate(["aarhus", "brno", "cork"], start=8):
        apply(world, name, rank, ["mannheim"])

    first = client.get(_url(world)).content.decode()
    second = client.get(_url(world) + "?page=2&undecided_page=2").content.decode()

    # Leuven selected, Tartu and Espoo waiting (all shown), four not selected in rank order.
    assert "4 cities are not selected, in rank order." in _section(first, "not-selected")
    assert [
        n for n in ("Graz", "Malmo", "Turku", "Porto") if n in _section(first, "not-selected")
    ] == [
        "Graz",
        "Malmo",
    ]
    assert "Page 1 of 2" in _section(first, "not-selected")
    assert "?page=2" in _section(first, "not-selected")
    assert [n for n in ("Aarhus", "Brno", "Cork") if n in _section(first, "undecided")] == [
        "Aarhus",
        "Brno",
    ]
    assert "?undecided_page=2" in _section(first, "undecided")
    assert [
        n for n in ("Graz", "Malmo", "Turku", "Porto") if n in _section(second, "not-selected")
    ] == [
        "Turku",
        "Porto",
    ]
    assert [n for n in ("Aarhus", "Brno", "Cork") if n in _section(second, "undecided")] == ["Cork"]
    # The other list's page is kept in the links.
    assert "page=2&amp;undecided_page=1" in _section(second, "undecided")
    # The confirmation counts every city, not one page.
    confirm = client.get(_url(world, "publish/")).content.decode()
    assert "1 cities selected, 2 on the waitlist, 4 not selected." in " ".join(confirm.split())
    assert "3 submitted applications have no decision" in " ".join(confirm.split())


def test_moving_to_a_full_visit_on_the_page_says_why_and_changes_nothing(client, admin):
    world = build(capacities=(("mannheim", 1), ("guimaraes", 1)))
    apply(world, "leuven", 1, ["mannheim"])
    tartu = apply(world, "tartu", 2, ["mannheim"])
    allocation_run(acting_user=admin, call=world.call)
    before = placements(world)
    client.force_login(admin)

    response = client.post(
        f"/visits/applications/{tartu.pk}/place/",
        {"place": f"visit-{world.visits['mannheim'].pk}"},
        follow=True,
    )

    assert response.status_code == 200
    assert _messages(response) == [
        "Tartu was not moved. “Mannheim (DE) (12 May 2025)” is full: its 1 place is taken. "
        "Move a city out of it first, or choose another visit."
    ]
    assert placements(world) == before


def test_moving_to_a_visit_with_room_and_a_place_that_does_not_exist(client, admin):
    world = build(capacities=(("mannheim", 1), ("guimaraes", 1)))
    tartu = apply(world, "tartu", 1, ["mannheim"])
    allocation_run(acting_user=admin, call=world.call)
    client.force_login(admin)

    moved = client.post(
        f"/visits/applications/{tartu.pk}/place/",
        {"place": f"visit-{world.visits['guimaraes'].pk}"},
        follow=True,
    )
    nonsense = client.post(
        f"/visits/applications/{tartu.pk}/place/", {"place": "visit-999999"}, follow=True
    )

    assert _messages(moved) == ["Tartu moved to: Guimaraes (DE) (19 May 2025)."]
    assert _messages(nonsense) == ["Choose a visit, the waitlist or “not selected”."]
    assert placements(world) == {"tartu": (S, "guimaraes", None)}


def test_publish_asks_for_confirmation_then_publishes_once(client, admin):
    world = build()
    apply(world, "leuven", 1, ["mannheim"])
    allocation_run(acting_user=admin, call=world.call)
    client.force_login(admin)

    confirmation = client.get(_url(world, "publish/"))
    first = client.post(_url(world, "publish/"), follow=True)
    second = client.post(_url(world, "publish/"), follow=True)

    assert "1 cities selected, 0 on the waitlist, 0 not selected." in " ".join(
        confirmation.content.decode().split()
    )
    assert world.call.__class__.objects.get(pk=world.call.pk).status == CallStatus.PUBLISHED
    assert _messages(first) == ["The decisions are published: 1 cities are being told by email."]
    assert len(_messages(second)) == 1
    assert _messages(second)[0].endswith(": they are published once.")
    assert OutboundEmail.objects.count() == 1
    # Published: no more buttons nor move forms.
    page = client.get(_url(world)).content.decode()
    assert ('data-action="allocate"' in page, "/place/" in page) == (False, False)
    assert "Nobody is on the waitlist." in _section(page, "waitlist")
    leuven = world.applications["leuven"]
    assert f'href="/visits/applications/{leuven.pk}/action-plan/"' in page
    assert "No city is selected for this visit yet." in page  # guimaraes


def test_an_officer_of_another_city_cannot_open_or_act(client, admin):
    world = build()
    leuven = apply(world, "leuven", 1, ["mannheim"])
    stranger = factories.city_officer(full_name="Sam Stranger")
    client.force_login(stranger)

    answers = [
        client.get(_url(world)).status_code,
        client.post(_url(world, "run/")).status_code,
        client.post(_url(world, "publish/")).status_code,
        client.post(f"/visits/applications/{leuven.pk}/place/", {"place": "waitlist"}).status_code,
        client.get(f"/visits/applications/{leuven.pk}/action-plan/").status_code,
    ]

    assert answers == [404, 404, 404, 404, 404]
    assert placements(world) == {"leuven": ("", None, None)}


# --- The action plan ------------------------------------------------------------------------


@pytest.fixture
def visited(admin):
    """leuven selected for mannheim (12-13 May 2025, over), the decisions published."""
    world = build()
    apply(world, "leuven", 1, ["mannheim"])
    allocation_run(acting_user=admin, call=world.call)
    call_publish_decisions(acting_user=admin, call=world.call)
    return world


def _plan_url(application, part=""):
    return f"/visits/applications/{application.pk}/action-plan/{part}"


def test_officer_writes_and_uploads_the_action_plan_and_admins_download_it(
    client, admin, visited, media
):
    leuven = visited.applications["leuven"]
    client.force_login(visited.officers["leuven"])

    response = client.post(
        _plan_url(leuven),
        {
            "action_plan": "Heat pumps in 200 schools by 2027.",
            "action_plan_file": SimpleUploadedFile("plan.pdf", b"%PDF-1.7 the plan"),
        },
        follow=True,
    )

    assert _messages(response) == ["The action plan is saved."]
    leuven.refresh_from_db()
    assert leuven.action_plan == "Heat pumps in 200 schools by 2027."
    client.force_login(admin)
    download = client.get(_plan_url(leuven, "file/"))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.7 the plan"
    assert download["Content-Disposition"].startswith('attachment; filename="plan')


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            SimpleUploadedFile("plan.exe", b"MZ"),
            "Upload a PDF, a Word (.docx) or OpenDocument (.odt) text, or a .txt file.",
        ),
        (
            SimpleUploadedFile("plan.pdf", b"<html>not a pdf</html>"),
            "This file is not the PDF its name says. Upload a PDF, a Word (.docx) or "
            "OpenDocument (.odt) text, or a .txt file.",
        ),
        (
            SimpleUploadedFile("plan.txt", b"x" * (ACTION_PLAN_MAX_BYTES + 1)),
            "The file is 10.0\xa0MB: an action plan file may be at most 10.0\xa0MB.",
        ),
    ],
    ids=["wrong type", "renamed", "too large"],
)
def test_a_bad_action_plan_file_is_refused_and_the_plan_kept(
    client, visited, media, upload, message
):
    leuven = visited.applications["leuven"]
    Application.objects.filter(pk=leuven.pk).update(action_plan="The plan so far.")
    client.force_login(visited.officers["leuven"])

    response = client.post(
        _plan_url(leuven), {"action_plan": "A new plan.", "action_plan_file": upload}
    )

    assert response.status_code == 400
    assert message in response.content.decode().replace("&nbsp;", "\xa0")
    # What was typed stays in the form; what was saved is unchanged.
    assert "A new plan." in response.content.decode()
    leuven.refresh_from_db()
    assert (leuven.action_plan, leuven.action_plan_file.name) == ("The plan so far.", "")
    assert list(media.rglob("*.*")) == []


def test_the_action_plan_waits_for_the_end_of_the_visit(client, visited):
    leuven = visited.applications["leuven"]
    type(visited.visits["mannheim"]).objects.filter(pk=visited.visits["mannheim"].pk).update(
        starts_on=datetime.date(2099, 5, 12), ends_on=datetime.date(2099, 5, 13)
    )
    client.force_login(visited.officers["leuven"])

    page = client.get(_plan_url(leuven))
    posted = client.post(_plan_url(leuven), {"action_plan": "Too early."})

    assert "The city writes its action plan here once its visit is over." in page.content.decode()
    assert posted.status_code == 403
    leuven.refresh_from_db()
    assert leuven.action_plan == ""


def test_no_file_to_download_is_a_404(client, admin, visited):
    client.force_login(admin)

    response = client.get(_plan_url(visited.applications["leuven"], "file/"))

    assert response.status_code == 404


# --- The city's page ------------------------------------------------------------------------


def test_the_decision_shows_on_the_city_page_for_its_officers_and_admins_only(
    client, admin, visited
):
    leuven = visited.applications["leuven"]
    url = f"/cities/{leuven.city_id}/"
    shown = "the visit hosted by Mannheim, 12 May 2025 to 13 May 2025"

    pages = {}
    for who, person in (
        ("officer", visited.officers["leuven"]),
        ("admin", admin),
        ("stranger", factories.city_officer()),
    ):
        client.force_login(person)
        pages[who] = " ".join(client.get(url).content.decode().split())

    assert (shown in pages["officer"], shown in pages["admin"], shown in pages["stranger"]) == (
        True,
        True,
        False,
    )
    assert "Group Study Visits 2025</span>: Selected" in pages["officer"]


def test_the_city_page_shows_a_promotion_at_once(client, admin):
    world = build(capacities=(("mannheim", 1),))
    apply(world, "leuven", 1, ["mannheim"])
    tartu = apply(world, "tartu", 2, ["mannheim"])
    allocation_run(acting_user=admin, call=world.call)
    call_publish_decisions(acting_user=admin, call=world.call)
    client.force_login(world.officers["tartu"])
    url = f"/cities/{tartu.city_id}/"
    before = " ".join(client.get(url).content.decode().split())

    from tests.visits.test_allocation_decisions import _withdraw

    _withdraw(world.applications["leuven"])
    after = " ".join(client.get(url).content.decode().split())

    assert "Group Study Visits 2025</span>: Waitlisted, position 1" in before
    assert "Group Study Visits 2025</span>: Selected, the visit hosted by Mannheim" in after


def test_the_city_page_shows_a_renamed_call_and_hides_a_withdrawal(client, admin, visited):
    leuven = visited.applications["leuven"]
    url = f"/cities/{leuven.city_id}/"
    client.force_login(visited.officers["leuven"])
    client.get(url)  # the part is kept

    call = type(visited.call).objects.get(pk=visited.call.pk)
    call.title = "Study visits, spring 2025"
    call.save()  # a model save, as the Django admin makes
    renamed = " ".join(client.get(url).content.decode().split())
    from tests.visits.test_allocation_decisions import _withdraw

    _withdraw(leuven)
    withdrawn = client.get(url).content.decode()

    assert "Study visits, spring 2025</span>: Selected" in renamed
    assert 'data-section="visit-decisions"' not in withdrawn


def test_a_file_missing_from_the_storage_is_a_404(client, admin, visited, media):
    leuven = visited.applications["leuven"]
    Application.objects.filter(pk=leuven.pk).update(action_plan_file="visits/action-plans/gone.pdf")
    client.force_login(admin)

    response = client.get(_plan_url(leuven, "file/"))

    assert response.status_code == 404


# --- The cached lists (visits/standings.py) ------------------------------------------------------


def _totals(section: str) -> list[str]:
    return re.findall(r'<td data-label="Total">([^<]*)</td>', section)


def _names_in(section: str, names) -> list[str]:
    return [name for name in names if name in section]


def test_the_cached_allocation_shows_a_change_through_the_services(client, admin):
    from visits.applying import application_withdraw

    world = build(capacities=(("mannheim", 1), ("guimaraes", 1)))
    apply(world, "leuven", 1, ["mannheim"])
    tartu = apply(world, "tartu", 2, ["mannheim"])
    apply(world, "espoo", 3, ["mannheim"])
    apply(world, "graz", 4, ["mannheim"])
    client.force_login(admin)
    names = ("Leuven", "Tartu", "Espoo", "Graz", "Malmo")
    assert 'data-section="undecided"' in client.get(_url(world)).content.decode()

    allocation_run(acting_user=admin, call=world.call)
    page = client.get(_url(world)).content.decode()
    assert _names_in(_section(page, "waitlist"), names) == ["Tartu", "Espoo"]

    # A move by hand, as the admin makes it on the page: the page it redirects to shows it.
    moved = client.post(
        f"/visits/applications/{tartu.pk}/place/", {"place": "not_selected"}, follow=True
    )
    page = moved.content.decode()
    assert _names_in(_section(page, "waitlist"), names) == ["Espoo"]
    assert _names_in(_section(page, "not-selected"), names) == ["Tartu", "Graz"]

    # A submission after the allocation: no decision yet, shown at once.
    malmo = factories.CityFactory(name="Malmo")
    client.get(_url(world))
    world.applications["malmo"] = factories.ApplicationFactory(
        call=world.call, city=malmo, status=ApplicationStatus.SUBMITTED, rank=5, total=95
    )
    factories.PreferenceFactory(
        application=world.applications["malmo"], visit=world.visits["mannheim"], rank=1
    )
    page = client.get(_url(world)).content.decode()
    assert _names_in(_section(page, "undecided"), names) == ["Malmo"]

    # A withdrawal (before publishing: the allocation runs again).
    application_withdraw(
        acting_user=world.officers["espoo"], application=world.applications["espoo"]
    )
    page = client.get(_url(world)).content.decode()
    assert "Espoo" not in page
    assert _names_in(_section(page, "waitlist"), names) == ["Graz", "Malmo"]

    # The confirmation's numbers, kept under the same versions.
    counts = " ".join(client.get(_url(world, "publish/")).content.decode().split())
    assert "1 cities selected, 2 on the waitlist, 1 not selected." in counts
    client.post(f"/visits/applications/{tartu.pk}/place/", {"place": "waitlist"})
    counts = " ".join(client.get(_url(world, "publish/")).content.decode().split())
    assert "1 cities selected, 3 on the waitlist, 0 not selected." in counts

    # Publishing: no more move forms.
    call_publish_decisions(acting_user=admin, call=world.call)
    assert "/place/" not in client.get(_url(world)).content.decode()


def test_the_cached_allocation_shows_a_new_scoring_and_model_saves(client, admin):
    from visits import scoring

    world = build(capacities=(("mannheim", 1), ("guimaraes", 1)))
    apply(world, "leuven", 1, ["mannheim"])
    apply(world, "tartu", 2, ["mannheim"])
    allocation_run(acting_user=admin, call=world.call)
    client.force_login(admin)
    waitlist = _section(client.get(_url(world)).content.decode(), "waitlist")
    assert _totals(waitlist) == ["98.000"]

    tartu_city = world.applications["tartu"].city
    tartu_city.name = "Tartu linn"
    tartu_city.save()
    assert "Tartu linn" in _section(client.get(_url(world)).content.decode(), "waitlist")

    mannheim = world.visits["mannheim"]
    mannheim.capacity_cities = 4
    mannheim.save()
    assert "1 of 4 places taken" in client.get(_url(world)).content.decode()

    # Scoring (the call has no criterion: every total is 0, ranked by submission) writes the
    # totals and ranks in bulk; the page shows them at once.
    scoring.call_score(call_id=world.call.pk)
    totals = set(Application.objects.filter(call=world.call).values_list("total", flat=True))
    assert len(totals) == 1 and totals != {None}
    waitlist = _section(client.get(_url(world)).content.decode(), "waitlist")
    assert _totals(waitlist) == [localize(totals.pop())]


def test_two_admins_reading_the_cached_allocation_each_move_with_their_own_token(admin):
    from django.test import Client

    world = build(capacities=(("mannheim", 1), ("guimaraes", 1)))
    apply(world, "leuven", 1, ["mannheim"])
    tartu = apply(world, "tartu", 2, ["mannheim"])
    allocation_run(acting_user=admin, call=world.call)
    tokens = []
    for person in (admin, factories.UserFactory(is_programme_admin=True)):
        reader = Client(enforce_csrf_checks=True)
        reader.force_login(person)
        row = _section(reader.get(_url(world)).content.decode(), "waitlist")
        tokens.append(re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', row).group(1))
        move = reader.post(
            f"/visits/applications/{tartu.pk}/place/",
            {"csrfmiddlewaretoken": tokens[-1], "place": "waitlist"},
        )

        assert move.status_code == 302
    assert tokens[0] != tokens[1]
