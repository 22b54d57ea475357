"""Asked once, reused (feedback/needs_prefill.py): a city's needs-assessment draft starts from
its profile, and its submitted answers fill what its profile and roadmap lack, never what a
person wrote, and never another city's."""

import pytest
from django.urls import reverse

from feedback.enums import ResponseUnit
from feedback.models import Answer
from feedback.needs_prefill import OVERLAPS, SECTOR_OPTIONS
from roadmaps.enums import RoadmapStatus
from roadmaps.models import Roadmap, RoadmapChange, RoadmapValue
from roadmaps.services import roadmap_field_save
from taxonomy.models import ThematicSector
from tests import factories
from tests.feedback.needs_world import answer, enrolled_officer, needs_survey, option, question

pytestmark = pytest.mark.django_db

OVERVIEW = "phase1.overview"
TARGET = "Yes, with a timeline range of 2030 - 2040"
PLANS = ["Sustainable Energy & Climate Action Plan", "Sustainable Urban Mobility Plan (SUMP)"]
WRITTEN = (
    "Climate neutrality target: Yes, with a timeline range of 2030 - 2040.\n"
    "Approved plans and strategies: Sustainable Energy & Climate Action Plan; Sustainable "
    "Urban Mobility Plan (SUMP).\n"
    "(From the needs-assessment questionnaire.)"
)


@pytest.fixture
def world(reference_data):
    cohort = factories.CohortFactory()
    facilitator = factories.UserFactory(is_facilitator=True)
    cohort.facilitators.add(facilitator)
    lisbon, ana = enrolled_officer(cohort, "Lisbon")
    porto, rui = enrolled_officer(cohort, "Porto")
    return {
        "cohort": cohort,
        "facilitator": facilitator,
        "survey": needs_survey(cohort, facilitator),
        "lisbon": lisbon,
        "ana": ana,
        "porto": porto,
        "rui": rui,
    }


def interests(city, *slugs):
    city.thematic_interests.set(ThematicSector.objects.filter(slug__in=slugs))


def chosen(response, key):
    return sorted(
        Answer.objects.filter(response=response, question__template_key=key).values_list(
            "option__label", flat=True
        )
    )


def slugs_of(city):
    return sorted(city.thematic_interests.values_list("slug", flat=True))


def overview(city, cohort):
    return (
        RoadmapValue.objects.filter(roadmap__city=city, roadmap__cohort=cohort, key=OVERVIEW)
        .values_list("value", "version", "updated_by")
        .first()
    )


def test_the_overlap_table_names_only_questions_of_the_template(world):
    keys = {overlap.question for overlap in OVERLAPS}
    assert keys == {"priority_sectors", "neutrality_target", "approved_plans"}
    for key in keys:
        question(world["survey"], key)  # exists in the copy
    # Each option carried names a sector of the taxonomy, and is an option of the question.
    for label, slug in SECTOR_OPTIONS.items():
        assert ThematicSector.objects.filter(slug=slug).exists()
        option(world["survey"], "priority_sectors", label)


def test_a_new_draft_starts_from_the_citys_thematic_interests(world):
    from feedback import answering

    interests(world["lisbon"], "energy", "buildings", "nature-based-solutions")
    # Another city's interests are never read for Lisbon.
    interests(world["porto"], "sustainable-mobility")

    response = answering.response_for(
        survey=world["survey"], acting_user=world["ana"], city=world["lisbon"]
    )

    # Nature-based solutions is not offered by the question: left out.
    assert chosen(response, "priority_sectors") == ["Built environment", "Energy systems"]
    assert Answer.objects.filter(response=response).count() == 2


def test_a_resumed_draft_is_not_prefilled_again(world):
    from feedback import answering

    interests(world["lisbon"], "energy")
    first = answering.response_for(
        survey=world["survey"], acting_user=world["ana"], city=world["lisbon"]
    )
    answer(
        world["survey"],
        world["ana"],
        world["lisbon"],
        {"priority_sectors": ["Industry"]},
        submit=False,
    )
    again = answering.response_for(
        survey=world["survey"], acting_user=world["ana"], city=world["lisbon"]
    )
    assert again.pk == first.pk
    assert chosen(again, "priority_sectors") == ["Industry"]


def test_more_interests_than_the_question_allows_prefill_nothing(world):
    from feedback import answering

    interests(world["lisbon"], "energy", "buildings", "sustainable-mobility", "industry")
    response = answering.response_for(
        survey=world["survey"], acting_user=world["ana"], city=world["lisbon"]
    )
    assert chosen(response, "priority_sectors") == []


