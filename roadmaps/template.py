"""The Reflection Roadmap template (000 Figure 4) as data.

Every part of the template is a `FieldSpec` with a stable key. Forms, autosave, validation at
submit, the history, the PDF and the API all read this one list, so a change to the template is a
change here. Values are stored as text in `RoadmapValue` rows; `kind` says how to read and check
them.

Decision: Phase 2.2 has one general reasoning for all the scores, at most 100 words, as the
template asks ("Explain briefly the general reasoning for giving the scores (word limit 100)",
one cell beside the whole table). Until issue 10 it had one reasoning per factor; migration
roadmaps 0007 joined those texts into the general one, each after its factor's name.

Decision: Phase 2.2 is framed "based on the medium to high level of desirability": when the
city rates its chosen solution's desirability Low, the section's fields are not required
(`required_keys`), the share complete counts without them and the page says why.

Each section carries the template's own guidance (`Section.guidance`), quoted from 000 Figure 4.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from cohorts.enums import PhaseKind
from taxonomy.reference import ENABLING_FACTORS

REASONING_WORD_LIMIT = 100
CAUSES = 3
CONSEQUENCES = 3

# Field kinds.
TEXT = "text"  # one line
LONG_TEXT = "long_text"  # a paragraph or more
LIMITED_TEXT = "limited_text"  # a paragraph with a word limit
EMAIL = "email"
DESIRABILITY = "desirability"  # high / medium / low (roadmaps.enums.Desirability)
SCORE = "score"  # 1 to 5
CLIMATE_ACTION = "climate_action"  # the id of a climate action presented in this cohort
SERVICES = "services"  # comma-separated ids of NetZeroCitiesService rows


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    # The cohort phase from whose start the section can be edited; None: always editable.
    opens_with: str | None
    # The template's own words heading the section (000 Figure 4).
    guidance: str = ""


@dataclass(frozen=True)
class FieldSpec:
    key: str
    section: str
    label: str
    kind: str
    required: bool = True
    help_text: str = ""
    word_limit: int | None = None


SECTIONS = [
    Section("representative", _("City representative"), None),
    Section(
        "phase1",
        _("Phase 1 · Climate challenge"),
        PhaseKind.ONBOARDING,
        _(
            "Overview of your city's climate neutrality objectives, targets and actions "
            "planned (per sector/domain and levers of change involved) or other."
        ),
    ),
    Section(
        "phase2_1",
        _("Phase 2.1 · Desirability of the solution"),
        PhaseKind.THEMATIC_DISCUSSIONS,
        _(
            "Pick up a climate solution presented by one of the Mission Cities and reflect on "
            "the desirability of the solution to be adapted/transferred to your own local "
            "context linked to your city's spotlighted challenge."
        ),
    ),
    Section(
        "phase2_2",
        _("Phase 2.2 · Feasibility of the solution"),
        PhaseKind.THEMATIC_DISCUSSIONS,
        _(
            "Based on the medium to high level of desirability to transfer the solution "
            "presented by the Mission City to your own city, please reflect on and assess what "
            "your city currently does or should do (for each of the factors listed below) to "
            "adapt the Mission City's climate solution to your local context."
        ),
    ),
    Section(
        "phase3",
        _("Phase 3 · Suitable journey"),
        PhaseKind.TECHNICAL_SUPPORT,
        _(
            "Navigate and select the suitable journey through NetZeroCities services, for your "
            "climate neutrality objectives and more concretely for your spotlighted challenge."
        ),
    ),
    Section(
        "phase4",
        _("Phase 4 · Group Study Visits"),
        PhaseKind.STUDY_VISIT_PREPARATION,
        _("Apply soon to join a 2-days group study visit in a Mission City!"),
    ),
]
# The heading of Phase 1's second part, as the template and the PDF have it.
CHALLENGE_SPOTLIGHT = _("Challenge spotlight!")
CHALLENGE_SPOTLIGHT_GUIDANCE = _(
    "Describe the main climate-related challenge that you would like to focus on during the "
    "following Learning Phases."
)
# The first field of Phase 1 under the "Challenge spotlight!" heading.
CHALLENGE_SPOTLIGHT_STARTS_AT = "phase1.challenge"
DESIRABILITY_KEY = "phase2_1.desirability"
REASONING_KEY = "phase2_2.reasoning"
# Phase 2.2 is not asked of a solution whose desirability is Low (the module's Decision).
FEASIBILITY_NOT_ASKED_WHEN = "low"
FEASIBILITY_NOT_ASKED = _(
    "You rated the desirability of the solution Low, so Phase 2.2 is not required: the "
    "template asks for the feasibility of a solution of medium to high desirability. You may "
    "still fill it in."
)
SECTIONS_BY_KEY = {section.key: section for section in SECTIONS}


def _fields() -> list[FieldSpec]:
    fields = [
        FieldSpec("representative.first_name", "representative", _("First name"), TEXT),
        FieldSpec("representative.last_name", "representative", _("Last name"), TEXT),
        FieldSpec("representative.role", "representative", _("Role in the city"), TEXT),
        FieldSpec("representative.email", "representative", _("Email address"), EMAIL),
        FieldSpec(
            "phase1.overview",
            "phase1",
            _("Overview of your city's climate-neutrality objectives, targets and planned actions"),
            LONG_TEXT,
            help_text=_("Per sector or domain, and the levers of change involved."),
        ),
        FieldSpec(
            "phase1.challenge",
            "phase1",
            _("What is your climate challenge about?"),
            LONG_TEXT,
            help_text=_("The main climate-related challenge you will focus on in the next phases."),
        ),
    ]
    fields += [
        FieldSpec(f"phase1.cause_{n}", "phase1", _("Main cause %(n)s") % {"n": n}, LONG_TEXT)
        for n in range(1, CAUSES + 1)
    ]
    fields += [
        FieldSpec(f"phase1.consequence_{n}", "phase1", _("Consequence %(n)s") % {"n": n}, LONG_TEXT)
        for n in range(1, CONSEQUENCES + 1)
    ]
    fields += [
        FieldSpec("phase1.in_place", "phase1", _("What have you put in place?"), LONG_TEXT),
        FieldSpec("phase1.missing", "phase1", _("What is missing?"), LONG_TEXT),
        FieldSpec(
            "phase2_1.climate_action",
            "phase2_1",
            _("Mission City solution of your choice"),
            CLIMATE_ACTION,
            help_text=_("One of the climate actions presented by Mission Cities in this cohort."),
        ),
        FieldSpec(
            "phase2_1.desirability",
            "phase2_1",
            _(
                "To what extent could the solution support your city in achieving its climate "
                "objectives?"
            ),
            DESIRABILITY,
        ),
        FieldSpec(
            "phase2_1.explanation",
            "phase2_1",
            _("Explain briefly your response"),
            LONG_TEXT,
            help_text=_("For example, the impact of a similar solution in your city's strategy."),
        ),
    ]
    fields += [
        FieldSpec(
            f"phase2_2.score.{factor['slug']}",
            "phase2_2",
            _("%(factor)s: score from 1 (weak) to 5 (strong)") % {"factor": factor["name"]},
            SCORE,
        )
        for factor in ENABLING_FACTORS
    ]
    fields.append(
        FieldSpec(
            REASONING_KEY,
            "phase2_2",
            _("Explain briefly the general reasoning for giving the scores"),
            LIMITED_TEXT,
            help_text=_("Word limit %(limit)s.") % {"limit": REASONING_WORD_LIMIT},
            word_limit=REASONING_WORD_LIMIT,
        )
    )
    fields += [
        FieldSpec(
            "phase3.services",
            "phase3",
            _("NetZeroCities services for your spotlighted challenge"),
            SERVICES,
        ),
        FieldSpec("phase3.note", "phase3", _("Note"), LONG_TEXT, required=False),
    ]
    return fields


FIELDS = _fields()
FIELDS_BY_KEY = {field.key: field for field in FIELDS}
REQUIRED_KEYS = [field.key for field in FIELDS if field.required]


def feasibility_asked(values: dict[str, str]) -> bool:
    """Whether Phase 2.2 is asked, given the saved texts by key (the module's Decision)."""
    return values.get(DESIRABILITY_KEY, "").strip() != FEASIBILITY_NOT_ASKED_WHEN


def required_keys(values: dict[str, str]) -> list[str]:
    """The fields required of a roadmap whose saved texts by key are `values`."""
    if feasibility_asked(values):
        return REQUIRED_KEYS
    return [key for key in REQUIRED_KEYS if FIELDS_BY_KEY[key].section != "phase2_2"]


def over_limit(field: FieldSpec, value: str) -> bool:
    """Whether the text is over the field's word limit (a migrated text may be)."""
    return field.word_limit is not None and word_count(value) > field.word_limit


def fields_of_section(section_key: str) -> list[FieldSpec]:
    return [field for field in FIELDS if field.section == section_key]


def word_count(text: str) -> int:
    """Count words the way the page's live counter does: runs of non-space characters."""
    return len(text.split())
