"""The Django admin of Group Study Visits (visits/admin.py): every model is listed and read,
nothing is written there, and "Open selected calls" goes through visits.calls.call_open."""

import re

import pytest
from django.contrib.admin import site

from tests import factories
from tests.portal_pages.helpers import sign_in
from visits import models
from visits.enums import CallStatus

MODELS = [
    models.Call,
    models.Visit,
    models.Application,
    models.Criterion,
    models.Review,
    models.ScoreLine,
]


@pytest.fixture
def admin_client(client, db):
    sign_in(client, factories.UserFactory(is_programme_admin=True))
    return client


def _messages(page: str) -> list[str]:
    return [
        " ".join(m.split())
        for m in re.findall(r'<li class="(?:success|warning|error)">(.*?)</li>', page, re.S)
    ]


def test_every_visits_model_with_rows_of_its_own_is_in_the_admin():
    registered = {model for model in site._registry if model._meta.app_label == "visits"}

    assert registered == set(MODELS)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_each_list_and_row_is_read_only(admin_client, model):
    score_line = factories.ScoreLineFactory()
    factories.ScoreFactory(review__application=score_line.application)
    factories.PreferenceFactory(application=score_line.application)
    row = model.objects.first()
    base = f"/admin/visits/{model._meta.model_name}/"

    listing = admin_client.get(base)
    change = admin_client.get(f"{base}{row.pk}/change/")

    assert listing.status_code == 200 and change.status_code == 200
    assert f'href="{base}add/"' not in listing.content.decode()
    assert 'name="_save"' not in change.content.decode()
    assert admin_client.get(f"{base}{row.pk}/delete/").status_code == 403


def test_open_selected_calls_goes_through_the_service(admin_client):
    ready = factories.CallFactory(title="Ready")
    factories.VisitFactory(call=ready)
    factories.CriterionFactory(call=ready)
    empty = factories.CallFactory(title="Empty")

    response = admin_client.post(
        "/admin/visits/call/",
        {"action": "open_calls", "_selected_action": [ready.pk, empty.pk]},
        follow=True,
    )

    assert sorted(_messages(response.content.decode())) == [
        "Empty: The call cannot open yet. Add at least one visit on offer. "
        "Add at least one criterion.",
        "Ready is open.",
    ]
    ready.refresh_from_db()
    empty.refresh_from_db()
    assert (ready.status, empty.status) == (CallStatus.OPEN, CallStatus.DRAFT)
