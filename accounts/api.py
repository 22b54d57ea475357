"""API endpoints of accounts: exchange an email and password for a new API token."""

from allauth.account.adapter import get_adapter
from allauth.account.utils import has_verified_email
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import services
from accounts.models import ApiToken
from portal.api.schema import ErrorSerializer
from portal.errors import ApplicationError

NO_CLIENT_ADDRESS = gettext_lazy(
    "The portal cannot tell which address this request comes from, so it cannot limit failed "
    "sign-ins and refuses them. The header named by TRUSTED_CLIENT_IP_HEADER is probably "
    "missing: ask the portal's administrator."
)


class TokenCreateSerializer(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(
        write_only=True, trim_whitespace=False, style={"input_type": "password"}
    )
    name = serializers.CharField(
        max_length=ApiToken._meta.get_field("name").max_length,
        required=False,
        default=gettext_lazy("API token"),
        help_text="What the token is for, shown on your account page. Default: `API token`.",
    )
    lifetime_days = serializers.ChoiceField(
        choices=sorted(services.API_TOKEN_LIFETIME_DAYS),
        required=False,
        default=services.API_TOKEN_LIFETIME_DAYS[0],
        help_text=f"Days until the token expires. Default: {services.API_TOKEN_LIFETIME_DAYS[0]}.",
    )


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField(
        help_text="The token: send it as `Authorization: Token <token>`. It is shown only "
        "in this answer (the portal keeps a hash of it)."
    )
    name = serializers.CharField()
    created_at = serializers.DateTimeField(source="created")
    expires_at = serializers.DateTimeField(source="expiry")


class TokenView(APIView):
    """Make a new API token for the person with this email and password.

    Send it on every request as `Authorization: Token <token>`. Each call makes a new token,
    named and valid for `lifetime_days`; keep it rather than asking again (a person holds at
    most 20). Tokens are listed and revoked on the account page (/accounts/tokens/); changing
    the password revokes them all.

    Failed attempts count towards the same limits as failed sign-ins on the website (allauth's
    "login_failed" rate limit, per client address and per account), so the endpoint is no way
    around them; an unverified email address gets no token, as it could not sign in either.
    """

    # The credentials are the authentication: no session (hence no CSRF check) and no token.
    authentication_classes = []
    permission_classes = [AllowAny]
    # Read by portal.api.schema: this endpoint answers 429 once the sign-in limit is reached.
    rate_limited = True

    @extend_schema(
        operation_id="auth_token_create",
        request=TokenCreateSerializer,
        responses={
            200: TokenResponseSerializer,
            400: OpenApiResponse(
                ErrorSerializer,
                "Wrong email or password (in `fields.non_field_errors`), an unverified email "
                "address, a field that is not valid, or too many tokens.",
            ),
            403: OpenApiResponse(
                ErrorSerializer,
                "The request has no client address the portal can read (a misconfigured "
                "proxy), so failed sign-ins could not be limited.",
            ),
            429: OpenApiResponse(
                ErrorSerializer,
                "Too many failed sign-ins from this client or for this account: wait and try "
                "again.",
            ),
        },
        examples=[
            OpenApiExample(
                "A token for a script",
                value={
                    "email": "officer@example.org",
                    "password": "your password",
                    "name": "Monthly report",
                    "lifetime_days": 90,
                },
                request_only=True,
            )
        ],
    )
    def post(self, request):
        serializer = TokenCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        django_request = request._request
        adapter = get_adapter(django_request)
        try:
            user = adapter.authenticate(
                django_request,
                email=serializer.validated_data["email"].lower(),
                password=serializer.validated_data["password"],
            )
        except DjangoValidationError as error:
            # allauth refuses with a ValidationError once the failed-attempt limit is reached.
            raise exceptions.Throttled(detail=" ".join(error.messages)) from error
        except PermissionDenied as error:
            # allauth refuses to count attempts it cannot tie to a client address.
            raise exceptions.PermissionDenied(detail=NO_CLIENT_ADDRESS) from error
        if user is None:
            raise exceptions.ValidationError(
                {"non_field_errors": [adapter.error_messages["email_password_mismatch"]]}
            )
        if not has_verified_email(user, serializer.validated_data["email"].lower()):
            raise exceptions.ValidationError(
                {
                    "email": [
                        _(
                            "Verify your email address first: sign in on the website to "
                            "receive a new verification email."
                        )
                    ]
                }
            )
        try:
            token, secret = services.api_token_create(
                user=user,
                name=serializer.validated_data["name"],
                lifetime_days=serializer.validated_data["lifetime_days"],
                acting_user=user,
            )
        except ApplicationError as error:
            fields = {error.field or "non_field_errors": [error.message]}
            raise exceptions.ValidationError(fields) from error
        answer = {"token": secret, "name": token.name, "created": token.created}
        return Response(TokenResponseSerializer({**answer, "expiry": token.expiry}).data)
