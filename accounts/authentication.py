"""API sign-in with `Authorization: Token <token>`: django-rest-knox, hardened."""

import re

from django.utils.translation import gettext_lazy as _
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox.auth import TokenAuthentication
from knox.settings import knox_settings
from rest_framework import exceptions

# knox makes a token as TOKEN_PREFIX followed by AUTH_TOKEN_CHARACTER_LENGTH lowercase
# hexadecimal characters (knox.crypto.create_token_string: binascii.hexlify).
_HEX_SECRET = re.compile(rb"[0-9a-f]+")


def _is_knox_shaped(token: bytes) -> bool:
    # Settings are read on each call, not at import time (REST_KNOX may be overridden).
    prefix = knox_settings.TOKEN_PREFIX.encode()
    if not token.startswith(prefix):
        return False
    secret = token[len(prefix) :]
    return (
        len(secret) == knox_settings.AUTH_TOKEN_CHARACTER_LENGTH
        and _HEX_SECRET.fullmatch(secret) is not None
    )


class ApiTokenAuthentication(TokenAuthentication):
    """knox's token authentication (hashed tokens, prefix lookup, constant-time comparison),
    with two fixes.

    Anything that is not the shape of a token knox makes is refused before any query: 401,
    like any other wrong token. knox decoded it as UTF-8 (DRF hands it over as Latin-1 bytes,
    so `Token é` raised UnicodeDecodeError, a 500) and looked its first characters up in the
    database (a NUL character is a 500 on PostgreSQL).

    An expired token is refused and left alone. knox, on every request, read all of the
    person's tokens and deleted each expired one (a DELETE and a user lookup apiece): extra
    queries, and writes on a GET that take SQLite's write lock. Expired tokens stay listed,
    marked expired, on the owner's account page until api_token_create purges them.
    """

    def authenticate_credentials(self, token: bytes):
        if not _is_knox_shaped(token):
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        return super().authenticate_credentials(token)

    def _cleanup_token(self, auth_token) -> bool:
        # knox skips the token when this answers True, so an expired token answers 401.
        return auth_token.is_expired


class ApiTokenScheme(KnoxTokenScheme):
    """The API token in the OpenAPI schema: `Authorization: Token <token>` (drf-spectacular's
    knox extension names only knox's own class, not a subclass). The name is the one the
    schema used for DRF's tokens before, so generated clients keep their setting."""

    target_class = ApiTokenAuthentication
    name = "tokenAuth"