def test_a_survey_answered_per_person_reuses_nothing(world):
    from feedback import answering

    survey = needs_survey(world["cohort"], world["facilitator"], response_unit=ResponseUnit.PERSON)
    interests(world["lisbon"], "energy")
    response = answering.response_for(survey=survey, acting_user=world["ana"])
    assert Answer.objects.filter(response=response).count() == 0
    answer(
        survey,
        world["ana"],
        None,
        {"neutrality_target": [TARGET], "priority_sectors": ["Industry"]},
    )
    assert slugs_of(world["lisbon"]) == ["energy"]
    assert overview(world["lisbon"], world["cohort"]) is None


def test_submitting_fills_the_empty_profile_and_roadmap(world):
    response = answer(
        world["survey"],
        world["ana"],
        world["lisbon"],
        {
            "priority_sectors": ["Mobility and transport", "Industry", "Have not identified yet"],
            "neutrality_target": [TARGET],
            "approved_plans": PLANS,
        },
    )

    assert slugs_of(world["lisbon"]) == ["industry", "sustainable-mobility"]
    assert overview(world["lisbon"], world["cohort"]) == (WRITTEN, 1, world["ana"].pk)
    # Through the roadmap's service: its history says who.
    change = RoadmapChange.objects.get(roadmap__city=world["lisbon"], key=OVERVIEW)
    assert (change.old_value, change.new_value, change.changed_by) == ("", WRITTEN, world["ana"])
    assert response.facts_filled == [
        "the thematic interests of Lisbon's profile",
        "the overview of Lisbon's Reflection Roadmap",
    ]
    # Porto, in the same cohort, is untouched.
    assert slugs_of(world["porto"]) == []
    assert overview(world["porto"], world["cohort"]) is None


def test_what_a_person_wrote_is_never_overwritten(world):
    interests(world["lisbon"], "energy")
    roadmap = Roadmap.objects.get(city=world["lisbon"], cohort=world["cohort"])
    roadmap_field_save(
        roadmap=roadmap,
        key=OVERVIEW,
        value="Neutral by 2040; SECAP adopted.",
        base_version=0,
        acting_user=world["ana"],
    )

    response = answer(
        world["survey"],
        world["ana"],
        world["lisbon"],
        {"priority_sectors": ["Industry"], "neutrality_target": [TARGET]},
    )

    assert slugs_of(world["lisbon"]) == ["energy"]
    assert overview(world["lisbon"], world["cohort"]) == (
        "Neutral by 2040; SECAP adopted.",
        1,
        world["ana"].pk,
    )
    assert response.facts_filled == []


def test_an_overview_a_person_emptied_stays_empty(world):
    roadmap = Roadmap.objects.get(city=world["lisbon"], cohort=world["cohort"])
    roadmap_field_save(
        roadmap=roadmap, key=OVERVIEW, value="Draft", base_version=0, acting_user=world["ana"]
    )
    roadmap_field_save(
        roadmap=roadmap, key=OVERVIEW, value="", base_version=1, acting_user=world["ana"]
    )

    answer(world["survey"], world["ana"], world["lisbon"], {"neutrality_target": [TARGET]})

    assert overview(world["lisbon"], world["cohort"]) == ("", 2, world["ana"].pk)


def test_a_submitted_roadmap_is_left_alone_and_the_answers_still_count(world):
    Roadmap.objects.filter(city=world["lisbon"]).update(status=RoadmapStatus.SUBMITTED)

    response = answer(
        world["survey"], world["ana"], world["lisbon"], {"neutrality_target": [TARGET]}
    )

    assert response.status == "submitted"
    assert overview(world["lisbon"], world["cohort"]) is None
    assert response.facts_filled == []


def test_the_answering_page_shows_the_prefill_and_says_what_is_shared(client, world):
    interests(world["lisbon"], "energy")
    client.force_login(world["ana"])
    client.post(reverse("survey_intro", args=[world["survey"].pk]))
    page_number = question(world["survey"], "priority_sectors").section.position

    page = client.get(
        reverse("survey_answer", args=[world["survey"].pk, page_number])
    ).content.decode()

    energy = option(world["survey"], "priority_sectors", "Energy systems")
    industry = option(world["survey"], "priority_sectors", "Industry")
    assert f'value="{energy.pk}" checked' in page
    assert f'value="{industry.pk}" checked' not in page
    assert (
        "Shared with your city&#x27;s profile: filled in from its thematic interests, and your "
        "answer fills them if the profile has none." in page
    )
    assert page.count("Shared with your city&#x27;s profile") == 1
