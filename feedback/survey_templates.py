"""The ready survey templates (issue 11) as data, and the service that copies one into a new
survey.

Three templates, each with the wording of the survey the programme really ran:

- `post_session`: after a thematic session, which sub-topics cities want to explore in the
  technical session of its sector (000 §2.3 and §3.3: "the sub-topics for each session were
  shaped by city preferences identified in post-session surveys from Phase 2"). 000 does not
  print that survey; its options are, per sector, the sub-topic the technical session took up
  (Table 5, first) and the learning needs cities gave for the sector in the June 2024 survey
  (§1.2.2), in the document's words. It is copied for a thematic session only: the session's
  thematic group says which sector's sub-topics it offers.
- `final_recap`: the Mentimeter survey of the final recap event of 13 March 2025 (000 §4.1 and
  Annex 2). The two satisfaction questions are single choices whose options are the answers
  §4.1 reports ("15 out of 18 respondents indicated satisfaction ..., two cities expressed
  interest in learning more about systemic approaches ..."), so its results give the documented
  figures back. Annex 2 prints "Are you satisfied with the 1h30min session format and its
  content balance?" twice, once for the thematic and once for the technical sessions: the
  template keeps that wording in two sections named after the sessions they ask about.
- `needs_assessment`: the needs-assessment questionnaire of 004 Annex 2, question for question,
  in the Annex's sections (its enabling themes, then its four sectoral themes). The Annex's
  instructions ("Select a maximum of 3 options", "Select what is applicable") are the
  questions' help; "Other (please specify)" is an option asking for a text; a question answered
  on a line ("_____") is a long text; "If yes" questions after a yes/no question are shown only
  to those who answered Yes. Where the extracted text split a sentence over two options or put
  an instruction among the options, they are joined back (see the comments below).
  Each section names the enabling theme of 004 §3 its questions speak to, and a question whose
  theme differs says its own (`theme`), after where §3 reports its answers: Urban Governance
  is §3.1 Policy and governance (the priority sectors §3.2.1, the co-benefits §3.5);
  Innovation Management §3.3.2 (the platforms of Spotlight 2; their reporting tools §3.5);
  Stakeholder Engagement §3.3.1; Funding and Partnerships §3.4; Peer to Peer learning §3.5;
  the four sectoral sections §3.2.1 "City systems" (Implementation practices). The copy keeps
  them (`Section.enabling_theme`, `Question.enabling_theme`) and each question's `key`
  (`Question.template_key`): the results by theme and the reuse of a city's answers read them.

Decision: the wording of the questions and options is the source documents' English, kept
exactly, and not marked for translation: once copied, a survey is its builder's text, changed
in the builder like any other (a facilitator of a French cohort translates the copy).
The templates' names and descriptions, shown where a template is picked, are translated.
"""

from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from cohorts.enums import Programme
from cohorts.models import Cohort
from feedback.enums import OPTION_KINDS, QuestionKind, ResponseUnit, SurveyScope
from feedback.models import Option, Question, Section, Survey
from portal.errors import ApplicationError
from portal.permissions import permission_check
from sessions.enums import SessionKind, SessionStatus
from sessions.models import Session
from taxonomy.models import EnablingTheme

OTHER_SUFFIX = "(please specify)"


@dataclass(frozen=True)
class QuestionSpec:
    # Stable within its template: display conditions name the question they depend on by it.
    key: str
    kind: str
    text: str
    help_text: str = ""
    required: bool = False
    # Choice, ranking and matrix questions: the labels, in order. A label ending in
    # "(please specify)" is the option that asks for a text (`Option.is_other`).
    options: tuple[str, ...] = ()
    max_choices: int | None = None
    max_length: int | None = None
    scale_labels: tuple[str, ...] = ()
    allows_not_applicable: bool = False
    # Shown only to those who chose this option of an earlier question: (its key, the label).
    shown_if: tuple[str, str] | None = None
    # The options are the sub-topics of the session's sector (POST_SESSION_SUBTOPICS).
    sector_subtopics: bool = False
    # The slug of its enabling theme (taxonomy.reference.ENABLING_THEMES) where it differs
    # from its section's.
    theme: str = ""


@dataclass(frozen=True)
class SectionSpec:
    title: str
    questions: tuple[QuestionSpec, ...]
    description: str = ""
    # The slug of the enabling theme of city needs (004 §3) its questions speak to.
    theme: str = ""


