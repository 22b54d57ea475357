"""Writes for cities: a city's profile as its officers keep it, the climate actions Mission
Cities present to their peers (000 Table 3), and the invitations of city officers."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.rules import is_programme_admin
from accounts.selectors import recipients_for
from cities import scopes
from cities.enums import ImplementationStage
from cities.models import City, CityMembership, ClimateAction, ClimateActionLever, Invitation
from notifications.services import Recipient, notify
from portal.errors import ApplicationError
from portal.fragments import bump
from portal.links import site_url
from portal.permissions import permission_check
from portal.text import PARAGRAPH_MAX
from taxonomy.models import EnablingFactor, ThematicSector

User = get_user_model()


# The largest population a city's profile accepts: above Istanbul's (about 15.7 million), the
# largest city of the programme's countries, with room; a typing slip of a few zeros is caught.
POPULATION_MAX = 50_000_000


def _clean_population(*, population: int | None) -> int | None:
    if population is None:
        return None
    if isinstance(population, bool) or not isinstance(population, int):
        raise ApplicationError(
            _("Give the population as a whole number, such as 156000."), field="population"
        )
    if not 1 <= population <= POPULATION_MAX:
        raise ApplicationError(
            _("The population must be a whole number between 1 and %(max)s.")
            % {"max": f"{POPULATION_MAX:,}"},
            field="population",
        )
    return population


def _clean_description(*, description: str) -> str:
    description = (description or "").strip()
    if len(description) > PARAGRAPH_MAX:
        raise ApplicationError(
            _("The description can be at most %(max)d characters long (it has %(count)d).")
            % {"max": PARAGRAPH_MAX, "count": len(description)},
            field="description",
        )
    return description


@transaction.atomic
def city_profile_update(
    *,
    acting_user,
    city: City,
    population: int | None,
    description: str,
    thematic_interests: Iterable[ThematicSector],
) -> City:
    """Change what a city's officers say of it: population, description, thematic interests.

    Only these three: the city's name, country, types and contract status are the programme's
    to set (programme admins, in the Django admin; cities/rules.py), so they are not arguments
    and an officer's form never reaches them. The cached pages that show the city learn of the
    change through the receivers of cities/scopes.py (the city's save and the interests'
    m2m_changed raise DIRECTORY in this transaction).
    """
    permission_check(
        acting_user,
        "cities.change_city_profile",
        city,
        message=_("You may not edit the profile of this city."),
    )
    # Everything is checked before the city changes, so a refused update leaves the object the
    # caller holds (and shows again with the error) as it was.
    population = _clean_population(population=population)
    description = _clean_description(description=description)
    interests = list(thematic_interests)
    city.population = population
    city.description = description
    city.save(update_fields=["population", "description"])
    city.thematic_interests.set(interests)
    return city


@dataclass(frozen=True)
class LeverInput:
    """A lever of change (enabling factor) involved in an action, with its drivers and
    barriers."""

    factor: EnablingFactor
    key_drivers: str = ""
    key_barriers: str = ""


def _clean_title(*, title: str) -> str:
    title = (title or "").strip()
    if not title:
        raise ApplicationError(_("Give the climate action a title."), field="title")
    max_length = ClimateAction._meta.get_field("title").max_length
    if len(title) > max_length:
        raise ApplicationError(
            _("The title can be at most %(max)d characters long.") % {"max": max_length},
            field="title",
        )
    return title


def _check_title_free(*, city: City, title: str, action: ClimateAction | None = None) -> None:
    # Case-insensitive, so "Solar roofs" and "solar roofs" cannot both exist for one city.
    taken = ClimateAction.objects.filter(city=city, title__iexact=title)
    if action is not None:
        taken = taken.exclude(pk=action.pk)
    if taken.exists():
        raise ApplicationError(_title_taken_message(city=city, title=title), field="title")


def _title_taken_message(*, city: City, title: str) -> str:
    return _("%(city)s already has a climate action called “%(title)s”.") % {
        "city": city.name,
        "title": title,
    }


def _clean_recommendations(*, recommendations: Iterable[str]) -> list[str]:
    """Drop blank recommendations and refuse more than the programme's five."""
    cleaned = [text.strip() for text in recommendations if text and text.strip()]
    if len(cleaned) > ClimateAction.MAX_RECOMMENDATIONS:
        raise ApplicationError(
            _("A climate action has at most %(max)d recommendations; you gave %(count)d.")
            % {"max": ClimateAction.MAX_RECOMMENDATIONS, "count": len(cleaned)},
            field="recommendations",
        )
    return cleaned


