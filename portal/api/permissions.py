from rest_framework.permissions import BasePermission


class RulePermission(BasePermission):
    """Let a signed-in person through when they hold the view's `permission_required`.

    The permission is a django-rules one (each app's rules.py), so the API and the HTML views
    read who may do what from the same place. A view without `permission_required` needs only
    a signed-in person. Anonymous callers get 401, signed-in ones without the permission 403.
    """

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        permission = getattr(view, "permission_required", None)
        return permission is None or request.user.has_perm(permission)