@dataclass(frozen=True)
class SurveyTemplate:
    key: str
    name: str
    description: str
    title: str
    sections: tuple[SectionSpec, ...]
    introduction: str = ""
    # What a survey of this template may be about (the post-session one: a thematic session).
    scopes: frozenset = field(default_factory=lambda: frozenset(SurveyScope.values))


def _choice(key, kind, text, options, **extra) -> QuestionSpec:
    return QuestionSpec(key=key, kind=kind, text=text, options=tuple(options), **extra)


def _single(key, text, options, **extra) -> QuestionSpec:
    return _choice(key, QuestionKind.SINGLE_CHOICE, text, options, **extra)


def _multiple(key, text, options, **extra) -> QuestionSpec:
    return _choice(key, QuestionKind.MULTIPLE_CHOICE, text, options, **extra)


def _text(key, text, **extra) -> QuestionSpec:
    return QuestionSpec(key=key, kind=QuestionKind.LONG_TEXT, text=text, **extra)


OTHER = "Other (please specify)"
YES_NO = ("Yes", "No")
YES_NO_OTHER = ("Yes", "No", OTHER)
APPLICABLE = "(Select what is applicable)"
MAX_3 = "(Select a maximum of 3 options)"

# --- Post-session survey (000 §3.3) ---------------------------------------------------------

POST_SESSION = "post_session"

# Per thematic sector (taxonomy slug): the sub-topic of its technical session (000 Table 5),
# then the learning needs of §1.2.2 for the sector, as printed.
POST_SESSION_SUBTOPICS = {
    "buildings": (
        "Dealing with the retrofitting of historical areas by integrating renewable energy sources",
        "Improving energy efficiency in buildings, especially heritage and historical buildings.",
        "How to leverage better financial support and private sector engagement in building "
        "renovations.",
    ),
    "energy": (
        "Exploring energy poverty reduction at the city scale",
        "Increased adoption of renewable energy sources within the city.",
        "Promotion of cleaner production techniques and incentives to limit industrial emissions.",
    ),
    "sustainable-mobility": (
        "Reducing private mobility by changing modal split",
        "Need to expand and improve public transport to reduce citizens' reliance on private "
        "vehicles.",
        "Development of electric vehicle infrastructure and incentives to promote EV adoption.",
        "Enhancement of pedestrian and cycling infrastructure to support active transportation.",
        "Addressing traffic congestion, particularly in highly touristic cities.",
        "Overcoming planning and infrastructure deficiencies that hinder sustainable mobility.",
    ),
    "nature-based-solutions": (
        "Heat Island reduction through green and blue urban infrastructure",
        "Expanding green spaces and protecting natural ecosystems for climate resilience",
        "Addressing water scarcity due to climate change, especially in agriculture and "
        "tourist-dependent cities.",
        "Combatting urbanization-driven habitat loss, erosion and desertification.",
        "Strengthening responses to forest fires, flooding and heat waves intensified by "
        "climate change.",
    ),
    "circular-economy": (
        "Extending the lifecycle of building materials",
        "Managing waste and recycling, especially during peak tourist seasons.",
        "Waste water treatment system",
        "Circular construction",
    ),
}

POST_SESSION_TEMPLATE = SurveyTemplate(
    key=POST_SESSION,
    name=_("Post-session survey"),
    description=_(
        "After a thematic session: which sub-topics of its sector cities want to explore in the "
        "technical session (000 §3.3)."
    ),
    title="Which sub-topics should the technical session explore?",
    introduction=(
        "The technical sessions go deeper into narrower, concrete aspects of each climate "
        "sector. Tell us which sub-topics your city prioritises."
    ),
    scopes=frozenset({SurveyScope.SESSION}),
    sections=(
        SectionSpec(
            title="Sub-topics for the technical session",
            questions=(
                QuestionSpec(
                    key="subtopics",
                    kind=QuestionKind.MULTIPLE_CHOICE,
                    text="Which sub-topics would you like to explore in the technical session?",
                    help_text="(Select what is applicable)",
                    required=True,
                    sector_subtopics=True,
                ),
                _text("comment", "Any comment on the sub-topics you chose?"),
            ),
        ),
    ),
)

# --- Final recap survey (000 §4.1 and Annex 2) ------------------------------------------------

FINAL_RECAP = "final_recap"
SATISFIED = "Are you satisfied with the 1h30min session format and its content balance?"

