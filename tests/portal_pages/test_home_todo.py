# ruff: noqa: F811
"""What to do next, on the home page: each list of a facilitator's and a city officer's to-dos,
built through the services as people would, seen on the next request after the change (the
sections are cached: home.selectors.home_page_key), and never by a facilitator of another
cohort or an officer of another city.

The programme is tests/roadmaps/conftest.py's: cohort 1 (1 Sep 2024 - 28 Feb 2025) with its
four phases, Lisbon enrolled, its roadmap opened; time is frozen on 15 Feb 2025, in the phase
of Group Study Visit preparation (1 - 28 Feb), which opens Phase 4 of the roadmap.
"""

import dataclasses
import datetime
import html as html_module
import re

import pytest

from cities.models import Country
from cohorts import services as cohort_services
from roadmaps import services as roadmap_services
from roadmaps.enums import RoadmapStatus
from roadmaps.models import Roadmap
from sessions import services as session_services
from sessions.models import Session
from tests import factories
from tests.portal_pages.helpers import sign_in

# The roadmaps' world and clock, used as fixtures here: the test arguments of the same names
# are those fixtures (ruff reads them as redefinitions).
from tests.roadmaps.conftest import NOW, clock, cohort_create, fill, programme  # noqa: F401

pytestmark = pytest.mark.django_db


def _text(html: str) -> str:
    return html_module.unescape(" ".join(re.sub(r"<[^>]+>", " ", html).split()))


def _block_html(client, user, block: str) -> str:
    sign_in(client, user)
    html = client.get("/").content.decode()
    match = re.search(rf'<section[^>]*data-block="{block}"[^>]*>(.*?)</section>', html, re.S)
    assert match, f"no {block} block in the page"
    return match.group(1)


def _block(client, user, block: str) -> str:
    return _text(_block_html(client, user, block))


def _list(client, user, name: str) -> list[str]:
    """The items of the officer's "what is due" list `name` (data-list)."""
    html = _block_html(client, user, "officer-due")
    match = re.search(rf'<ul[^>]*data-list="{name}"[^>]*>(.*?)</ul>', html, re.S)
    if not match:
        return []
    return [_text(item) for item in re.findall(r"<li[^>]*>(.*?)</li>", match.group(1), re.S)]


def _submit(programme, *, roadmap=None, officer=None):
    """Fill in every field of the roadmap and submit it, as an officer of its city."""
    target = dataclasses.replace(programme, roadmap=roadmap) if roadmap else programme
    fill(target, user=officer or programme.ana)
    roadmap_services.roadmap_submit(roadmap=target.roadmap, acting_user=officer or programme.ana)


def _porto(programme):
    """Porto, enrolled in the cohort too, with its officer Pia."""
    portugal = Country.objects.get(iso_code="PT")
    porto = factories.CityFactory(name="Porto", country=portugal)
    pia = factories.city_officer(city=porto, full_name="Pia Porto")
    cohort_services.enrolment_create_direct(
        cohort=programme.cohort,
        city=porto,
        acting_user=programme.lead,
        groups=[(programme.cohort.thematic_groups.get(), "")],
    )
    return Roadmap.objects.get(cohort=programme.cohort, city=porto), pia


@pytest.fixture
def elsewhere(programme):
    """A facilitator of another cohort and an officer of a city enrolled there, with a roadmap
    of their own submitted and returned, and a request to join that cohort."""
    lead = factories.UserFactory(is_facilitator=True, full_name="Olga Other")
    sector = programme.cohort.thematic_groups.get().sector
    cohort = cohort_create(number=2, lead=lead, sector=sector)
    espoo = factories.CityFactory(name="Espoo", country=factories.CountryFactory(iso_code="FI"))
    eino = factories.city_officer(city=espoo, full_name="Eino Espoo")
    cohort_services.enrolment_create_direct(
        cohort=cohort, city=espoo, acting_user=lead, groups=[(cohort.thematic_groups.get(), "")]
    )
    # Submitted as a row (its cohort has no climate action presented, which Phase 2.1 needs),
    # returned through the service.
    Roadmap.objects.filter(cohort=cohort, city=espoo).update(
        status=RoadmapStatus.SUBMITTED, submitted_at=NOW
    )
    roadmap = Roadmap.objects.get(cohort=cohort, city=espoo)
    roadmap_services.roadmap_return(roadmap=roadmap, acting_user=lead, note="Espoo's own note.")
    return lead, eino


