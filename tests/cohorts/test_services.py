"""cohorts.services: creating cohorts (default and typed phases, bad input) and enrolments."""

import datetime

import pytest
from django.conf import settings
from django.core import mail

from cohorts import services
from cohorts.enums import EnrolmentStatus
from cohorts.models import Cohort, Enrolment
from cohorts.services import GroupSpec
from notifications.models import OutboundEmail
from portal.errors import ApplicationError
from portal.permissions import PermissionRefused
from roadmaps.models import Roadmap
from tests import factories
from tests.cohorts.helpers import TODAY, group

D = datetime.date


def _create(lead, **overrides):
    kwargs = {
        "programme": "odg",
        "number": 2,
        "name": "Online Discussion Groups cohort 2",
        "starts_on": D(2025, 9, 1),
        "ends_on": D(2026, 2, 28),
        "acting_user": lead,
    }
    kwargs.update(overrides)
    return services.cohort_create(**kwargs)


def _phases(cohort):
    return list(cohort.phases.values_list("position", "kind", "name", "starts_on", "ends_on"))


def test_cohort_create_spreads_the_four_default_phases_and_makes_the_creator_lead(db, lead):
    cohort = _create(lead, starts_on=D(2024, 9, 1), ends_on=D(2025, 2, 28))

    assert _phases(cohort) == [
        (0, "onboarding", "Onboarding", D(2024, 9, 1), D(2024, 10, 15)),
        (1, "thematic", "Thematic online discussions", D(2024, 10, 16), D(2024, 11, 29)),
        (2, "technical", "Technical support", D(2024, 11, 30), D(2025, 1, 13)),
        (3, "study_visit", "Group Study Visit preparation", D(2025, 1, 14), D(2025, 2, 28)),
    ]
    assert list(cohort.facilitators.all()) == [lead]
    assert cohort.thematic_groups.count() == 0


def test_cohort_create_keeps_typed_phases_and_defaults_the_blank_ones(db, lead):
    cohort = _create(
        lead,
        starts_on=D(2025, 9, 1),
        ends_on=D(2025, 12, 31),
        phases={
            "onboarding": (D(2025, 9, 1), D(2025, 9, 30)),
            "thematic": (D(2025, 10, 1), D(2025, 11, 15)),
            "technical": (None, None),
        },
    )

    assert _phases(cohort) == [
        (0, "onboarding", "Onboarding", D(2025, 9, 1), D(2025, 9, 30)),
        (1, "thematic", "Thematic online discussions", D(2025, 10, 1), D(2025, 11, 15)),
        (2, "technical", "Technical support", D(2025, 11, 1), D(2025, 11, 30)),
        (3, "study_visit", "Group Study Visit preparation", D(2025, 12, 1), D(2025, 12, 31)),
    ]


def test_cohort_create_of_two_days_gives_phases_single_days_never_an_end_before_start(db, lead):
    cohort = _create(lead, starts_on=D(2025, 9, 1), ends_on=D(2025, 9, 2))

    assert [(start, end) for *_rest, start, end in _phases(cohort)] == [
        (D(2025, 9, 1), D(2025, 9, 1)),
        (D(2025, 9, 1), D(2025, 9, 1)),
        (D(2025, 9, 2), D(2025, 9, 2)),
        (D(2025, 9, 2), D(2025, 9, 2)),
    ]


