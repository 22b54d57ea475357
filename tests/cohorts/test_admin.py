"""The enrolment admin: decisions only through the accept and decline actions (the services)."""

import pytest
from django.contrib.messages import get_messages

from cohorts import services
from cohorts.models import Cohort, Enrolment
from notifications.models import OutboundEmail
from roadmaps.models import Roadmap
from tests import factories
from tests.cohorts.helpers import TODAY, group

CHANGELIST = "/admin/cohorts/enrolment/"


@pytest.fixture
def admin_client(client, programme_admin):
    client.force_login(programme_admin)
    return client


def _request(cohort, city, officer):
    return services.enrolment_request(
        cohort=cohort,
        city=city,
        acting_user=officer,
        groups=[(group(cohort, "energy"), "")],
        today=TODAY,
    )


@pytest.fixture
def requests(cohort, lisbon, lisbon_officer):
    porto = factories.CityFactory(name="Porto", country=lisbon.country)
    porto_officer = factories.city_officer(city=porto, email="rui@porto.pt")
    return _request(cohort, lisbon, lisbon_officer), _request(cohort, porto, porto_officer)


def _decision_emails():
    return list(
        OutboundEmail.objects.exclude(key__contains=":requested:")
        .order_by("key")
        .values_list("key", "to")
    )


def _messages(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_admin_accept_action_accepts_opens_roadmaps_and_emails(
    admin_client, programme_admin, cohort, requests
):
    lisbon, porto = requests

    response = admin_client.post(
        CHANGELIST,
        {"action": "accept_requests", "_selected_action": [lisbon.pk, porto.pk]},
    )

    assert response.status_code == 302
    assert list(
        Enrolment.objects.order_by("pk").values_list("city__name", "status", "decided_by")
    ) == [("Lisbon", "accepted", programme_admin.pk), ("Porto", "accepted", programme_admin.pk)]
    assert sorted(Roadmap.objects.values_list("cohort", "city__name")) == [
        (cohort.pk, "Lisbon"),
        (cohort.pk, "Porto"),
    ]
    assert _decision_emails() == sorted(
        [
            (f"enrolment:{lisbon.pk}:accepted", "ana@lisboa.pt"),
            (f"enrolment:{porto.pk}:accepted", "rui@porto.pt"),
        ]
    )
    assert _messages(response) == ["2 requests accepted; their officers were told by email."]


def test_admin_decline_action_reports_the_ones_already_decided(admin_client, lead, requests):
    lisbon, porto = requests
    services.enrolment_accept(enrolment=lisbon, acting_user=lead)

    response = admin_client.post(
        CHANGELIST,
        {"action": "decline_requests", "_selected_action": [lisbon.pk, porto.pk]},
    )

    assert list(Enrolment.objects.order_by("pk").values_list("city__name", "status")) == [
        ("Lisbon", "accepted"),
        ("Porto", "declined"),
    ]
    assert _decision_emails() == sorted(
        [
            (f"enrolment:{lisbon.pk}:accepted", "ana@lisboa.pt"),
            (f"enrolment:{porto.pk}:declined", "rui@porto.pt"),
        ]
    )
    assert _messages(response) == [
        "Lisbon's enrolment in Online Discussion Groups cohort 1 is already enrolled.",
        "1 request declined; its officer was told by email.",
    ]


def test_admin_change_form_cannot_set_the_decision(admin_client, cohort, lisbon, requests):
    enrolment = requests[0]
    url = f"{CHANGELIST}{enrolment.pk}/change/"
    html = admin_client.get(url).content.decode()

    response = admin_client.post(
        url,
        {
            "cohort": cohort.pk,
            "city": lisbon.pk,
            "requested_by": enrolment.requested_by_id,
            "created_at_0": "2024-10-01",
            "created_at_1": "12:00:00",
            "status": "accepted",
            "decided_by": enrolment.requested_by_id,
            "groups-TOTAL_FORMS": "0",
            "groups-INITIAL_FORMS": "0",
            "groups-MIN_NUM_FORMS": "0",
            "groups-MAX_NUM_FORMS": "1000",
        },
    )

    assert 'name="status"' not in html
    assert 'name="decided_by"' not in html
    assert response.status_code == 302
    enrolment.refresh_from_db()
    assert (enrolment.status, enrolment.decided_by, enrolment.decided_at) == (
        "requested",
        None,
        None,
    )
    assert Roadmap.objects.count() == 0
    assert _decision_emails() == []


def _inlines(*prefixes):
    data = {}
    for prefix in prefixes:
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": "0",
                f"{prefix}-INITIAL_FORMS": "0",
                f"{prefix}-MIN_NUM_FORMS": "0",
                f"{prefix}-MAX_NUM_FORMS": "1000",
            }
        )
    return data


def test_admin_cohort_form_records_who_created_and_last_changed_the_cohort(
    admin_client, programme_admin
):
    fields = {
        "programme": "twinning",
        "number": "3",
        "name": "Twinning 3",
        "starts_on": "2025-01-01",
        "ends_on": "2025-06-30",
        **_inlines("phases", "thematic_groups"),
    }
    html = admin_client.get("/admin/cohorts/cohort/add/").content.decode()
    assert admin_client.post("/admin/cohorts/cohort/add/", fields).status_code == 302
    cohort = Cohort.objects.get(number=3)
    other_admin = factories.UserFactory(is_programme_admin=True)
    admin_client.force_login(other_admin)

    response = admin_client.post(
        f"/admin/cohorts/cohort/{cohort.pk}/change/", {**fields, "name": "Twinning three"}
    )

    assert 'name="created_by"' not in html
    assert response.status_code == 302
    cohort.refresh_from_db()
    assert (cohort.name, cohort.created_by, cohort.updated_by) == (
        "Twinning three",
        programme_admin,
        other_admin,
    )
