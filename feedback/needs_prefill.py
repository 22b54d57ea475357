"""Asked once, reused (issue 11; DOMAIN.md: "Cities fill in the same information again and
again (004 FG4 §6): reuse the city profile"): where the needs-assessment questionnaire (004
Annex 2) asks what the portal already knows of a city, a city's draft starts from what the
portal knows, and what the city answers fills what the portal does not know yet.

The overlap is the table below, and only it. Each row names a question of the template
(feedback/survey_templates.py, its `key`, kept on the copy as `Question.template_key`) and the
portal field holding the same fact, and which way the fact travels:

- `priority_sectors` <-> the city profile's thematic interests (cities.City.thematic_interests),
  both ways. 000 §1.2 takes a city's thematic interests from the sectors it prioritises ("join
  as many thematic groups as they were relevant to their city's climate priorities"; "the five
  priority sectors"), and the questionnaire asks the priority sectors for emissions reduction
  by the same sectors: Energy systems is the Energy sector, Built environment is Buildings
  (Built Environment), Mobility and transport is Sustainable mobility, Industry is Industry
  (SECTOR_OPTIONS). "Have not identified yet" and "Other" name no sector, and the profile's
  circular economy and nature-based solutions are not offered by the question: neither is
  carried either way.
- `neutrality_target` -> the Reflection Roadmap's "Overview of your city's climate-neutrality
  objectives, targets and planned actions" (phase1.overview), one way. The question asks the
  city's climate-neutrality target and its timeline, which is the "targets" the overview asks
  for (000 Figure 4, Phase 1).
- `approved_plans` -> the same overview, one way: the approved plans and strategies for
  city-wide climate action are its "planned actions".
  The overview is the city's free text: no answer can be read back out of it into the
  questionnaire's options, so these two go from the questionnaire to the roadmap only.

Nothing else overlaps. The profile's population, country, types and Climate City Contract
status, the roadmap's representative, challenge, causes and consequences, and its Phase 2 and 3
are asked nowhere in the questionnaire; its other questions (governance, barriers, engagement,
funding, peer learning, the sectoral themes) are kept nowhere else in the portal.

Decisions:
- Only a named survey answered once per city reuses anything: its response speaks for one city
  (`Response.city`). A per-person response does not say which of a person's cities it speaks
  for, and an anonymous one must never be tied to a city.
- Prefill: when a city's response to the needs assessment is begun (feedback.answering
  `response_for`), the questions above that the portal can answer are answered in the new
  draft; the officer sees them, each marked as shared with the profile, and changes them like
  any answer. A draft resumed is never prefilled again.
- Filling back: when the response is submitted (feedback.answering `response_submit`), each
  portal field above that is still empty is filled from the answers, through the owning app's
  service with the submitting officer as `acting_user` (cities.services.city_profile_update,
  roadmaps.services.roadmap_field_save), so their permission checks and records apply. What a
  person wrote is never overwritten: the profile's interests only when it has none, the
  roadmap's overview only when nobody ever saved it (base version 0: the roadmap service
  refuses any other as a conflict). A refusal (a roadmap submitted, a phase not open yet, no
  permission) leaves that field alone and the submission goes on: the answers are the city's
  whatever its profile holds.
- Only the city's own profile and its own roadmap in the survey's cohort(s) are read or
  written, never another city's.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from cities.models import City
from cities.services import city_profile_update
from feedback.enums import ResponseUnit
from feedback.models import Answer, Option, Question, Response, Survey
from feedback.results import survey_cohorts
from feedback.survey_templates import NEEDS_ASSESSMENT
from portal.errors import ApplicationError
from roadmaps.models import Roadmap, RoadmapValue
from roadmaps.services import roadmap_field_save
from taxonomy.models import ThematicSector

THEMATIC_INTERESTS = "cities.City.thematic_interests"
ROADMAP_OVERVIEW = "roadmaps.phase1.overview"
OVERVIEW_KEY = "phase1.overview"  # roadmaps/template.py


@dataclass(frozen=True)
class Overlap:
    question: str  # the template question's key
    field: str  # the portal field holding the same fact
    prefills: bool  # the portal's value answers the question in a new draft
    fills: bool  # the answer fills the portal field while it is empty


# The one table of what the questionnaire and the portal both hold (the docstring says why
# each pair is the same fact).
OVERLAPS = (
    Overlap("priority_sectors", THEMATIC_INTERESTS, prefills=True, fills=True),
    Overlap("neutrality_target", ROADMAP_OVERVIEW, prefills=False, fills=True),
    Overlap("approved_plans", ROADMAP_OVERVIEW, prefills=False, fills=True),
)
OVERLAP_KEYS = {overlap.question: overlap for overlap in OVERLAPS}

# `priority_sectors`' options and the thematic sector (taxonomy slug) each one is.
SECTOR_OPTIONS = {
    "Energy systems": "energy",
    "Built environment": "buildings",
    "Mobility and transport": "sustainable-mobility",
    "Industry": "industry",
}


def reuses(survey: Survey) -> bool:
    """Whether the survey's responses reuse and fill a city's facts (the Decisions)."""
    return (
        survey.template_key == NEEDS_ASSESSMENT
        and not survey.is_anonymous
        and survey.response_unit == ResponseUnit.CITY
    )


def reuse_notes(survey: Survey, questions) -> None:
    """Mark on the answering page each question whose answer the portal shares, with where."""
    if not reuses(survey):
        return
    for question in questions:
        overlap = OVERLAP_KEYS.get(question.template_key)
        if overlap is None:
            continue
        if overlap.field == THEMATIC_INTERESTS:
            question.reuse_note = _(
                "Shared with your city's profile: filled in from its thematic interests, and "
                "your answer fills them if the profile has none."
            )
        else:
            question.reuse_note = _(
                "Your answer fills the overview of your city's Reflection Roadmap (Phase 1) "
                "if nobody has written it yet."
            )


# --- The portal's facts into a new draft ------------------------------------------------------


def response_prefill(*, response: Response, city: City) -> list[Answer]:
    """Answer, in a city's new draft, the questions the city's profile answers (OVERLAPS,
    `prefills`): the options of `priority_sectors` whose sectors are among its thematic
    interests, when there are some and no more than the question allows. Return the answers
    written."""
    questions = {
        question.template_key: question
        for question in Question.objects.filter(
            section__survey_id=response.survey_id,
            template_key__in=[o.question for o in OVERLAPS if o.prefills],
        )
    }
    rows = []
    question = questions.get("priority_sectors")
    if question is not None:
        slugs = set(city.thematic_interests.values_list("slug", flat=True))
        options = [
            option
            for option in Option.objects.filter(question=question).order_by("position")
            if SECTOR_OPTIONS.get(option.label) in slugs
        ]
        if options and (question.max_choices is None or len(options) <= question.max_choices):
            rows += [Answer(response=response, question=question, option=o) for o in options]
    Answer.objects.bulk_create(rows)
    return rows


# --- The answers into the portal's empty fields -----------------------------------------------


def _chosen(response: Response) -> dict[str, list[Answer]]:
    """The response's answers to the overlapping questions, by template key."""
    found: dict[str, list[Answer]] = {}
    for answer in (
        Answer.objects.filter(response=response, question__template_key__in=list(OVERLAP_KEYS))
        .select_related("question", "option")
        .order_by("question__position", "option__position", "pk")
    ):
        found.setdefault(answer.question.template_key, []).append(answer)
    return found