# The answers §4.1 reports, in its order, then "Other" for any answer it does not.
THEMATIC_FORMAT_OPTIONS = (
    "Yes, I am satisfied with the structure and content balance",
    "I would like to learn more about systemic approaches rather than sector-specific strategies",
    "I would extend the exchange time with Mission Cities",
    OTHER,
)
TECHNICAL_FORMAT_OPTIONS = (
    "I would have preferred direct technical support to address our specific climate-related "
    "challenges",
    "Yes, I am satisfied with the format",
    "I would have liked to hear more from other cities instead of the NZC consortium members",
    "I would incorporate more problem-solving exercises",
    OTHER,
)

# The final recap's two satisfaction questions (by template key) and the option of each that
# says "satisfied" (000 §4.1 counts "15 out of 18 respondents indicated satisfaction"): the
# programme dashboard reports the share of respondents who chose it (reports.figures).
SATISFACTION_QUESTIONS = {
    "thematic_format": _("Thematic sessions' format"),
    "technical_format": _("Technical sessions' format"),
}
SATISFIED_OPTIONS = (THEMATIC_FORMAT_OPTIONS[0], TECHNICAL_FORMAT_OPTIONS[1])

FINAL_RECAP_TEMPLATE = SurveyTemplate(
    key=FINAL_RECAP,
    name=_("Final recap survey"),
    description=_(
        "At the end of a cohort: what cities gained, the session format, the technical "
        "sessions, the support they need and how possible climate neutrality is (000 Annex 2)."
    ),
    title="Final recap survey",
    introduction=(
        "Your feedback on your experience during the thematic and technical sessions, to "
        "improve the next cohorts."
    ),
    sections=(
        SectionSpec(
            title="What your city gained",
            questions=(
                QuestionSpec(
                    key="gained",
                    kind=QuestionKind.SHORT_TEXT,
                    text="What did your city gain from the thematic and technical sessions?",
                ),
            ),
        ),
        SectionSpec(
            title="Thematic sessions",
            description="The thematic online discussions with the Mission Cities.",
            questions=(
                _single("thematic_format", SATISFIED, THEMATIC_FORMAT_OPTIONS, required=True),
            ),
        ),
        SectionSpec(
            title="Technical sessions",
            description="The technical support sessions run by the NZC consortium's experts.",
            questions=(
                _single("technical_format", SATISFIED, TECHNICAL_FORMAT_OPTIONS, required=True),
            ),
        ),
        SectionSpec(
            title="Support and outlook",
            questions=(
                QuestionSpec(
                    key="support_service",
                    kind=QuestionKind.SHORT_TEXT,
                    text=(
                        "Describe in one sentence a support service you would need to support "
                        "your climate neutrality goal."
                    ),
                ),
                QuestionSpec(
                    key="how_possible",
                    kind=QuestionKind.SCALE_0_10,
                    text="How possible is it to become climate neutral?",
                    help_text="0: not possible at all; 10: certainly possible",
                ),
            ),
        ),
    ),
)

# --- Needs-assessment questionnaire (004 Annex 2) ---------------------------------------------

NEEDS_ASSESSMENT = "needs_assessment"

# The extent scale of 004 Annex 2, lowest first as feedback.enums.SCALE_POINTS counts it (the
# Annex lists it from "A great deal" down); "Not applicable" is offered apart.
EXTENT_SCALE = ("None at all", "A little", "A moderate amount", "A lot", "A great deal")

