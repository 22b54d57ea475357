from django.contrib.auth.backends import BaseBackend


class ProgrammeAdminBackend(BaseBackend):
    """Grant every permission to active programme admins: DOMAIN.md says they may do everything.

    Every other role's permissions come from the django-rules predicates in each app's rules.py.
    """

    def authenticate(self, request, **credentials):
        return None

    def has_perm(self, user_obj, perm, obj=None):
        return bool(user_obj.is_active and getattr(user_obj, "is_programme_admin", False))

    def has_module_perms(self, user_obj, app_label):
        return bool(user_obj.is_active and getattr(user_obj, "is_programme_admin", False))