def test_cohort_create_with_groups_and_their_facilitators(db, lead, sectors, group_facilitator):
    cohort = _create(
        lead,
        groups=[
            GroupSpec(sector=sectors["energy"], facilitators=[group_facilitator, lead]),
            GroupSpec(sector=sectors["buildings"]),
        ],
    )

    groups = {
        g.sector.slug: sorted(u.full_name for u in g.facilitators.all())
        for g in cohort.thematic_groups.all()
    }
    assert groups == {"energy": ["Gus Group", "Lea Lead"], "buildings": []}


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"starts_on": D(2025, 9, 1), "ends_on": D(2025, 8, 31)},
            "ends_on",
            "The cohort ends on 31 August 2025, before it starts (1 September 2025).",
        ),
        (
            {"phases": {"onboarding": (D(2025, 8, 25), D(2025, 9, 30))}},
            "phase_onboarding_starts_on",
            "Onboarding starts on 25 August 2025, before the cohort starts (1 September 2025).",
        ),
        (
            {"phases": {"study_visit": (D(2026, 2, 1), D(2026, 3, 15))}},
            "phase_study_visit_ends_on",
            "Group Study Visit preparation ends on 15 March 2026, after the cohort ends "
            "(28 February 2026).",
        ),
        (
            {"phases": {"thematic": (D(2025, 10, 30), D(2025, 10, 1))}},
            "phase_thematic_ends_on",
            "Thematic online discussions ends before it starts.",
        ),
        (
            {"phases": {"technical": (D(2025, 9, 2), D(2025, 10, 1))}},
            "phase_technical_starts_on",
            "Technical support starts before Thematic online discussions (16 October 2025): "
            "phases run in order.",
        ),
        (
            {"phases": {"onboarding": (D(2025, 9, 1), None)}},
            "phase_onboarding_ends_on",
            "Give both dates of the phase, or neither to use the default dates.",
        ),
    ],
    ids=["end-before-start", "phase-too-early", "phase-too-late", "phase-reversed",
         "phases-out-of-order", "half-a-phase"],
)  # fmt: skip
def test_cohort_create_bad_dates_are_refused_at_the_field(db, lead, overrides, field, message):
    with pytest.raises(ApplicationError) as caught:
        _create(lead, **overrides)

    assert (caught.value.field, caught.value.message) == (field, message)
    assert Cohort.objects.count() == 0


def test_cohort_create_refuses_a_number_the_programme_already_has(db, lead, cohort):
    with pytest.raises(ApplicationError) as caught:
        _create(lead, number=1, name="Another cohort")

    assert (caught.value.field, caught.value.message) == (
        "number",
        "Online Discussion Groups already has a cohort number 1: Online Discussion Groups "
        "cohort 1.",
    )
    # Another programme may use the same number.
    assert _create(lead, programme="twinning", number=1).number == 1


def test_cohort_update_changes_dates_phases_and_groups(db, cohort, sectors, lead):
    services.cohort_update(
        cohort=cohort,
        acting_user=lead,
        programme="odg",
        number=1,
        name="ODG cohort 1",
        starts_on=D(2024, 9, 1),
        ends_on=D(2024, 12, 31),
        phases={"onboarding": (D(2024, 9, 1), D(2024, 9, 30))},
        groups=[GroupSpec(sector=sectors["buildings"], facilitators=[lead])],
    )

    cohort.refresh_from_db()
    assert (cohort.name, cohort.ends_on) == ("ODG cohort 1", D(2024, 12, 31))
    assert [(start, end) for *_rest, start, end in _phases(cohort)] == [
        (D(2024, 9, 1), D(2024, 9, 30)),
        (D(2024, 10, 1), D(2024, 10, 31)),
        (D(2024, 11, 1), D(2024, 11, 30)),
        (D(2024, 12, 1), D(2024, 12, 31)),
    ]
    assert [g.sector.slug for g in cohort.thematic_groups.all()] == ["buildings"]


def test_cohort_update_refuses_to_drop_a_group_cities_joined(db, cohort, sectors, lisbon, lead):
    services.enrolment_create_direct(
        cohort=cohort, city=lisbon, acting_user=lead, groups=[(group(cohort, "energy"), "")]
    )

    with pytest.raises(ApplicationError) as caught:
        services.cohort_update(
            cohort=cohort,
            acting_user=lead,
            programme="odg",
            number=1,
            name=cohort.name,
            starts_on=cohort.starts_on,
            ends_on=cohort.ends_on,
            groups=[GroupSpec(sector=sectors["mobility"])],
        )

    assert (caught.value.field, caught.value.message) == (
        "groups",
        "The Energy group cannot be removed: 1 cities joined it or it has sessions.",
    )
    assert cohort.thematic_groups.count() == 2


def test_enrolment_request_records_groups_and_needs(db, cohort, lisbon, lisbon_officer):
    enrolment = services.enrolment_request(
        cohort=cohort,
        city=lisbon,
        acting_user=lisbon_officer,
        groups=[(group(cohort, "energy"), "  District heating for old quarters  ")],
        today=TODAY,
    )

    assert (enrolment.status, enrolment.requested_by, enrolment.decided_by) == (
        EnrolmentStatus.REQUESTED,
        lisbon_officer,
        None,
    )
    assert list(enrolment.groups.values_list("thematic_group__sector__slug", "needs")) == [
        ("energy", "District heating for old quarters")
    ]


