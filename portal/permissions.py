"""The two ways code asks "may this person do this?", one for services and one for views.

Who may do what is written only in each app's `rules.py` (django-rules), programme admins
included; `accounts.backends.ProgrammeAdminBackend` grants admins nothing but the Django admin's
model permissions. These helpers only ask those rules:

- `permission_check(acting_user, perm, obj)`: a service's first step. It raises
  `PermissionRefused`, a `PermissionDenied`, so a view that lets it through answers 403 (Django's
  handler403) and the API answers 403 in its error shape (DRF maps PermissionDenied), with the
  service's message. A view does not ask again what the service it calls checks: a permission
  is checked once per call path.
- `object_for(user, queryset, perm, **lookup)`: a view's (or a viewset's) way to fetch the object
  it works on. `queryset` is the app's `*_visible_to(user=...)` selector: an object outside it is
  a 404 (its existence is not revealed); an object inside it without `perm` is a 403. With no
  `perm` it only fetches what the person may see (the service called next checks the action).

To show or hide a button, a template or view reads `user.has_perm(perm, obj)`: the same rules,
so what is offered is what the service will allow.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _


class PermissionRefused(PermissionDenied):
    """The acting person may not do this. `message` is written for them."""

    default_message = _("You do not have permission to do this.")

    def __init__(self, message: str | None = None):
        self.message = str(message or self.default_message)
        super().__init__(self.message)


def permission_check(acting_user, perm: str, obj=None, *, message: str | None = None) -> None:
    """Refuse with `PermissionRefused` unless `acting_user` holds `perm` (on `obj`)."""
    if acting_user is None or not acting_user.has_perm(perm, obj):
        raise PermissionRefused(message)


def object_for(user, queryset: QuerySet, perm: str | None = None, **lookup):
    """The object of `queryset` (what `user` may see) matching `lookup`: 404 if there is none,
    403 (`PermissionRefused`) if `perm` is given and `user` does not hold it on the object."""
    obj = get_object_or_404(queryset, **lookup)
    if perm is not None:
        permission_check(user, perm, obj)
    return obj
