"""API sign-in with `Authorization: Token <token>`: django-rest-knox, hardened."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox.auth import TokenAuthentication
from rest_framework import exceptions


class ApiTokenAuthentication(TokenAuthentication):
    """knox's token authentication (hashed tokens, prefix lookup, constant-time comparison,
    expired tokens refused and deleted), with one fix.

    knox decodes the token as UTF-8, and DRF hands it over as Latin-1 bytes: a header such as
    `Token é` raised UnicodeDecodeError, a 500. Every token knox makes is hexadecimal, so a
    token that is not ASCII is simply not valid: 401, like any other wrong token.
    """

    def authenticate_credentials(self, token: bytes):
        if not token.isascii():
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        return super().authenticate_credentials(token)


class ApiTokenScheme(KnoxTokenScheme):
    """The API token in the OpenAPI schema: `Authorization: Token <token>` (drf-spectacular's
    knox extension names only knox's own class, not a subclass). The name is the one the
    schema used for DRF's tokens before, so generated clients keep their setting."""

    target_class = ApiTokenAuthentication
    name = "tokenAuth"