def _clean_stage(*, implementation_stage: str) -> str:
    if implementation_stage not in ImplementationStage.values:
        raise ApplicationError(
            _("Choose an implementation stage from the list."), field="implementation_stage"
        )
    return implementation_stage


def _check_levers(*, levers: Sequence[LeverInput]) -> None:
    factors = [lever.factor.pk for lever in levers]
    if len(factors) != len(set(factors)):
        raise ApplicationError(_("Give each lever of change only once."), field="levers")


def _levers_replace(*, action: ClimateAction, levers: Sequence[LeverInput]) -> None:
    action.levers.all().delete()
    ClimateActionLever.objects.bulk_create(
        ClimateActionLever(
            action=action,
            factor=lever.factor,
            key_drivers=lever.key_drivers.strip(),
            key_barriers=lever.key_barriers.strip(),
        )
        for lever in levers
    )
    # bulk_create sends no post_save: the cached lists of actions learn of the levers here.
    bump(scopes.CLIMATE_ACTIONS)


def _save(*, action: ClimateAction) -> None:
    # The title check above answers nearly always; the constraint catches two people saving
    # the same title at the same moment, and gets the same message.
    try:
        with transaction.atomic():
            action.save()
    except IntegrityError as error:
        # PostgreSQL names the constraint, SQLite the columns: both mention the title.
        if "title" not in str(error):
            raise
        raise ApplicationError(
            _title_taken_message(city=action.city, title=action.title), field="title"
        ) from error


@transaction.atomic
def climate_action_create(
    *,
    acting_user,
    city: City,
    title: str,
    sector: ThematicSector,
    context: str = "",
    description: str = "",
    implementation_stage: str = ImplementationStage.IMPLEMENTING,
    lessons_learned: str = "",
    recommendations: Iterable[str] = (),
    levers: Sequence[LeverInput] = (),
) -> ClimateAction:
    """Record a climate action a Mission City can present to its peers, written by
    `acting_user`."""
    permission_check(
        acting_user,
        "cities.add_climateaction",
        city,
        message=_("You may not write climate actions for this city."),
    )
    if not city.is_mission_city:
        raise ApplicationError(
            _("Only Mission Cities present climate actions; %(city)s is not a Mission City.")
            % {"city": city.name},
            field="city",
            code="not_mission_city",
        )
    title = _clean_title(title=title)
    _check_title_free(city=city, title=title)
    action = ClimateAction(
        city=city,
        title=title,
        sector=sector,
        context=context.strip(),
        description=description.strip(),
        implementation_stage=_clean_stage(implementation_stage=implementation_stage),
        lessons_learned=lessons_learned.strip(),
        recommendations=_clean_recommendations(recommendations=recommendations),
        created_by=acting_user,
        updated_by=acting_user,
    )
    _check_levers(levers=levers)
    _save(action=action)
    _levers_replace(action=action, levers=levers)
    return action


@transaction.atomic
def climate_action_update(
    *,
    acting_user,
    action: ClimateAction,
    title: str,
    sector: ThematicSector,
    context: str,
    description: str,
    implementation_stage: str,
    lessons_learned: str,
    recommendations: Iterable[str],
    levers: Sequence[LeverInput],
) -> ClimateAction:
    """Change a climate action; its levers of change become exactly `levers`.

    An action stays editable if its city later loses the Mission City label: the case study
    was presented and peers may still read it.
    """
    permission_check(acting_user, "cities.change_climateaction", action)
    # Everything is checked before the action changes, so a refused update leaves the object
    # the caller holds (and shows again with the error) as it was.
    title = _clean_title(title=title)
    _check_title_free(city=action.city, title=title, action=action)
    implementation_stage = _clean_stage(implementation_stage=implementation_stage)
    recommendations = _clean_recommendations(recommendations=recommendations)
    _check_levers(levers=levers)
    action.title = title
    action.sector = sector
    action.context = context.strip()
    action.description = description.strip()
    action.implementation_stage = implementation_stage
    action.lessons_learned = lessons_learned.strip()
    action.recommendations = recommendations
    action.updated_by = acting_user
    _save(action=action)
    _levers_replace(action=action, levers=levers)
    return action


def _is_own_address(*, user, email: str) -> bool:
    # Any address of the account counts, not only the one it signs in with: allauth lets a
    # person add more.
    return (
        user.email.lower() == email
        or EmailAddress.objects.filter(user=user, email__iexact=email).exists()
    )


