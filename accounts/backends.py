from allauth.account.auth_backends import AuthenticationBackend
from django.apps import apps
from django.contrib.auth.backends import BaseBackend, ModelBackend


class NoTablePermissionsMixin:
    """Decision: the portal's permissions are django-rules predicates (each app's rules.py) and
    the admins' Django-admin permissions (ProgrammeAdminBackend); nobody is given permissions
    through Django's permission and group tables. So the sign-in backends answer no permission
    questions: Django's ModelBackend would spend two queries per request (the person's and their
    groups' permissions) on every page whose header asks a rule that says no."""

    def get_user_permissions(self, user_obj, obj=None):
        return set()

    def get_group_permissions(self, user_obj, obj=None):
        return set()

    def get_all_permissions(self, user_obj, obj=None):
        return set()

    def has_perm(self, user_obj, perm, obj=None):
        return False

    def has_module_perms(self, user_obj, app_label):
        return False


class UserBackend(NoTablePermissionsMixin, ModelBackend):
    """Signs people in by email and password (USERNAME_FIELD) and loads them from the session."""


class AllauthBackend(NoTablePermissionsMixin, AuthenticationBackend):
    """allauth's sign-in (email address, rate limits), without table permissions."""


def _is_admin_model_permission(perm: str) -> bool:
    """`app_label.add|change|delete|view_<model>` of an installed model: what the Django admin
    asks, always without an object."""
    app_label, _, codename = perm.partition(".")
    action, _, model_name = codename.partition("_")
    if action not in {"add", "change", "delete", "view"} or not model_name:
        return False
    try:
        apps.get_model(app_label, model_name)
    except LookupError:
        return False
    return True


class ProgrammeAdminBackend(BaseBackend):
    """Give active programme admins the Django admin (/admin/): its model permissions, asked
    without an object, and nothing else.

    Decision: what admins may do in the portal itself is written in each app's rules.py, like
    every other role, so that states hold for them too (a started session cannot be cancelled,
    a submitted roadmap cannot be edited, by anyone). A rule asked with an object, or a rule that
    is not a model permission (`peer_sessions.cancel_session`), is never granted here.
    """

    def authenticate(self, request, **credentials):
        return None

    def _is_admin(self, user_obj) -> bool:
        return bool(user_obj.is_active and getattr(user_obj, "has_admin_role", False))

    def has_perm(self, user_obj, perm, obj=None):
        return obj is None and self._is_admin(user_obj) and _is_admin_model_permission(perm)

    def has_module_perms(self, user_obj, app_label):
        return self._is_admin(user_obj)
