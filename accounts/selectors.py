"""Reads about people and their roles, shared by every app's selectors."""

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from accounts.rules import is_programme_admin, is_staff_member


def facilitators_active() -> QuerySet:
    """Every active facilitator, by name: the people a cohort, group or session can be given."""
    return (
        get_user_model()
        .objects.filter(is_facilitator=True, is_active=True)
        .order_by("full_name", "email", "pk")
    )


def facilitators_visible_to(*, user) -> QuerySet:
    """The facilitators this person may list: all active ones for facilitators and admins (who
    give them cohorts, groups and sessions), none for anyone else."""
    if not is_staff_member(user):
        return get_user_model().objects.none()
    return facilitators_active()


def facilitators_matching(*, user, query: str) -> QuerySet:
    """Visible facilitators whose name, email address or organisation contains `query`."""
    return facilitators_visible_to(user=user).filter(
        Q(full_name__icontains=query) | Q(email__icontains=query) | Q(organisation__icontains=query)
    )


def api_tokens_of(*, user) -> QuerySet:
    """The API tokens of this person, newest first: the only tokens their account page shows
    or lets them revoke (anyone else's is answered as already revoked)."""
    from accounts.models import ApiToken

    if not user.is_authenticated:
        return ApiToken.objects.none()
    return ApiToken.objects.filter(user=user).order_by("-created", "-pk")


def recipients_for(*, emails: list[str], time_zone: str = "") -> dict:
    """Whom to write to at each address, for notifications.services.notify: the account with
    that address (its language and time zone), or, for an address without one, a Recipient in
    the portal's language with times in `time_zone` (the portal's zone when empty). Keys are
    the addresses as given."""
    from notifications.services import Recipient

    users = get_user_model().objects.filter(email__in={email.lower() for email in emails})
    by_email = {user.email: user for user in users}
    return {
        email: by_email.get(email.lower()) or Recipient(email=email, time_zone=time_zone)
        for email in emails
    }


def token_holders_visible_to(*, user) -> QuerySet:
    """The people whose API tokens page (`/accounts/people/<id>/tokens/`) this person may open:
    everyone for a programme admin (to revoke a leaked token, to make a script account's),
    nobody for anyone else, who sees their own tokens on their account page."""
    if not is_programme_admin(user):
        return get_user_model().objects.none()
    return get_user_model().objects.all()
