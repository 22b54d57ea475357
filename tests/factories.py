"""factory_boy factories. Build state through services where a service exists."""

import datetime

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from accounts.models import User
from cities.models import City, CityMembership, Country
from cohorts.enums import PhaseKind, Programme
from cohorts.models import Cohort, Phase, ThematicGroup
from sessions.enums import SessionKind
from sessions.models import Session
from taxonomy.models import ThematicSector

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Sequence(lambda n: f"Person {n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified_email(self, create, extracted, **kwargs):
        if create:
            self.save()
            EmailAddress.objects.get_or_create(
                user=self, email=self.email, defaults={"verified": True, "primary": True}
            )


class CountryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Country
        django_get_or_create = ["iso_code"]

    iso_code = factory.Iterator(["PT", "DE", "ES", "SE", "FI", "BE", "IT", "FR"])
    name = factory.LazyAttribute(
        lambda o: {
            "PT": "Portugal",
            "DE": "Germany",
            "ES": "Spain",
            "SE": "Sweden",
            "FI": "Finland",
            "BE": "Belgium",
            "IT": "Italy",
            "FR": "France",
        }[o.iso_code]
    )


class CityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = City

    name = factory.Sequence(lambda n: f"City {n}")
    country = factory.SubFactory(CountryFactory)
    population = 100_000
    is_mission_minded = True


class CityMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CityMembership

    city = factory.SubFactory(CityFactory)
    user = factory.SubFactory(UserFactory)


def city_officer(city: City | None = None, **user_fields) -> User:
    """A user who is an officer of `city` (a new city when none is given)."""
    user = UserFactory(**user_fields)
    CityMembershipFactory(user=user, city=city or CityFactory())
    return user


class ThematicSectorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ThematicSector
        django_get_or_create = ["slug"]

    slug = factory.Sequence(lambda n: f"sector-{n}")
    name = factory.Sequence(lambda n: f"Sector {n}")


class CohortFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cohort

    programme = Programme.ONLINE_DISCUSSION_GROUPS
    number = factory.Sequence(lambda n: n + 1)
    name = factory.LazyAttribute(lambda o: f"Online Discussion Groups cohort {o.number}")
    starts_on = datetime.date(2024, 9, 1)
    ends_on = datetime.date(2025, 2, 28)


class PhaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Phase

    cohort = factory.SubFactory(CohortFactory)
    kind = PhaseKind.THEMATIC_DISCUSSIONS
    name = "Thematic online discussions"
    starts_on = datetime.date(2024, 11, 1)
    ends_on = datetime.date(2024, 12, 31)


class ThematicGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ThematicGroup

    cohort = factory.SubFactory(CohortFactory)
    sector = factory.SubFactory(ThematicSectorFactory)


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session

    cohort = factory.SubFactory(CohortFactory)
    kind = SessionKind.THEMATIC_DISCUSSION
    title = factory.Sequence(lambda n: f"Session {n}")
    starts_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=7))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + datetime.timedelta(minutes=90))