@transaction.atomic
def invitation_create(*, acting_user, email: str, city: City) -> Invitation:
    """Invite a person by email to be an officer of a city, and email them the link.

    The invitation never adds anyone to the city by itself: the city is added only when the
    invitee accepts on the link's page. A new address chooses a password there; an address
    that already has an account must sign in with it and confirm (so nobody can be put on a
    city, or take over an account, without the owner's consent).

    A facilitator may invite only to the cities of `invitation_cities_for`, and only an admin
    may invite their own address.
    """
    permission_check(acting_user, "cities.add_invitation")
    # The same rule asked about the city: the city is a choice on the form, so a city the
    # person may not invite to is an answer at that field, not a refusal of the page.
    if not acting_user.has_perm("cities.add_invitation", city):
        raise ApplicationError(
            _("You can invite officers only for cities in the cohorts you facilitate."),
            field="city",
            code="forbidden_city",
        )
    email = email.strip().lower()
    if not is_programme_admin(acting_user) and _is_own_address(user=acting_user, email=email):
        raise ApplicationError(
            _("You cannot invite yourself. Ask a programme admin if you need to represent a city."),
            field="email",
            code="self_invitation",
        )
    if CityMembership.objects.filter(city=city, user__email=email).exists():
        raise ApplicationError(
            _("%(email)s is already an officer of %(city)s.") % {"email": email, "city": city.name},
            field="email",
        )
    now = timezone.now()
    invitation = Invitation.objects.create(
        email=email,
        city=city,
        invited_by=acting_user,
        created_at=now,
        expires_at=now + timedelta(days=settings.INVITATION_VALID_DAYS),
    )
    recipient = recipients_for(emails=[email])[email]
    # An address with an account is told to sign in with it; the email is in that account's
    # language and time zone.
    template = "invitation" if isinstance(recipient, Recipient) else "invitation_existing_account"
    notify(
        recipient=recipient,
        template=template,
        context={
            "invitation": invitation,
            "link": site_url(reverse("invitation_accept", args=[invitation.token])),
            "inviter": acting_user,
        },
        key=f"invitation:{invitation.pk}",
    )
    return invitation


def invitation_check(*, invitation: Invitation) -> None:
    """Raise if the invitation can no longer be used, saying why in the invitee's words."""
    if invitation.is_accepted:
        raise ApplicationError(
            _("This invitation has already been used. Sign in with your email and password."),
            code="used",
        )
    if invitation.is_expired:
        raise ApplicationError(
            _("This invitation has expired. Ask the person who invited you to send a new one."),
            code="expired",
        )


def _membership_add(*, invitation: Invitation, user) -> None:
    CityMembership.objects.get_or_create(city=invitation.city, user=user)
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])


@transaction.atomic
def invitation_accept(*, invitation: Invitation, full_name: str, password: str):
    """Create the invitee's account, make them an officer of the city, verify the email.

    Return the user, ready to be signed in. The email is verified because only its owner
    received the link. Nobody is signed in yet, so no one acts: the link is the credential.
    """
    invitation = Invitation.objects.select_for_update().select_related("city").get(pk=invitation.pk)
    invitation_check(invitation=invitation)
    if User.objects.filter(email=invitation.email).exists():
        # The address has an account (it had one when invited, or got one since): the link
        # must not set its password. invitation_accept_signed_in handles it.
        raise ApplicationError(
            _("An account already exists for %(email)s. Sign in, then open the link again.")
            % {"email": invitation.email},
            code="account_exists",
        )
    user = User(email=invitation.email, full_name=full_name.strip())
    try:
        password_validation.validate_password(password, user)
    except ValidationError as error:
        raise ApplicationError(" ".join(error.messages), field="password1") from error
    user.set_password(password)
    user.save()
    EmailAddress.objects.update_or_create(
        user=user, email=invitation.email, defaults={"verified": True, "primary": True}
    )
    _membership_add(invitation=invitation, user=user)
    return user


@transaction.atomic
def invitation_accept_signed_in(*, acting_user, invitation: Invitation) -> None:
    """Add the invitation's city to the signed-in account the invitation was sent to, once its
    owner has confirmed (the view asks with a button)."""
    permission_check(
        acting_user,
        "cities.accept_invitation",
        invitation,
        message=_("This invitation was sent to %(email)s. Sign in with that address to accept it.")
        % {"email": invitation.email},
    )
    invitation = Invitation.objects.select_for_update().select_related("city").get(pk=invitation.pk)
    invitation_check(invitation=invitation)
    _membership_add(invitation=invitation, user=acting_user)
