import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cities.enums import CityType, ContractStatus, ImplementationStage
from portal.text import LONG_TEXT_MAX, PARAGRAPH_MAX


class Country(models.Model):
    iso_code = models.CharField(_("ISO 3166-1 alpha-2 code"), max_length=2, unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)

    class Meta:
        verbose_name = _("country")
        verbose_name_plural = _("countries")
        ordering = ["name"]

    def __str__(self):
        return self.name


class City(models.Model):
    """A city taking part in a programme. A city can hold several types over time."""

    name = models.CharField(_("name"), max_length=120)
    country = models.ForeignKey(
        Country, on_delete=models.PROTECT, related_name="cities", verbose_name=_("country")
    )
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    # How the city presents itself to its peers, written by its officers (cities.services
    # city_profile_update).
    description = models.TextField(_("description"), max_length=PARAGRAPH_MAX, blank=True)
    is_mission_city = models.BooleanField(_("Mission City"), default=False, db_index=True)
    is_mission_minded = models.BooleanField(_("Mission-minded city"), default=False)
    is_pilot_city = models.BooleanField(_("Pilot City"), default=False)
    is_twin_city = models.BooleanField(_("Twin City"), default=False)
    contract_status = models.CharField(
        _("Climate City Contract"),
        max_length=20,
        choices=ContractStatus.choices,
        blank=True,
        default=ContractStatus.NOT_APPLICABLE,
    )
    thematic_interests = models.ManyToManyField(
        "taxonomy.ThematicSector",
        blank=True,
        related_name="interested_cities",
        verbose_name=_("thematic interests"),
    )
    officers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="CityMembership",
        related_name="cities",
        verbose_name=_("city officers"),
    )

    class Meta:
        verbose_name = _("city")
        verbose_name_plural = _("cities")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["name", "country"], name="city_unique_name_per_country")
        ]

    def __str__(self):
        return f"{self.name} ({self.country.iso_code})" if self.country_id else self.name

    @property
    def types(self) -> list[CityType]:
        flags = {
            CityType.MISSION_CITY: self.is_mission_city,
            CityType.MISSION_MINDED: self.is_mission_minded,
            CityType.PILOT: self.is_pilot_city,
            CityType.TWIN: self.is_twin_city,
        }
        return [city_type for city_type, held in flags.items() if held]


class CityMembership(models.Model):
    """A city officer's membership of a city: the rule that lets them see its data."""

    city = models.ForeignKey(
        City, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("city")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="city_memberships",
        verbose_name=_("user"),
    )
    joined_at = models.DateTimeField(_("joined at"), default=timezone.now)

    class Meta:
        verbose_name = _("city membership")
        verbose_name_plural = _("city memberships")
        constraints = [
            models.UniqueConstraint(fields=["city", "user"], name="membership_unique_city_user")
        ]

    def __str__(self):
        return f"{self.user} @ {self.city}"


class ClimateAction(models.Model):
    """A case study a Mission City presents to its peers (000 Table 3)."""

    MAX_RECOMMENDATIONS = 5

    city = models.ForeignKey(
        City, on_delete=models.CASCADE, related_name="climate_actions", verbose_name=_("city")
    )
    title = models.CharField(_("title"), max_length=200)
    sector = models.ForeignKey(
        "taxonomy.ThematicSector",
        on_delete=models.PROTECT,
        related_name="climate_actions",
        verbose_name=_("thematic sector"),
    )
    context = models.TextField(_("context"), max_length=LONG_TEXT_MAX, blank=True)
    description = models.TextField(_("the action"), max_length=LONG_TEXT_MAX, blank=True)
    implementation_stage = models.CharField(
        _("implementation stage"),
        max_length=20,
        choices=ImplementationStage.choices,
        default=ImplementationStage.IMPLEMENTING,
    )
    lessons_learned = models.TextField(_("lessons learned"), max_length=LONG_TEXT_MAX, blank=True)
    # Up to MAX_RECOMMENDATIONS short texts for cities that want to replicate the action; the
    # limit is enforced by cities.services (a list of strings keeps the order the city chose).
    recommendations = models.JSONField(_("recommendations"), default=list, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Who wrote the action and who last changed it (cities.services; the admin records its
    # own changes too). Empty for actions from before they were recorded, and once the
    # account is deleted.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )

    class Meta:
        verbose_name = _("climate action")
        verbose_name_plural = _("climate actions")
        ordering = ["city__name", "title"]
        constraints = [
            models.UniqueConstraint(fields=["city", "title"], name="climate_action_unique_title")
        ]

    def __str__(self):
        return f"{self.city.name}: {self.title}"


class ClimateActionLever(models.Model):
    """A lever of change (enabling factor) involved in a climate action, with drivers and
    barriers."""

    action = models.ForeignKey(
        ClimateAction, on_delete=models.CASCADE, related_name="levers", verbose_name=_("action")
    )
    factor = models.ForeignKey(
        "taxonomy.EnablingFactor",
        on_delete=models.PROTECT,
        related_name="climate_action_levers",
        verbose_name=_("lever of change"),
    )
    key_drivers = models.TextField(_("key drivers"), max_length=PARAGRAPH_MAX, blank=True)
    key_barriers = models.TextField(_("key barriers"), max_length=PARAGRAPH_MAX, blank=True)

    class Meta:
        verbose_name = _("lever of change")
        verbose_name_plural = _("levers of change")
        ordering = ["action", "factor__position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["action", "factor"], name="lever_unique_per_action")
        ]

    def __str__(self):
        return f"{self.action} · {self.factor}"


def new_invitation_token() -> str:
    return secrets.token_urlsafe(32)


class Invitation(models.Model):
    """An invitation for a city officer to join a city. Its link sets a password for a new
    address, or lets the owner of an existing account sign in and confirm.

    Decision: invitations belonged to accounts until issue 8 and keep that app's table
    (`accounts_invitation`, moved without copying a row: cities.0006 and accounts.0006), so
    accounts needs nothing from cities.
    """

    email = models.EmailField(_("email address"))
    city = models.ForeignKey(
        City, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("city")
    )
    token = models.CharField(
        max_length=64, unique=True, default=new_invitation_token, editable=False
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="invitations_sent",
        verbose_name=_("invited by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitations_accepted",
        verbose_name=_("accepted by"),
    )

    class Meta:
        db_table = "accounts_invitation"
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at", "-pk"]
        # The index keeps the name it was given in accounts' table.
        indexes = [models.Index(fields=["email"], name="accounts_in_email_571f5a_idx")]

    def __str__(self):
        return f"{self.email} → {self.city}"

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at

    @property
    def is_accepted(self) -> bool:
        return self.accepted_at is not None
