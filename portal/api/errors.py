"""One JSON shape for every API error:

    {"error": {"status": 404, "code": "not_found", "message": "...", "fields": {...}}}

`fields` is present only for validation errors and maps a field name to its messages.
"""

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from portal.api.parsers import too_large_error
from portal.errors import ApplicationError
from portal.permissions import PermissionRefused


def _flatten(detail):
    if isinstance(detail, list):
        return [str(item) for item in detail]
    if isinstance(detail, dict):
        return {key: _flatten(value) for key, value in detail.items()}
    return [str(detail)]


def error_body(*, status_code: int, code: str, message: str, fields=None) -> dict:
    error = {"status": status_code, "code": code, "message": message}
    if fields:
        error["fields"] = fields
    return {"error": error}


def exception_handler(exc, context):
    if isinstance(exc, ApplicationError):
        fields = {exc.field: [exc.message]} if exc.field else None
        body = error_body(status_code=400, code=exc.code, message=exc.message, fields=fields)
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionRefused):
        # A service's refusal says what was refused, in the person's words.
        exc = exceptions.PermissionDenied(detail=exc.message)
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, RequestDataTooBig):
        # Django refuses a body over DATA_UPLOAD_MAX_MEMORY_SIZE before the JSON parser reads
        # it; answer as the parser does for a body over its own, smaller limit.
        exc = too_large_error()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # an unexpected error: Django's 500 handling and logging take over

    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        response.data = error_body(
            status_code=response.status_code,
            code="invalid",
            message=_("Some of the data is not valid."),
            fields=_flatten(detail),
        )
    else:
        codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        response.data = error_body(
            status_code=response.status_code,
            code=codes if isinstance(codes, str) else "error",
            message=str(exc.detail) if hasattr(exc, "detail") else str(exc),
        )
    return response