@pytest.mark.django_db(transaction=True)
def test_enrolment_request_emails_the_leads_and_the_picked_groups_facilitators_once(
    cohort, sectors, lisbon, lisbon_officer, lead, group_facilitator
):
    # Both leads and the facilitators of the two groups Lisbon picks. A lead who also runs a
    # picked group gets one email; an inactive lead and the facilitator of a group Lisbon does
    # not pick get none.
    bea = factories.UserFactory(is_facilitator=True, email="bea@example.org")
    mo = factories.UserFactory(is_facilitator=True, email="mo@example.org")
    cohort.facilitators.add(bea, factories.UserFactory(is_active=False))
    mobility = group(cohort, "sustainable-mobility")
    mobility.facilitators.add(bea, mo)
    buildings = factories.ThematicGroupFactory(cohort=cohort, sector=sectors["buildings"])
    buildings.facilitators.add(factories.UserFactory(email="not-picked@example.org"))

    enrolment = services.enrolment_request(
        cohort=cohort,
        city=lisbon,
        acting_user=lisbon_officer,
        groups=[(group(cohort, "energy"), "District heating"), (mobility, "")],
        today=TODAY,
    )

    subject = "Lisbon asks to join Online Discussion Groups cohort 1"
    recipients = [lead, group_facilitator, bea, mo]
    assert list(
        OutboundEmail.objects.order_by("pk").values_list("key", "to", "subject", "status")
    ) == [
        (f"enrolment:{enrolment.pk}:requested:{user.pk}", user.email, subject, "sent")
        for user in recipients
    ]
    assert [m.to for m in mail.outbox] == [[user.email] for user in recipients]
    assert mail.outbox[0].body == (
        "Hello Lea,\n\n"
        "Ana Silva asked for Lisbon (Portugal) to join Online Discussion Groups cohort 1.\n\n"
        "Thematic groups picked, with the city's needs:\n"
        "- Energy: District heating\n"
        "- Sustainable mobility\n\n"
        "Accept or decline the request on the cohort's enrolments page:\n"
        f"{settings.SITE_URL}/cohorts/{cohort.pk}/enrolments/\n"
    )


def test_enrolment_request_refused_emails_nobody(db, cohort, lisbon, lisbon_officer):
    with pytest.raises(ApplicationError):
        services.enrolment_request(
            cohort=cohort, city=lisbon, acting_user=lisbon_officer, groups=[], today=TODAY
        )

    assert OutboundEmail.objects.count() == 0


@pytest.mark.parametrize(
    ("decide", "message"),
    [
        (None, "Lisbon has already asked to join Online Discussion Groups cohort 1."),
        ("accept", "Lisbon is already enrolled in Online Discussion Groups cohort 1."),
        ("decline", "Lisbon has already asked to join Online Discussion Groups cohort 1; the "
                    "request was declined."),
    ],
)  # fmt: skip
def test_enrolment_request_twice_is_refused_with_the_city_and_cohort(
    db, cohort, lisbon, lisbon_officer, lead, decide, message
):
    first = services.enrolment_request(
        cohort=cohort,
        city=lisbon,
        acting_user=lisbon_officer,
        groups=[(group(cohort, "energy"), "")],
        today=TODAY,
    )
    if decide:
        getattr(services, f"enrolment_{decide}")(enrolment=first, acting_user=lead)
    second_officer = factories.city_officer(city=lisbon)

    with pytest.raises(ApplicationError) as caught:
        services.enrolment_request(
            cohort=cohort,
            city=lisbon,
            acting_user=second_officer,
            groups=[(group(cohort, "sustainable-mobility"), "")],
            today=TODAY,
        )

    assert (caught.value.field, caught.value.message) == ("city", message)
    assert Enrolment.objects.count() == 1


