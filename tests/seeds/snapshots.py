"""A snapshot of every row the seed commands touch."""

from allauth.account.models import EmailAddress

from accounts.models import User
from cities.models import City, CityMembership, Country
from cohorts.models import Cohort, Phase, ThematicGroup
from sessions.models import Session, SessionPresentation
from taxonomy.models import EnablingFactor, EnablingTheme, ThematicSector

SEEDED_MODELS = [
    ThematicSector,
    EnablingFactor,
    EnablingTheme,
    Country,
    City,
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
]


def snapshot() -> dict:
    """Every field of every row of the seeded tables (the models have no `updated` stamps, so
    the values themselves, password hashes included, are what must not move)."""
    return {
        model._meta.label: list(model.objects.order_by("pk").values()) for model in SEEDED_MODELS
    }
