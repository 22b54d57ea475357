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