def test_enrolment_request_needs_a_group_of_this_cohort(db, cohort, lisbon, lisbon_officer, lead):
    other = factories.ThematicGroupFactory(cohort=factories.CohortFactory(number=99))
    for groups, message in [
        ([], "Pick at least one thematic group."),
        ([(other, "")], "Pick thematic groups of Online Discussion Groups cohort 1."),
    ]:
        with pytest.raises(ApplicationError) as caught:
            services.enrolment_request(
                cohort=cohort, city=lisbon, acting_user=lisbon_officer, groups=groups, today=TODAY
            )
        assert (caught.value.field, caught.value.message) == ("groups", message)
    assert Enrolment.objects.count() == 0


def test_enrolment_request_to_an_ended_cohort_is_refused(db, cohort, lisbon, lisbon_officer):
    with pytest.raises(ApplicationError) as caught:
        services.enrolment_request(
            cohort=cohort,
            city=lisbon,
            acting_user=lisbon_officer,
            groups=[(group(cohort, "energy"), "")],
            today=D(2025, 3, 1),
        )

    assert (caught.value.field, caught.value.message) == (
        None,
        "Online Discussion Groups cohort 1 ended on 28 February 2025: cities can no longer ask "
        "to join.",
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("decision", "status", "subject"),
    [
        ("accept", "accepted", "Lisbon is enrolled in Online Discussion Groups cohort 1"),
        ("decline", "declined",
         "Lisbon's request to join Online Discussion Groups cohort 1 was declined"),
    ],
)  # fmt: skip
def test_enrolment_decision_emails_the_officer_who_asked_once(
    cohort, lisbon, lisbon_officer, lead, group_facilitator, decision, status, subject
):
    factories.city_officer(city=lisbon)  # another officer of the city: not emailed
    enrolment = services.enrolment_request(
        cohort=cohort,
        city=lisbon,
        acting_user=lisbon_officer,
        groups=[(group(cohort, "energy"), "")],
        today=TODAY,
    )

    mail.outbox.clear()  # the request's own emails to the facilitators

    decided = getattr(services, f"enrolment_{decision}")(enrolment=enrolment, acting_user=lead)

    assert (decided.status, decided.decided_by) == (status, lead)
    assert decided.decided_at is not None
    assert list(
        OutboundEmail.objects.exclude(key__contains=":requested:").values_list(
            "key", "to", "subject", "status"
        )
    ) == [(f"enrolment:{enrolment.pk}:{status}", "ana@lisboa.pt", subject, "sent")]
    assert [(m.to, m.subject) for m in mail.outbox] == [(["ana@lisboa.pt"], subject)]
    assert mail.outbox[0].body.startswith("Hello Ana,\n\n")


def test_enrolment_decided_twice_is_refused(db, cohort, lisbon, lisbon_officer, lead):
    enrolment = services.enrolment_request(
        cohort=cohort,
        city=lisbon,
        acting_user=lisbon_officer,
        groups=[(group(cohort, "energy"), "")],
        today=TODAY,
    )
    services.enrolment_accept(enrolment=enrolment, acting_user=lead)

    with pytest.raises(ApplicationError) as caught:
        services.enrolment_decline(enrolment=enrolment, acting_user=lead)

    assert caught.value.message == (
        "Lisbon's enrolment in Online Discussion Groups cohort 1 is already enrolled."
    )
    assert list(
        OutboundEmail.objects.filter(key__startswith=f"enrolment:{enrolment.pk}:")
        .exclude(key__contains=":requested:")
        .values_list("key", flat=True)
    ) == [f"enrolment:{enrolment.pk}:accepted"]


def test_enrolment_declined_may_still_be_accepted(db, cohort, lisbon, lisbon_officer, lead):
    enrolment = services.enrolment_request(
        cohort=cohort,
        city=lisbon,
        acting_user=lisbon_officer,
        groups=[(group(cohort, "energy"), "")],
        today=TODAY,
    )
    services.enrolment_decline(enrolment=enrolment, acting_user=lead)

    services.enrolment_accept(enrolment=enrolment, acting_user=lead)

    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.ACCEPTED
    assert sorted(
        OutboundEmail.objects.exclude(key__contains=":requested:").values_list("key", flat=True)
    ) == [
        f"enrolment:{enrolment.pk}:accepted",
        f"enrolment:{enrolment.pk}:declined",
    ]


