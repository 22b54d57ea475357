"""The OpenAPI schema of the API: what each operation answers when it refuses.

Every refusal has the same JSON shape (portal/api/errors.py). Rather than decorate each view, the
schema class below adds the error responses an operation can give, read from what the view is:

- 400 for any operation that reads a body or query parameters, and for every write (services
  refuse with an ApplicationError);
- 401 and 403 for operations that need a signed-in person; 403 only where it can happen: a view
  with a django-rules `permission_required`, or a write (the view's own permission check, and
  the CSRF check of cookie sign-in);
- 404 for operations on one object (`{id}` in the path) and for paginated lists (a page past the
  last);
- 429 for views with throttles or that set `rate_limited = True`.

An operation that documents a status itself (`@extend_schema(responses={409: ...})`) keeps its own.
Sub-resources (`@action(detail=True)`) do not list the collection's filter parameters: they read
one object and what hangs from it.
"""

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiResponse, extend_schema_field
from rest_framework import serializers
from rest_framework.permissions import AllowAny

ERROR_DESCRIPTIONS = {
    400: "The request is not valid: `fields` names each field with its messages.",
    401: "No valid credentials: send `Authorization: Token <token>` or sign in.",
    403: "Signed in, but not allowed to do this.",
    404: "Not found, or not visible to the caller (the API does not say which).",
    409: "Someone changed the same data in the meantime.",
    429: "Too many attempts: wait and try again.",
}


@extend_schema_field(
    {
        "type": "object",
        "description": "Each field with its messages; a nested field maps its own parts the "
        "same way (an item of a list by its position).",
        "additionalProperties": {
            "anyOf": [
                {"type": "array", "items": {"type": "string"}},
                {"type": "object", "additionalProperties": True},
            ]
        },
    }
)
class ErrorFieldsField(serializers.JSONField):
    pass


class ErrorDetailSerializer(serializers.Serializer):
    status = serializers.IntegerField(help_text="The HTTP status, repeated.")
    code = serializers.CharField(help_text="A stable code, such as `invalid` or `not_found`.")
    message = serializers.CharField(help_text="A sentence for a person, in their language.")
    fields = ErrorFieldsField(required=False)


class ErrorSerializer(serializers.Serializer):
    """The body of every refusal."""

    error = ErrorDetailSerializer()


class AutoSchema(SpectacularAutoSchema):
    def get_filter_backends(self):
        # A detail action (a roadmap's comments or history) is about one object: the filters,
        # search and ordering of the collection do not apply to what it answers.
        if getattr(self.view, "detail", None):
            return []
        return super().get_filter_backends()

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for status_code in self._error_statuses():
            responses.setdefault(
                str(status_code),
                self._get_response_for_code(
                    OpenApiResponse(ErrorSerializer, ERROR_DESCRIPTIONS[status_code]),
                    str(status_code),
                    direction=direction,
                ),
            )
        return dict(sorted(responses.items()))

    def _error_statuses(self) -> list[int]:
        statuses = []
        has_query = any(p["in"] == "query" for p in self._get_parameters())
        writes = self.method not in ("GET", "HEAD", "OPTIONS")
        if writes or has_query:
            statuses.append(400)
        public = any(isinstance(p, AllowAny) for p in self.view.get_permissions())
        if not public:
            statuses.append(401)
            if writes or getattr(self.view, "permission_required", None):
                statuses.append(403)
        if "{" in self.path or (self._is_list_view() and self._get_paginator()):
            statuses.append(404)
        if getattr(self.view, "rate_limited", False) or self.view.get_throttles():
            statuses.append(429)
        return statuses