def _labels(answers: list[Answer]) -> list[str]:
    """What was chosen, in words: an "Other" option's text rather than its label."""
    return [
        answer.text if answer.option.is_other and answer.text else answer.option.label
        for answer in answers
        if answer.option is not None
    ]


def overview_text(chosen: dict[str, list[Answer]]) -> str:
    """The roadmap overview written from the target and the approved plans ("" if neither was
    answered)."""
    lines = []
    target = _labels(chosen.get("neutrality_target", []))
    if target:
        lines.append(_("Climate neutrality target: %(target)s.") % {"target": target[0]})
    plans = _labels(chosen.get("approved_plans", []))
    if plans:
        lines.append(_("Approved plans and strategies: %(plans)s.") % {"plans": "; ".join(plans)})
    if not lines:
        return ""
    lines.append(_("(From the needs-assessment questionnaire.)"))
    return "\n".join(lines)


def city_facts_fill(*, response: Response, acting_user) -> list[str]:
    """Fill the portal fields the submitted response answers and that are still empty
    (OVERLAPS, `fills`), as `acting_user`, through the cities' and roadmaps' services. Return
    what was filled, in words for the person."""
    city = response.city
    if city is None or not reuses(response.survey):
        return []
    chosen = _chosen(response)
    filled = []
    slugs = [
        SECTOR_OPTIONS[answer.option.label]
        for answer in chosen.get("priority_sectors", [])
        if answer.option is not None and answer.option.label in SECTOR_OPTIONS
    ]
    if slugs and not city.thematic_interests.exists():
        try:
            with transaction.atomic():
                city_profile_update(
                    acting_user=acting_user,
                    city=city,
                    population=city.population,
                    description=city.description,
                    thematic_interests=ThematicSector.objects.filter(slug__in=slugs),
                )
        except (ApplicationError, PermissionDenied):
            city.refresh_from_db()
        else:
            filled.append(_("the thematic interests of %(city)s's profile") % {"city": city.name})
    text = overview_text(chosen)
    roadmap = (
        Roadmap.objects.filter(city=city, cohort__in=survey_cohorts(response.survey))
        .order_by("-cohort__starts_on", "-pk")
        .first()
        if text
        else None
    )
    if (
        roadmap is not None
        # Anyone's save, even one emptied since, is a person's: never written over.
        and not RoadmapValue.objects.filter(roadmap=roadmap, key=OVERVIEW_KEY).exists()
    ):
        try:
            with transaction.atomic():
                saved = roadmap_field_save(
                    roadmap=roadmap,
                    key=OVERVIEW_KEY,
                    value=text,
                    base_version=0,
                    acting_user=acting_user,
                )
        except (ApplicationError, PermissionDenied, Roadmap.DoesNotExist):
            pass
        else:
            if saved.pk is not None:
                filled.append(
                    _("the overview of %(city)s's Reflection Roadmap") % {"city": city.name}
                )
    return filled