def test_enrolment_create_direct_enrols_and_tells_each_officer(db, cohort, lisbon, lead):
    ana = factories.city_officer(city=lisbon, email="ana@lisboa.pt")
    rui = factories.city_officer(city=lisbon, email="rui@lisboa.pt")

    enrolment = services.enrolment_create_direct(
        cohort=cohort,
        city=lisbon,
        acting_user=lead,
        groups=[(group(cohort, "energy"), ""), (group(cohort, "sustainable-mobility"), "Bikes")],
    )

    assert (enrolment.status, enrolment.requested_by, enrolment.decided_by) == (
        EnrolmentStatus.ACCEPTED,
        None,
        lead,
    )
    assert enrolment.groups.count() == 2
    assert sorted(OutboundEmail.objects.values_list("key", "to")) == [
        (f"enrolment:{enrolment.pk}:accepted:{ana.pk}", "ana@lisboa.pt"),
        (f"enrolment:{enrolment.pk}:accepted:{rui.pk}", "rui@lisboa.pt"),
    ]


# --- who may act: each service checks its permission first (cohorts/rules.py) ---------------


def _enrolment_emails():
    return list(OutboundEmail.objects.values_list("key", flat=True))


def test_cohort_create_records_the_creator_as_creator_and_last_editor(db, lead):
    cohort = _create(lead)

    cohort.refresh_from_db()
    assert (cohort.created_by, cohort.updated_by) == (lead, lead)


def test_cohort_update_records_the_last_editor_and_keeps_the_creator(
    db, cohort, lead, programme_admin
):
    services.cohort_update(
        cohort=cohort,
        acting_user=programme_admin,
        programme="odg",
        number=1,
        name="ODG cohort 1",
        starts_on=cohort.starts_on,
        ends_on=cohort.ends_on,
    )

    cohort.refresh_from_db()
    assert (cohort.name, cohort.created_by, cohort.updated_by) == (
        "ODG cohort 1",
        lead,
        programme_admin,
    )


@pytest.mark.parametrize("who", ["officer", "reviewer", "nobody"])
def test_cohort_create_is_refused_to_people_who_are_not_facilitators(db, lisbon_officer, who):
    user = {
        "officer": lisbon_officer,
        "reviewer": factories.UserFactory(is_reviewer=True),
        "nobody": None,
    }[who]

    with pytest.raises(PermissionRefused) as caught:
        # Dates that would be refused too: the permission is checked first.
        _create(user, starts_on=D(2025, 9, 1), ends_on=D(2025, 1, 1))

    assert caught.value.message == "You do not have permission to do this."
    assert Cohort.objects.count() == 0


@pytest.mark.parametrize("who", ["group_facilitator", "other_facilitator", "officer"])
def test_cohort_update_is_refused_to_people_who_do_not_lead_the_cohort(
    db, cohort, lead, group_facilitator, lisbon_officer, who
):
    user = {
        "group_facilitator": group_facilitator,
        "other_facilitator": factories.UserFactory(is_facilitator=True),
        "officer": lisbon_officer,
    }[who]

    with pytest.raises(PermissionRefused):
        services.cohort_update(
            cohort=cohort,
            acting_user=user,
            programme="odg",
            number=1,
            name="ODG cohort 1",
            starts_on=cohort.starts_on,
            ends_on=cohort.ends_on,
        )

    cohort.refresh_from_db()
    assert (cohort.name, cohort.updated_by, cohort.thematic_groups.count()) == (
        "Online Discussion Groups cohort 1",
        lead,
        2,
    )


@pytest.mark.parametrize("who", ["officer_of_another_city", "lead", "nobody"])
def test_enrolment_request_is_refused_to_people_who_are_not_officers_of_the_city(
    db, cohort, lisbon, lead, who
):
    user = {
        "officer_of_another_city": factories.city_officer(),
        "lead": lead,
        "nobody": None,
    }[who]

    for today in (TODAY, D(2025, 3, 1)):  # an ended cohort too: the permission comes first
        with pytest.raises(PermissionRefused):
            services.enrolment_request(
                cohort=cohort,
                city=lisbon,
                acting_user=user,
                groups=[(group(cohort, "energy"), "")],
                today=today,
            )

    assert (Enrolment.objects.count(), _enrolment_emails()) == (0, [])


