"""API endpoints of accounts: exchange an email and password for an API token."""

from allauth.account.adapter import get_adapter
from allauth.account.utils import has_verified_email
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import services


class TokenRequestSerializer(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(
        write_only=True, trim_whitespace=False, style={"input_type": "password"}
    )


class TokenView(APIView):
    """Return the API token of the person with this email and password.

    Send it on every request as `Authorization: Token <token>`. Failed attempts count towards
    the same limit as failed sign-ins on the website (allauth's "login_failed" rate limit), so
    the endpoint is no way around it; an unverified email address gets no token, as it could
    not sign in either.
    """

    # The credentials are the authentication: no session (hence no CSRF check) and no token.
    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(
        request=TokenRequestSerializer,
        responses=inline_serializer("TokenResponse", {"token": serializers.CharField()}),
    )
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
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
        return Response({"token": services.api_token_issue(user=user).key})
