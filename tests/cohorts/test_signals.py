"""cohorts.signals: the enrolment is announced to the apps above, inside its transaction."""

import pytest

from cohorts import services, signals
from cohorts.enums import EnrolmentStatus
from cohorts.models import Enrolment
from notifications.models import OutboundEmail
from roadmaps.models import Roadmap
from tests import factories
from tests.cohorts.helpers import TODAY, group


@pytest.fixture
def announced():
    """The enrolments `enrolment_accepted` is sent with, with their status when sent."""
    sent = []

    def record(sender, enrolment, **kwargs):
        sent.append((sender, enrolment.pk, enrolment.status))

    signals.enrolment_accepted.connect(record, dispatch_uid="tests.record_enrolment_accepted")
    yield sent
    signals.enrolment_accepted.disconnect(dispatch_uid="tests.record_enrolment_accepted")


def _request(cohort, city):
    return services.enrolment_request(
        cohort=cohort,
        city=city,
        acting_user=factories.city_officer(city=city),
        groups=[(group(cohort, "energy"), "")],
        today=TODAY,
    )


def test_enrolment_accepted_is_sent_on_accept_and_direct_enrolment_not_on_request_or_decline(
    db, cohort, lisbon, lead, announced
):
    porto = factories.CityFactory(name="Porto")
    braga = factories.CityFactory(name="Braga")
    accepted = _request(cohort, lisbon)
    declined = _request(cohort, porto)
    assert announced == []

    services.enrolment_decline(enrolment=declined, acting_user=lead)
    services.enrolment_accept(enrolment=accepted, acting_user=lead)
    direct = services.enrolment_create_direct(
        cohort=cohort, city=braga, acting_user=lead, groups=[(group(cohort, "energy"), "")]
    )

    assert announced == [
        (Enrolment, accepted.pk, EnrolmentStatus.ACCEPTED),
        (Enrolment, direct.pk, EnrolmentStatus.ACCEPTED),
    ]


def test_enrolment_is_undone_when_a_receiver_fails(db, cohort, lisbon, lead):
    """A receiver runs in the enrolment's transaction: its failure leaves no enrolment, no
    roadmap and no email behind."""

    def fail(sender, enrolment, **kwargs):
        raise RuntimeError("receiver failed")

    signals.enrolment_accepted.connect(fail, dispatch_uid="tests.fail_enrolment_accepted")
    try:
        with pytest.raises(RuntimeError, match="receiver failed"):
            services.enrolment_create_direct(
                cohort=cohort, city=lisbon, acting_user=lead, groups=[(group(cohort, "energy"), "")]
            )
    finally:
        signals.enrolment_accepted.disconnect(dispatch_uid="tests.fail_enrolment_accepted")

    assert list(Enrolment.objects.filter(cohort=cohort)) == []
    assert list(Roadmap.objects.filter(cohort=cohort)) == []
    assert list(OutboundEmail.objects.all()) == []
