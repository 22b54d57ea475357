"""Middleware of the portal itself."""

from django.conf import settings
from django.utils.csp import CSP

# Pages we do not write ourselves and that set inline style attributes: the Django admin and
# Swagger UI. Everywhere else the policy allows no inline style either.
INLINE_STYLE_PREFIXES = ("/admin/", "/api/docs/")


class InlineStylePagesCSPMiddleware:
    """Relax `style-src` to allow inline styles on the few third-party pages that need them.

    Sits inside ContentSecurityPolicyMiddleware, which reads the `_csp_config` set here (the same
    attribute Django's `csp_override` decorator sets on a single view).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith(INLINE_STYLE_PREFIXES) and not hasattr(response, "_csp_config"):
            response._csp_config = {
                **settings.SECURE_CSP,
                "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
            }
        return response


class PermissionsPolicyMiddleware:
    """Send `Permissions-Policy` with every response, from settings.PERMISSIONS_POLICY.

    Each feature maps to the origins that may use it; an empty list turns the feature off for
    the page and every frame in it. Django has no setting for this header (it has one for
    Referrer-Policy and Cross-Origin-Opener-Policy), hence this middleware. A response that
    already sets the header keeps its own.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = settings.PERMISSIONS_POLICY
        if policy and "Permissions-Policy" not in response:
            response["Permissions-Policy"] = permissions_policy_header(policy)
        return response


def permissions_policy_header(policy: dict[str, list[str]]) -> str:
    """`{"camera": [], "fullscreen": ["self"]}` -> `camera=(), fullscreen=(self)`."""
    return ", ".join(f"{feature}=({' '.join(origins)})" for feature, origins in policy.items())