# --- Facilitator: roadmaps waiting for review ---------------------------------------------------


def test_home_facilitator_sees_a_submitted_roadmap_on_the_next_request(client, programme):
    assert _block(client, programme.lead, "facilitator-review") == (
        "Roadmaps waiting for review Nothing waiting for review."
    )

    _submit(programme)

    html = _block_html(client, programme.lead, "facilitator-review")
    assert _text(html) == (
        "Roadmaps waiting for review Lisbon , Online Discussion Groups cohort 1 : submitted "
        "today. Review the roadmap of Lisbon"
    )
    pk = programme.roadmap.pk
    assert f'<a href="/roadmaps/{pk}/#heading-review">Review the roadmap of Lisbon</a>' in html


def test_home_facilitator_review_list_is_oldest_first_with_days_waiting(client, programme, clock):
    porto_roadmap, pia = _porto(programme)
    _submit(programme)
    clock.move_to(NOW + datetime.timedelta(days=4))
    _submit(programme, roadmap=porto_roadmap, officer=pia)
    clock.move_to(NOW + datetime.timedelta(days=5))

    # The group facilitator reviews the cohort's roadmaps too.
    for facilitator in [programme.lead, programme.group_facilitator]:
        assert _block(client, facilitator, "facilitator-review") == (
            "Roadmaps waiting for review "
            "Lisbon , Online Discussion Groups cohort 1 : waiting 5 days. "
            "Review the roadmap of Lisbon "
            "Porto , Online Discussion Groups cohort 1 : waiting 1 day. "
            "Review the roadmap of Porto"
        )


def test_home_facilitator_review_list_drops_a_roadmap_once_returned(client, programme):
    _submit(programme)
    assert "Lisbon" in _block(client, programme.lead, "facilitator-review")

    roadmap_services.roadmap_return(roadmap=programme.roadmap, acting_user=programme.lead)

    assert _block(client, programme.lead, "facilitator-review") == (
        "Roadmaps waiting for review Nothing waiting for review."
    )


def test_home_facilitator_review_list_shows_ten_and_links_the_overview(client, programme):
    for number in range(11):
        factories.RoadmapFactory(
            cohort=programme.cohort,
            city=factories.CityFactory(name=f"City {number:02}"),
            status=RoadmapStatus.SUBMITTED,
            submitted_at=NOW - datetime.timedelta(days=20 - number),
        )

    html = _block_html(client, programme.lead, "facilitator-review")

    names = re.findall(r'<a class="item-title" href="[^"]+">([^<]+)</a>', html)
    assert names == [f"City {number:02}" for number in range(10)]
    pk = programme.cohort.pk
    assert _text(html).endswith(
        "Showing the 10 roadmaps waiting longest. See all on the roadmap overview of each "
        "cohort: Online Discussion Groups cohort 1"
    )
    assert f'<a href="/roadmaps/cohort/{pk}/">Online Discussion Groups cohort 1</a>' in html


# --- Facilitator: enrolment requests -----------------------------------------------------------