NEEDS_ASSESSMENT_TEMPLATE = SurveyTemplate(
    key=NEEDS_ASSESSMENT,
    name=_("Needs-assessment questionnaire"),
    description=_(
        "A city's governance, barriers, engagement, funding, peer learning and sectoral work "
        "(004 Annex 2)."
    ),
    title="Needs assessment",
    sections=(
        SectionSpec(
            title="Urban Governance",
            theme="policy-governance",
            questions=(
                _multiple(
                    "governance_arrangements",
                    "Does your city have any of the following governance arrangements?",
                    (
                        "Climate Officer (or equivalent)",
                        "Climate Department (or equivalent)",
                        "Climate responsibilities shared across different officers",
                        "Climate responsibilities shared across different departments",
                        OTHER,
                    ),
                    help_text=APPLICABLE,
                ),
                _single(
                    "climate_staff",
                    "How many municipal employees are working specifically on climate change "
                    "action?",
                    (
                        "Less than 5",
                        "5 - 10",
                        "Sprinkled throughout the municipal administration",
                        "No dedicated city staff, but we have hired external consultant(s)",
                        OTHER,
                    ),
                ),
                # The Annex prints "(Select what is applicable)" as the first option.
                _multiple(
                    "approved_plans",
                    "Do you have any approved (signed by City Council) plans or strategies for "
                    "city-wide climate change action in place?",
                    (
                        "Sustainable Energy Action Plan",
                        "Sustainable Energy & Climate Action Plan",
                        "Sustainable Urban Mobility Plan (SUMP)",
                        "Climate Action/ Climate change mitigation Plan",
                        "Resilience Strategy",
                        "Others (please specify)",
                    ),
                    help_text=APPLICABLE,
                ),
                _text(
                    "climate_department",
                    "In which department(s) does the climate-neutral agenda sit in:",
                ),
                _single(
                    "neutrality_target",
                    "Does your city have a climate neutrality, net zero or similar target?",
                    (
                        "Yes, with a timeline range of up to 2030",
                        "Yes, with a timeline range of 2030 - 2040",
                        "Yes, with a timeline range of 2040 - 2050",
                        "Yes, with a timeline range of >2050",
                        "No, but we have an intention of committing",
                        "No target yet",
                        OTHER,
                    ),
                ),
                _multiple(
                    "priority_sectors",
                    "What have you identified as your priority sectors for GHG (Green House "
                    "Gases) emissions reduction?",
                    (
                        "Energy systems",
                        "Built environment",
                        "Mobility and transport",
                        "Industry",
                        "Have not identified yet",
                        OTHER,
                    ),
                    help_text=MAX_3,
                    max_choices=3,
                    # 004 §3.2.1 ("City systems") reads the sectors where cities act.
                    theme="implementation-practices",
                ),
                _multiple(
                    "barriers",
                    "What are the main barriers & gaps your city faces to reduce GHG emissions?",
                    (
                        "Insufficient administrative and operational capacity",
                        "Lack of know-how and skills",
                        "Slow approval or authorization process",
                        "Lack of enabling policy at the EU level",
                        "Lack of enabling policy at the National/ Federal level",
                        "Limited technological interventions that reduce/ eliminate emissions",
                        "Fragmented responsibility & siloed governance structure",
                        "Too many bureaucratic hurdles",
                        "Few/limited collaborations with private & public partnerships",
                        "Lack of digitalisation",
                        "Lack of circularity",
                        "Uncertain or unclear regulations and taxation",
                        "Very high investment costs",
                        "Lack of monitoring, reporting and verification procedures",
                        "Lack of support from the relevant industries",
                        "Lack of political leadership",
                        "Lack of support/awareness by citizens",
                        OTHER,
                    ),
                    help_text=MAX_3,
                    max_choices=3,
                ),
                _single(
                    "dnsh",
                    "Does your city take into account the principle “do not significant harm” "
                    "(DNSH) in climate policy initiatives?",
                    YES_NO_OTHER,
                ),
                _multiple(
                    "co_benefits",
                    "What are the co-benefits for your city by becoming climate-neutral?",
                    (
                        "Reduced risk of natural and climate hazards",
                        "Poverty alleviation",
                        "Improved public health and quality of life",
                        "Ecosystem/biodiversity preservation",
                        "Improved access to services (i.e., public transport, energy)",
                        "Enhanced social cohesion and social justice",
                        "Better education, knowledge and capacity building",
                        "Increased participation and awareness among citizens",
                        "Economic growth and boosted local businesses",
                        "Enhanced attractiveness of cities",
                        OTHER,
                    ),
                    help_text=MAX_3,
                    max_choices=3,
                    # 004 §3.5 reports the co-benefits cities assess under monitoring and
                    # learning.
                    theme="strategic-learning",
                ),
            ),
        ),
        SectionSpec(
            title="Innovation Management",
            theme="culture-social-innovation-participation",
            questions=(
                # The Annex prints the example's sentence as the first two options.
                _multiple(
                    "platforms",
                    "Are you active on any of these existing platforms & initiatives",
                    (
                        "100 Intelligent Cities Challenge",
                        "100 Positive Energy Districts",
                        "CIVITAS",
                        "Clean Energy for EU Islands Initiative",
                        "Covenant of Mayors",
                        "Eltis: European Platform on Sustainable Urban Mobility Plans",
                        "European Network of Living Labs (ENoLL)",
                        "Smart Cities Marketplace",
                        OTHER,
                    ),
                    help_text=(
                        "(Select what is applicable) Example of an online platform is a digital "
                        "service that can facilitate interactions between different users and "
                        "provide access to information, tools & technologies."
                    ),
                ),
                _multiple(
                    "platforms_liked",
                    "If yes, what do you like best about the platforms you use?",
                    (
                        "Easy to use interface",
                        "Informative content",
                        "Tailormade solutions",
                        "Ready to use toolkits",
                        "Online repository of best practices",
                        "Access to online trainings/MOOC",
                        "Networking/ member space",
                        OTHER,
                    ),
                    help_text=APPLICABLE,
                ),
                _single(
                    "platform_tools",
                    "Do you apply tools or frameworks provided by these platforms to monitor, "
                    "evaluate and report emissions?",
                    YES_NO,
                    # 004 §3.5: "only half the cities indicated that they use some kind of a
                    # reporting platform" (monitoring, evaluation and learning).
                    theme="strategic-learning",
                ),
                _text(
                    "platform_tools_which",
                    "If yes, which tools or frameworks are you using to monitor, evaluate and "
                    "report your emissions?",
                    shown_if=("platform_tools", "Yes"),
                    theme="strategic-learning",
                ),
            ),
        ),
        SectionSpec(
            title="Stakeholder Engagement & Capacity Building",
            theme="culture-social-innovation-participation",
            questions=(
                _multiple(
                    "engagement_ways",
                    "In what ways does your city engage with different stakeholders and "
                    "citizens for climate action (or climate-neutral) policies?",
                    (
                        "Consultation on strategies & policies",
                        "Panels & assemblies",
                        "Co-design of strategies with stakeholders & citizens",
                        "Reciprocal climate commitments by stakeholders",
                        "Neighbourhood information events/ sessions",
                        OTHER,
                        "None of the above",
                    ),
                    help_text=APPLICABLE,
                ),
                QuestionSpec(
                    key="engagement_importance",
                    kind=QuestionKind.SCALE_0_10,
                    text="How would you rank the importance of stakeholder and citizen "
                    "engagement in your city's current approach?",
                    help_text="(scale 0 -10)",
                ),
                _text(
                    "social_justice",
                    "What actions is your city taking to ensure social justice, inclusivity in "
                    "stakeholder and citizen engagement processes?",
                ),
                # The Annex numbers this one "19." (no other question is numbered).
                _multiple(
                    "groups_engaged",
                    "Which groups have you engaged in climate action projects?",
                    (
                        "Civil society groups",
                        "Residents",
                        "Building owners",
                        "Social workers",
                        "Associations",
                        "Public institutions like schools, cultural organisations",
                        "Researchers",
                        "Activists",
                        "Entrepreneurs & business owners",
                        "Local industry",
                        "Energy suppliers",
                        "Utilities",
                        "Health sector",
                        OTHER,
                    ),
                    help_text=APPLICABLE,
                ),
                _text(
                    "engagement_links",
                    "Please add any relevant links/titles description of successful "
                    "methods/initiatives of engaging stakeholders and citizens.",
                ),
                _multiple(
                    "engagement_barriers",
                    "What kinds of barriers do you face in trying to reach stakeholders and "
                    "citizens to engage on climate neutrality?",
                    (
                        "Lack of communication channels",
                        "Lack of on-ground partners",
                        "Lack of awareness on the content and issues of climate change",
                        "Lack of feedback mechanisms between communities and decision makers",
                        "Limited frameworks or methodologies for engagement",
                        "Complexity of the issue at hand and limited simplified communication "
                        "material",
                        "Resistance/ fear from communities to change business as usual",
                        "Local policies that block inclusive decision making",
                        "Influential gatekeepers of communities and/or political barriers",
                        "Low buy-in from local businesses",
                        OTHER,
                    ),
                    help_text=MAX_3,
                    max_choices=3,
                ),
            ),
        ),
        SectionSpec(
            title="Funding and Partnerships",
            theme="finance-business-models",
            questions=(
                _multiple(
                    "funding_gaps",
                    "What are the funding gaps you have recognised?",
                    (
                        "Lack of seed funding for project identification",
                        "Difficulty in identifying right type of funding",
                        "Lack of funding for project preparation",
                        "Lack of seed funding for experimentation",
                        "Lack of funding for capital costs",
                        "Lack of funding for operation & maintenance costs",
                        "Lack of mixed funding models",
                        OTHER,
                    ),
                    help_text=MAX_3,
                    max_choices=3,
                ),
                _text(
                    "financial_instruments",
                    "Which type of financial instruments does your city have experience in "
                    "managing?",
                ),
                # The Annex splits the first option over two lines.
                _multiple(
                    "budget_allocations",
                    "Does your city have any of these budgetary allocations for climate action?",
                    (
                        "Allocations to finance new climate actions or a way to access the funds "
                        "dedicated to assessing the climate friendliness of actions already "
                        "planned.",
                        "Climate mitigation budget",
                        "Climate adaptation budget",
                        "Circular economy budget",
                        "Green mobility budget",
                        "Building decarbonisation budget",
                        "Energy efficiency budget",
                        "Renewable energy budget",
                        OTHER,
                    ),
                    help_text=APPLICABLE,
                ),
            ),
        ),
        SectionSpec(
            title="Peer to Peer learning and Upscaling",
            theme="strategic-learning",
            questions=(
                _single(
                    "cooperated",
                    "Have you ever cooperated with other cities in your country or across "
                    "Europe for peer-to-peer learning?",
                    YES_NO,
                ),
                _text(
                    "cooperated_with",
                    "If yes, which city or country have you cooperated with?",
                    shown_if=("cooperated", "Yes"),
                ),
                _multiple(
                    "motivation",
                    "What is/was the motivation for your city to join this peer-to-peer "
                    "learning programme?",
                    (
                        "Research Project",
                        "National programme",
                        "Voluntary knowledge participation",
                        OTHER,
                    ),
                    help_text=APPLICABLE,
                ),
                _text(
                    "inspiring_cities",
                    "Which cities are you currently looking towards for inspiration on "
                    "climate-neutral policies and actions?",
                ),
                _multiple(
                    "useful_resources",
                    "What do you think are the most useful resources for city to city exchange "
                    "and peer learning?",
                    (
                        "Reports and publications (eg. case studies)",
                        "Podcast",
                        "Videos",
                        "Apps",
                        "Webinars",
                        "One-to-one discussions",
                        "City visits",
                        "Workshops",
                        OTHER,
                    ),
                    help_text=APPLICABLE,
                ),
                # The Annex gives the choices in brackets after the question.
                _single(
                    "resources_frequency",
                    "How often would you prefer to access these resources?",
                    ("Quarterly", "Monthly", "Weekly"),
                ),
                _text(
                    "replicated",
                    "Have you tried to reproduce or replicate actions (of any sort, such as new "
                    "regulation, procedure, technology, etc.) carried out in another city to "
                    "your own city, as a result of peer-to-peer learning programmes?",
                ),
                _text("replicated_examples", "If yes, please give examples."),
            ),
        ),
        SectionSpec(
            title="Sectoral Themes: Nature Based Solutions",
            theme="implementation-practices",
            questions=(
                _single(
                    "nbs_worked",
                    "Has your city previously worked with Nature-based Solutions?",
                    YES_NO_OTHER,
                ),
                _multiple(
                    "nbs_types",
                    "If yes, what types of Nature-based Solutions have you worked with?",
                    (
                        "Bio-swales",
                        "Urban Forests",
                        "Wetlands",
                        "Large urban parks",
                        "Pocket gardens",
                        "Community gardens",
                        "Street trees",
                        "Green roofs/ green walls",
                        "Green pavements",
                        "Retention ponds",
                        OTHER,
                    ),
                    help_text=APPLICABLE,
                    shown_if=("nbs_worked", "Yes"),
                ),
                _multiple(
                    "nbs_challenges",
                    "What are the challenges to implementing Nature-based Solutions in your city?",
                    (
                        "Lack of coordination among municipal departments",
                        "Unclear allocation of tasks and responsibilities",
                        "Balancing possible trade-offs",
                        "Asymmetry between short-term expected results and long-term benefits of "
                        "NBS",
                        "Involvement of local communities and public acceptance",
                        "Knowledge gaps, lack of technical expertise and lack of trainings",
                        "Identification and quantification of benefits and co-benefits",
                        "Insufficient instructions for maintenance and monitoring",
                        "Lack of financial incentives",
                        "Inadequate/ tight financial resources",
                        "Lack of political commitment",
                        OTHER,
                    ),
                    help_text=MAX_3,
                    max_choices=3,
                ),
                _multiple(
                    "nbs_purpose",
                    "What is the purpose of using Nature-based Solutions in your city?",
                    (
                        "Disaster risk reduction",
                        "Carbon sequestration",
                        "Water Management",
                        "Improving micro-climate",
                        "Improving greening & biodiversity",
                        "Quality of life of residents",
                        "Improved urban spatial quality",
                    ),
                    help_text=APPLICABLE,
                ),
            ),
        ),
        SectionSpec(
            title="Sectoral Themes: Energy Systems (Electricity & Heat) & Built Environment",
            theme="implementation-practices",
            questions=(
                _single(
                    "renewable_target",
                    "Does your city have a target for renewable energy production?",
                    YES_NO,
                ),
                QuestionSpec(
                    key="industry_decisions",
                    kind=QuestionKind.EXTENT,
                    text="To what extent can your city make decisions about industries within "
                    "municipal limits on policy/ regulation/ engagement?",
                    scale_labels=EXTENT_SCALE,
                    allows_not_applicable=True,
                ),
                _multiple(
                    "energy_schemes",
                    "Which of the following schemes are provided by your city?",
                    (
                        "Energy subsidies & incentives for building owners (e.g., landlords)",
                        "Energy subsidies & incentives for industries",
                        "Energy programmes for building users (e.g., live-in home owners, renters)",
                        OTHER,
                    ),
                    help_text=APPLICABLE,
                ),
                _single(
                    "energy_bottom_up",
                    "Does your city support bottom-up energy sector initiatives? (e.g., energy "
                    "communities)",
                    YES_NO,
                ),
            ),
        ),
        SectionSpec(
            title="Sectoral Themes: Mobility and Transport",
            theme="implementation-practices",
            questions=(
                # The Annex gives no choices for this one: the city says which, in its words.
                _text(
                    "public_transport_targets",
                    "Does your city have policies and targets related to public transport?",
                ),
                _multiple(
                    "mobility_citizens",
                    "What is the level of involvement of citizens in sustainable mobility "
                    "initiatives?",
                    (
                        "Consulted during the strategy process",
                        "Participate in the design of policies",
                        "Participate in the delivery of initiatives",
                        OTHER,
                        "None of the above",
                    ),
                    help_text=APPLICABLE,
                ),
                # The Annex prints the end of the question's bracket as the first option.
                _single(
                    "mobility_bottom_up",
                    "Does your city support bottom-up transport initiatives like shared "
                    "mobility? (Bicycles, Scooters, Mopeds, Cars)",
                    YES_NO_OTHER,
                ),
            ),
        ),
        SectionSpec(
            title="Sectoral Themes: Circular Economy",
            theme="implementation-practices",
            questions=(
                _multiple(
                    "circular_sectors",
                    "Which sectors within circular economy is your city currently working on/ "
                    "planning to work on?",
                    (
                        "Food systems",
                        "Water systems",
                        "Solid waste & recycling",
                        "Industrial waste",
                        "Material & construction",
                        "My city does not/has not worked with the Circular Economy approach",
                        OTHER,
                        "None of the above",
                    ),
                    help_text=APPLICABLE,
                ),
                _text(
                    "circular_climate",
                    "Does your city have experience and examples in linking circular economy "
                    "and climate neutrality?",
                ),
            ),
        ),
    ),
)

