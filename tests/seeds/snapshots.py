"""What seed_demo prints, and a snapshot of every row the seed commands touch."""

import io

from allauth.account.models import EmailAddress
from django.core.management import call_command

from accounts.models import User
from cities.models import City, CityMembership, ClimateAction, ClimateActionLever, Country
from cohorts.models import Cohort, Enrolment, EnrolmentGroup, Phase, ThematicGroup
from feedback.models import Answer, Option, Question, Response, Section, Survey
from roadmaps.models import (
    NetZeroCitiesService,
    Roadmap,
    RoadmapChange,
    RoadmapTransition,
    RoadmapValue,
)
from sessions.models import Registration, Session, SessionPresentation
from taxonomy.models import EnablingFactor, EnablingTheme, ThematicSector
from visits.models import (
    Anchor,
    Application,
    Call,
    Criterion,
    Delegate,
    Preference,
    Review,
    Score,
    ScoreLine,
    Visit,
)

SEEDED_MODELS = [
    ThematicSector,
    EnablingFactor,
    EnablingTheme,
    Country,
    NetZeroCitiesService,
    City,
    City.thematic_interests.through,
    Cohort,
    Cohort.facilitators.through,
    Phase,
    ThematicGroup,
    ThematicGroup.facilitators.through,
    User,
    EmailAddress,
    CityMembership,
    Session,
    Session.facilitators.through,
    SessionPresentation,
    ClimateAction,
    ClimateActionLever,
    SessionPresentation.climate_actions.through,
    Enrolment,
    EnrolmentGroup,
    Roadmap,
    RoadmapValue,
    RoadmapChange,
    RoadmapTransition,
    Registration,
    Survey,
    Section,
    Question,
    Option,
    Response,
    Answer,
    Call,
    Call.eligible_cohorts.through,
    Visit,
    Criterion,
    Anchor,
    Application,
    Preference,
    Delegate,
    Review,
    Score,
    ScoreLine,
]


def snapshot() -> dict:
    """Every field of every row of the seeded tables, time stamps (`updated_at` of climate
    actions and roadmaps) and password hashes included: a second run must move none of them."""
    return {
        model._meta.label: list(model.objects.order_by("pk").values()) for model in SEEDED_MODELS
    }


def seed_demo(verbosity: int = 1) -> str:
    """Run `manage.py seed_demo` in the test database; what it printed."""
    out = io.StringIO()
    call_command("seed_demo", verbosity=verbosity, stdout=out)
    return out.getvalue()