def test_home_facilitator_sees_a_request_until_it_is_decided(client, programme, clock):
    portugal = Country.objects.get(iso_code="PT")
    braga = factories.CityFactory(name="Braga", country=portugal)
    bia = factories.city_officer(city=braga)
    assert _block(client, programme.lead, "facilitator-requests") == (
        "Enrolment requests No enrolment request is waiting for a decision."
    )

    enrolment = cohort_services.enrolment_request(
        cohort=programme.cohort,
        city=braga,
        acting_user=bia,
        groups=[(programme.cohort.thematic_groups.get(), "")],
    )
    clock.move_to(NOW + datetime.timedelta(days=2))

    html = _block_html(client, programme.lead, "facilitator-requests")
    assert _text(html) == (
        "Enrolment requests Braga (Portugal) asks to join Online Discussion Groups cohort 1, "
        "waiting 2 days. Decide on the enrolments of Online Discussion Groups cohort 1"
    )
    pk = programme.cohort.pk
    assert f'<a href="/cohorts/{pk}/enrolments/">Decide on the enrolments' in html

    cohort_services.enrolment_accept(enrolment=enrolment, acting_user=programme.lead)

    assert _block(client, programme.lead, "facilitator-requests") == (
        "Enrolment requests No enrolment request is waiting for a decision."
    )


# --- Facilitator: takeaways to record ----------------------------------------------------------


def test_home_facilitator_sees_a_past_session_without_takeaways_until_recorded(client, programme):
    session = Session.objects.get(cohort=programme.cohort)

    html = _block_html(client, programme.lead, "facilitator-takeaways")
    assert _text(html) == (
        "Takeaways to record Session When Cohort Outcome Energy: district heating "
        "4 December 2024, 15:00\u201316:30 (Europe/Brussels) Online Discussion Groups cohort 1 "
        "Record the takeaways"
    )
    assert f'<a href="/sessions/{session.pk}/outcome/">Record the takeaways</a>' in html

    session_services.session_record_outcome(
        session=session,
        key_takeaways="Start with the largest heat source.",
        requested_subtopics="",
        acting_user=programme.lead,
    )

    assert _block(client, programme.lead, "facilitator-takeaways") == (
        "Takeaways to record Every past session has its takeaways recorded."
    )


# --- City officer: what is due ------------------------------------------------------------------


def test_home_officer_sees_the_roadmap_phase_open_now_and_when_it_closes(client, programme):
    items = _list(client, programme.ana, "open-phases")

    assert items == [
        "Lisbon , Online Discussion Groups cohort 1 : Group Study Visit preparation is open "
        "until 28 February 2025 (Phase 4 \u00b7 Group Study Visits). "
        "Fill in the roadmap of Lisbon"
    ]
    html = _block_html(client, programme.ana, "officer-due")
    assert f'<a href="/roadmaps/{programme.roadmap.pk}/">Fill in the roadmap of Lisbon</a>' in html


def test_home_officer_has_no_phase_due_once_the_roadmap_is_submitted(client, programme):
    _submit(programme)

    assert _list(client, programme.ana, "open-phases") == []
    assert "No roadmap phase is open now for a roadmap your cities can change." in _block(
        client, programme.ana, "officer-due"
    )


def test_home_officer_sees_a_returned_roadmap_with_the_facilitators_note(client, programme):
    _submit(programme)
    assert _list(client, programme.ana, "returned") == []

    roadmap_services.roadmap_return(
        roadmap=programme.roadmap, acting_user=programme.lead, note="Say more about the causes."
    )

    assert _list(client, programme.ana, "returned") == [
        "Lisbon , Online Discussion Groups cohort 1 : returned on 15 February 2025. "
        "The facilitator's note: Say more about the causes. Open the roadmap of Lisbon"
    ]
    # Returned, the roadmap is open again: the phase is due again.
    assert len(_list(client, programme.ana, "open-phases")) == 1


def test_home_officer_sees_the_note_of_the_last_return(client, programme, clock):
    _submit(programme)
    roadmap_services.roadmap_return(
        roadmap=programme.roadmap, acting_user=programme.lead, note="First note."
    )
    clock.move_to(NOW + datetime.timedelta(days=1))
    roadmap_services.roadmap_submit(roadmap=programme.roadmap, acting_user=programme.ana)
    roadmap_services.roadmap_return(roadmap=programme.roadmap, acting_user=programme.lead)

    assert _list(client, programme.ana, "returned") == [
        "Lisbon , Online Discussion Groups cohort 1 : returned on 16 February 2025. "
        "The facilitator left no note; see the comments on the roadmap. "
        "Open the roadmap of Lisbon"
    ]