TEMPLATES = {
    template.key: template
    for template in (POST_SESSION_TEMPLATE, FINAL_RECAP_TEMPLATE, NEEDS_ASSESSMENT_TEMPLATE)
}


def template_options(question: QuestionSpec, *, session: Session | None = None) -> tuple:
    """The option labels `question` is copied with (a post-session survey's sub-topics are its
    session's sector's)."""
    if question.sector_subtopics:
        return POST_SESSION_SUBTOPICS[session.thematic_group.sector.slug]
    return question.options


def _scope_of(target) -> tuple[str, Cohort | None]:
    """The scope a survey about `target` has, and the cohort whose facilitators may build it."""
    if isinstance(target, Session):
        return SurveyScope.SESSION, target.cohort
    if isinstance(target, Cohort):
        return SurveyScope.COHORT, target
    if isinstance(target, str) and target in Programme.values:
        return SurveyScope.PROGRAMME, None
    raise ApplicationError(
        _("Choose the session, cohort or programme the survey is about."), field="target"
    )


def _target_check(template: SurveyTemplate, scope: str, target) -> None:
    if scope not in template.scopes:
        raise ApplicationError(
            _("The post-session survey is about a thematic session: choose one."), field="target"
        )
    if scope != SurveyScope.SESSION:
        return
    if target.status == SessionStatus.CANCELLED:
        raise ApplicationError(_("This session was cancelled."), field="target")
    if any(q.sector_subtopics for s in template.sections for q in s.questions) and (
        target.kind != SessionKind.THEMATIC_DISCUSSION
        or target.thematic_group_id is None
        or target.thematic_group.sector.slug not in POST_SESSION_SUBTOPICS
    ):
        raise ApplicationError(
            _(
                "The post-session survey offers the sub-topics of a thematic session's sector: "
                "choose a thematic discussion of one of the five thematic groups."
            ),
            field="target",
        )