@pytest.mark.parametrize("who", ["other_facilitator", "officer_of_the_city"])
def test_enrolment_create_direct_is_refused_to_people_who_do_not_facilitate_the_cohort(
    db, cohort, lisbon, lisbon_officer, who
):
    user = {
        "other_facilitator": factories.UserFactory(is_facilitator=True),
        "officer_of_the_city": lisbon_officer,
    }[who]

    with pytest.raises(PermissionRefused):
        services.enrolment_create_direct(
            cohort=cohort, city=lisbon, acting_user=user, groups=[(group(cohort, "energy"), "")]
        )

    assert (Enrolment.objects.count(), Roadmap.objects.count(), _enrolment_emails()) == (
        0,
        0,
        [],
    )


@pytest.mark.parametrize("decision", ["accept", "decline"])
@pytest.mark.parametrize("who", ["officer_who_asked", "other_facilitator", "nobody"])
def test_enrolment_decisions_are_refused_to_people_who_do_not_facilitate_the_cohort(
    db, cohort, lisbon, lisbon_officer, who, decision
):
    enrolment = services.enrolment_request(
        cohort=cohort,
        city=lisbon,
        acting_user=lisbon_officer,
        groups=[(group(cohort, "energy"), "")],
        today=TODAY,
    )
    user = {
        "officer_who_asked": lisbon_officer,
        "other_facilitator": factories.UserFactory(is_facilitator=True),
        "nobody": None,
    }[who]

    with pytest.raises(PermissionRefused):
        getattr(services, f"enrolment_{decision}")(enrolment=enrolment, acting_user=user)

    enrolment.refresh_from_db()
    assert (enrolment.status, enrolment.decided_by, enrolment.decided_at) == (
        "requested",
        None,
        None,
    )
    assert Roadmap.objects.count() == 0
    assert not OutboundEmail.objects.exclude(key__contains=":requested:").exists()


def test_programme_admins_act_on_cohorts_they_do_not_facilitate(
    db, cohort, lisbon, lisbon_officer, programme_admin
):
    """The rules name admins themselves (the admin backend no longer grants them these)."""
    created = _create(programme_admin)
    espoo = factories.CityFactory(name="Espoo")
    asked = services.enrolment_request(
        cohort=cohort,
        city=lisbon,
        acting_user=lisbon_officer,
        groups=[(group(cohort, "energy"), "")],
        today=TODAY,
    )
    services.enrolment_accept(enrolment=asked, acting_user=programme_admin)
    direct = services.enrolment_create_direct(
        cohort=cohort,
        city=espoo,
        acting_user=programme_admin,
        groups=[(group(cohort, "energy"), "")],
    )

    assert (created.created_by, list(created.facilitators.all())) == (
        programme_admin,
        [programme_admin],
    )
    asked.refresh_from_db()
    assert (asked.status, asked.requested_by, asked.decided_by) == (
        "accepted",
        lisbon_officer,
        programme_admin,
    )
    assert (direct.status, direct.decided_by) == ("accepted", programme_admin)


def test_states_hold_for_programme_admins(db, cohort, lisbon, lisbon_officer, programme_admin):
    """A decision is taken once, whoever decides (an admin too); an ended cohort takes no
    request (asking is the officers' act: admins enrol directly)."""
    with pytest.raises(ApplicationError) as ended:
        services.enrolment_request(
            cohort=cohort,
            city=lisbon,
            acting_user=lisbon_officer,
            groups=[(group(cohort, "energy"), "")],
            today=D(2025, 3, 1),
        )
    enrolment = services.enrolment_request(
        cohort=cohort,
        city=lisbon,
        acting_user=lisbon_officer,
        groups=[(group(cohort, "energy"), "")],
        today=TODAY,
    )
    services.enrolment_accept(enrolment=enrolment, acting_user=programme_admin)
    with pytest.raises(ApplicationError) as decided:
        services.enrolment_decline(enrolment=enrolment, acting_user=programme_admin)

    assert (ended.value.code, decided.value.code) == ("ended", "already_decided")
    enrolment.refresh_from_db()
    assert enrolment.status == "accepted"
