"""The invitation email writes its expiry date in the recipient's language (portal/formats/)."""

import datetime

import pytest
import time_machine
from django.core import mail

from cities import services
from tests import factories
from tests.cities.test_invitations import enrol

# 1 Dec 2026, 13:00 in Brussels: a 14-day invitation runs until 15 December.
NOW = datetime.datetime(2026, 12, 1, 12, 0, tzinfo=datetime.UTC)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "en",
            "The link works once and until 15 December 2026. Nothing changes on your account "
            "until you confirm.",
        ),
        (
            "fr",
            "Le lien ne fonctionne qu'une fois, jusqu'au 15 décembre 2026. Rien ne change sur "
            "votre compte tant que vous n'avez pas confirmé.",
        ),
    ],
)
def test_invitation_email_writes_the_expiry_in_the_recipients_language(
    db, settings, facilitator, django_capture_on_commit_callbacks, language, expected
):
    settings.INVITATION_VALID_DAYS = 14
    cohort = factories.CohortFactory()
    cohort.facilitators.add(facilitator)
    lisbon = factories.CityFactory(name="Lisbon", country=factories.CountryFactory(iso_code="PT"))
    enrol(lisbon, cohort)
    factories.UserFactory(email="ana@example.org", language=language)

    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        services.invitation_create(email="ana@example.org", city=lisbon, acting_user=facilitator)

    (sent,) = mail.outbox
    assert sent.body.split("\n")[-2] == expected  # the last paragraph