def survey_from_template(
    *,
    template_key: str,
    target,
    opens_at,
    closes_at,
    is_anonymous: bool,
    acting_user,
    response_unit: str = ResponseUnit.PERSON,
    title: str = "",
) -> Survey:
    """A new, unpublished survey copied from the template `template_key`: its sections,
    questions, options and display conditions, about `target` (a Session, a Cohort or a
    Programme value), open from `opens_at` to `closes_at`.

    Built by the facilitators of the target's cohort and programme admins (a programme survey:
    admins only). The copy has no link back to the template but its key (`Survey.template_key`)
    and each question's and option's identity in it (`Question.template_key`, the question's
    key; `Option.template_ref`, the option's label), to compare like with like; the builder
    changes it like any survey."""
    template = TEMPLATES.get(template_key)
    if template is None:
        raise ApplicationError(_("Choose one of the ready templates."), field="template_key")
    scope, cohort = _scope_of(target)
    permission_check(acting_user, "feedback.add_survey", cohort)
    _target_check(template, scope, target)
    if opens_at is None:
        raise ApplicationError(_("Give the date the survey opens."), field="opens_at")
    if closes_at is None:
        raise ApplicationError(_("Give the date the survey closes."), field="closes_at")
    if closes_at <= opens_at:
        raise ApplicationError(_("The survey must close after it opens."), field="closes_at")
    if response_unit not in ResponseUnit.values:
        raise ApplicationError(_("Choose who answers the survey."), field="response_unit")
    if is_anonymous and response_unit == ResponseUnit.CITY:
        raise ApplicationError(
            _(
                "An anonymous survey has one response per person: a city's shared response "
                "would need the names of who wrote it."
            ),
            field="response_unit",
        )
    session = target if scope == SurveyScope.SESSION else None
    with transaction.atomic():
        survey = Survey.objects.create(
            title=title or template.title,
            introduction=template.introduction,
            scope=scope,
            session=session,
            cohort=target if scope == SurveyScope.COHORT else None,
            programme=target if scope == SurveyScope.PROGRAMME else "",
            opens_at=opens_at,
            closes_at=closes_at,
            is_anonymous=is_anonymous,
            response_unit=response_unit,
            template_key=template.key,
            created_by=acting_user,
        )
        _sections_copy(template, survey=survey, session=session)
    return survey


