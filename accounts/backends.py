from django.apps import apps
from django.contrib.auth.backends import BaseBackend


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
