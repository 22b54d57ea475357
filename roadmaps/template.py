"""The Reflection Roadmap template (000 Figure 4) as data.

Every part of the template is a `FieldSpec` with a stable key. Forms, autosave, validation at
submit, the history, the PDF and the API all read this one list, so a change to the template is a
change here. Values are stored as text in `RoadmapValue` rows; `kind` says how to read and check
them.

Decision: Phase 2.2 has a reasoning per enabling factor (the template's table has a reasoning
cell on each factor's row), each at most 100 words.
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
    Section("phase1", _("Phase 1 · Climate challenge"), PhaseKind.ONBOARDING),
    Section(
        "phase2_1", _("Phase 2.1 · Desirability of the solution"), PhaseKind.THEMATIC_DISCUSSIONS
    ),
    Section(
        "phase2_2", _("Phase 2.2 · Feasibility of the solution"), PhaseKind.THEMATIC_DISCUSSIONS
    ),
    Section("phase3", _("Phase 3 · Suitable journey"), PhaseKind.TECHNICAL_SUPPORT),
    Section("phase4", _("Phase 4 · Group Study Visits"), PhaseKind.STUDY_VISIT_PREPARATION),
]
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
        FieldSpec(f"phase1.cause_{n}", "phase1", _("Main cause %(n)s") % {"n": n}, TEXT)
        for n in range(1, CAUSES + 1)
    ]
    fields += [
        FieldSpec(f"phase1.consequence_{n}", "phase1", _("Consequence %(n)s") % {"n": n}, TEXT)
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
    for factor in ENABLING_FACTORS:
        slug, name = factor["slug"], factor["name"]
        fields += [
            FieldSpec(
                f"phase2_2.score.{slug}",
                "phase2_2",
                _("%(factor)s: score from 1 (weak) to 5 (strong)") % {"factor": name},
                SCORE,
            ),
            FieldSpec(
                f"phase2_2.reasoning.{slug}",
                "phase2_2",
                _("%(factor)s: reasoning") % {"factor": name},
                LIMITED_TEXT,
                word_limit=REASONING_WORD_LIMIT,
            ),
        ]
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


def fields_of_section(section_key: str) -> list[FieldSpec]:
    return [field for field in FIELDS if field.section == section_key]


def word_count(text: str) -> int:
    """Count words the way the page's live counter does: runs of non-space characters."""
    return len(text.split())
