"""Every model of the project's apps has one factory in tests/factories.py, and it writes a valid
row: a new model without a factory fails here, naming the model."""

from pathlib import Path

import factory
import pytest
from django.apps import apps
from django.conf import settings

from cohorts.enums import EnrolmentStatus
from roadmaps.models import Roadmap
from tests import factories


def project_models() -> list:
    """The concrete models of the apps in this repository (not Django's or third parties')."""
    root = Path(settings.BASE_DIR).resolve()
    return [
        model
        for config in apps.get_app_configs()
        if Path(config.path).resolve().parent == root
        for model in config.get_models()
    ]


def factories_by_model() -> dict:
    found: dict = {}
    for value in vars(factories).values():
        if isinstance(value, type) and issubclass(value, factory.django.DjangoModelFactory):
            found.setdefault(value._meta.model, []).append(value)
    return found


def label(model) -> str:
    return model._meta.label


def test_the_project_models_are_found():
    labels = {label(model) for model in project_models()}

    assert {"accounts.User", "taxonomy.ThematicSector", "roadmaps.RoadmapExport"} <= labels


def test_every_project_model_has_exactly_one_factory():
    found = factories_by_model()

    assert [label(model) for model in project_models() if model not in found] == []
    assert {label(model): len(made) for model, made in found.items() if len(made) > 1} == {}


@pytest.mark.parametrize("model", project_models(), ids=label)
def test_factory_writes_a_valid_row(db, model):
    [model_factory] = factories_by_model()[model]

    row = model_factory()

    row.full_clean()
    assert model.objects.filter(pk=row.pk).count() == 1


def test_two_rows_of_each_factory_do_not_collide(db):
    for model in project_models():
        [model_factory] = factories_by_model()[model]
        first, second = model_factory(), model_factory()
        assert first.pk != second.pk, label(model)


def test_api_token_factory_keeps_the_secret_that_signs_in(client, db):
    token = factories.ApiTokenFactory()

    response = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token.secret}")

    assert (response.status_code, response.json()["email"]) == (200, token.user.email)


def test_enrolment_accepted_opens_the_roadmap_through_the_service(db):
    cohort = factories.CohortFactory()
    city = factories.CityFactory()

    enrolment = factories.enrolment_accepted(cohort=cohort, city=city)

    assert enrolment.status == EnrolmentStatus.ACCEPTED
    assert list(Roadmap.objects.values_list("cohort", "city")) == [(cohort.pk, city.pk)]
    assert [group.cohort for group in enrolment.thematic_groups.all()] == [cohort]


def test_roadmap_factory_holds_its_values_at_version_1(db):
    roadmap = factories.RoadmapFactory(values={"phase1.overview": "Net zero by 2030."})

    assert list(roadmap.values.values_list("key", "value", "version")) == [
        ("phase1.overview", "Net zero by 2030.", 1)
    ]


def test_enrolment_group_joins_a_group_of_the_enrolments_cohort(db):
    joined = factories.EnrolmentGroupFactory()

    assert joined.thematic_group.cohort == joined.enrolment.cohort