def _sections_copy(template: SurveyTemplate, *, survey: Survey, session: Session | None) -> None:
    """Create the template's sections, questions and options under `survey`: a few bulk
    inserts, then the display conditions, which point at options created just before."""
    slugs = {spec.theme for spec in template.sections} | {
        question.theme for spec in template.sections for question in spec.questions
    }
    slugs.discard("")
    themes = EnablingTheme.objects.in_bulk(list(slugs), field_name="slug") if slugs else {}
    sections = Section.objects.bulk_create(
        Section(
            survey=survey,
            position=position,
            title=spec.title,
            description=spec.description,
            enabling_theme=themes.get(spec.theme),
        )
        for position, spec in enumerate(template.sections, start=1)
    )
    questions = {}
    for section, section_spec in zip(sections, template.sections, strict=True):
        for position, spec in enumerate(section_spec.questions, start=1):
            questions[spec.key] = (
                spec,
                Question(
                    section=section,
                    position=position,
                    kind=spec.kind,
                    text=spec.text,
                    help_text=spec.help_text,
                    is_required=spec.required,
                    max_choices=spec.max_choices,
                    max_length=spec.max_length,
                    scale_labels=list(spec.scale_labels),
                    allows_not_applicable=spec.allows_not_applicable,
                    enabling_theme=themes.get(spec.theme),
                    template_key=spec.key,
                ),
            )
    Question.objects.bulk_create(question for _spec, question in questions.values())
    options = Option.objects.bulk_create(
        Option(
            question=question,
            position=position,
            label=label,
            is_other=label.endswith(OTHER_SUFFIX),
            template_ref=label,
        )
        for spec, question in questions.values()
        if spec.kind in OPTION_KINDS
        for position, label in enumerate(template_options(spec, session=session), start=1)
    )
    by_label = {(option.question_id, option.label): option for option in options}
    conditional = []
    for spec, question in questions.values():
        if spec.shown_if is not None:
            key, label = spec.shown_if
            question.shown_if = by_label[(questions[key][1].pk, label)]
            conditional.append(question)
    Question.objects.bulk_update(conditional, ["shown_if"])
