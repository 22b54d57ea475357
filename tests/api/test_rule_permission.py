"""portal.api.permissions.RulePermission: django-rules decide, 401 anonymous, 403 forbidden."""

import pytest
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory, force_authenticate
from rest_framework.views import APIView

from tests import factories


class ChangeCityView(APIView):
    permission_required = "cities.change_city"

    def get(self, request):
        return Response({"ok": True})


def call(user=None):
    request = APIRequestFactory().get("/api/v1/example/")
    if user is not None:
        force_authenticate(request, user=user)
    return ChangeCityView.as_view()(request)


def test_rule_permission_anonymous_is_401(db):
    response = call()

    assert response.status_code == 401
    assert response.data == {
        "error": {
            "status": 401,
            "code": "not_authenticated",
            "message": "Authentication credentials were not provided.",
        }
    }


@pytest.mark.parametrize("flag", ["is_facilitator", "is_reviewer"])
def test_rule_permission_without_the_permission_is_403(db, flag):
    response = call(factories.UserFactory(**{flag: True}))

    assert response.status_code == 403
    assert response.data == {
        "error": {
            "status": 403,
            "code": "permission_denied",
            "message": "You do not have permission to perform this action.",
        }
    }


def test_rule_permission_with_the_permission_is_200(db):
    response = call(factories.UserFactory(is_programme_admin=True))

    assert (response.status_code, response.data) == (200, {"ok": True})