def test_home_officer_sees_an_upcoming_session_to_register_for(client, programme, clock):
    session = session_services.session_create(
        cohort=programme.cohort,
        kind="recap",
        title="Final recap",
        starts_at=NOW + datetime.timedelta(days=3),
        ends_at=NOW + datetime.timedelta(days=3, minutes=90),
        acting_user=programme.lead,
    )

    html = _block_html(client, programme.ana, "officer-due")
    assert _list(client, programme.ana, "register") == [
        "Lisbon : Final recap , 18 February 2025, 10:00\u201311:30 (Europe/Brussels). "
        "Register people from Lisbon"
    ]
    assert f'<a href="/sessions/{session.pk}/">Final recap</a>' in html
    assert f'<a href="/sessions/{session.pk}/register/">Register people from Lisbon</a>' in html

    session_services.registration_create(
        session=session,
        city=programme.lisbon,
        full_name="Rui Costa",
        email="rui@lisboa.pt",
        acting_user=programme.ana,
    )

    assert _list(client, programme.ana, "register") == []


# --- Nobody sees another cohort's or another city's items ---------------------------------------


def test_home_facilitator_of_another_cohort_sees_none_of_these_items(client, programme, elsewhere):
    other_lead, _eino = elsewhere
    _submit(programme)
    portugal = Country.objects.get(iso_code="PT")
    braga = factories.CityFactory(name="Braga", country=portugal)
    cohort_services.enrolment_request(
        cohort=programme.cohort,
        city=braga,
        acting_user=factories.city_officer(city=braga),
        groups=[(programme.cohort.thematic_groups.get(), "")],
    )
    assert "Lisbon" in _block(client, programme.lead, "facilitator-review")
    assert "Braga" in _block(client, programme.lead, "facilitator-requests")
    assert "district heating" in _block(client, programme.lead, "facilitator-takeaways")

    assert _block(client, other_lead, "facilitator-review") == (
        "Roadmaps waiting for review Nothing waiting for review."
    )
    assert _block(client, other_lead, "facilitator-requests") == (
        "Enrolment requests No enrolment request is waiting for a decision."
    )
    assert _block(client, other_lead, "facilitator-takeaways") == (
        "Takeaways to record Every past session has its takeaways recorded."
    )


def test_home_officer_of_another_city_sees_none_of_these_items(client, programme, elsewhere):
    _other_lead, eino = elsewhere
    _submit(programme)
    roadmap_services.roadmap_return(
        roadmap=programme.roadmap, acting_user=programme.lead, note="Say more about the causes."
    )
    assert len(_list(client, programme.ana, "returned")) == 1

    due = _block(client, eino, "officer-due")

    assert "Lisbon" not in due
    assert "Say more about the causes." not in due
    # Eino sees only his own city's returned roadmap and its phase.
    assert _list(client, eino, "returned") == [
        "Espoo , Online Discussion Groups cohort 2 : returned on 15 February 2025. "
        "The facilitator's note: Espoo's own note. Open the roadmap of Espoo"
    ]
    assert [item.split(":")[0] for item in _list(client, eino, "open-phases")] == [
        "Espoo , Online Discussion Groups cohort 2 "
    ]


def test_home_lists_follow_rows_saved_outside_the_services(client, programme):
    # The Django admin saves rows with `save()`: the cached sections follow it as well.
    session = Session.objects.get(cohort=programme.cohort)
    assert "Nothing waiting for review." in _block(client, programme.lead, "facilitator-review")
    assert "district heating" in _block(client, programme.lead, "facilitator-takeaways")

    roadmap = Roadmap.objects.get(pk=programme.roadmap.pk)
    roadmap.status = RoadmapStatus.SUBMITTED
    roadmap.submitted_at = NOW
    roadmap.save()
    session.key_takeaways = "Start with the largest heat source."
    session.save()

    assert "Lisbon" in _block(client, programme.lead, "facilitator-review")
    assert _block(client, programme.lead, "facilitator-takeaways") == (
        "Takeaways to record Every past session has its takeaways recorded."
    )
