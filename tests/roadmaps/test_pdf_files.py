"""Roadmap PDFs printed once per version and kept (roadmaps.pdf_files): a repeat download and
the cohort ZIP read the stored file; any change to what the PDF shows prints it again; the
permission is asked before any file is read."""

import io
import zipfile
import zoneinfo

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from cities.models import City, ClimateAction
from cohorts.enums import Programme
from roadmaps import pdf as roadmap_pdf_module
from roadmaps import pdf_files, views_outputs
from roadmaps.enums import RoadmapStatus
from roadmaps.exports import roadmap_export_build
from roadmaps.models import NetZeroCitiesService, Roadmap, RoadmapExport, RoadmapValue
from roadmaps.pdf import roadmap_pdf
from roadmaps.services import roadmap_field_save
from tests import factories
from tests.roadmaps.outputs_factories import (
    city_named,
    climate_action,
    netzerocities_services,
    roadmap_with,
    typical_values,
)


@pytest.fixture(autouse=True)
def default_language():
    with translation.override(settings.LANGUAGE_CODE):
        yield


@pytest.fixture
def renders(monkeypatch):
    """How many times WeasyPrint laid out a document."""
    calls = []
    real = roadmap_pdf_module.pdf_document_from_html

    def counting(html):
        calls.append(html)
        return real(html)

    monkeypatch.setattr(roadmap_pdf_module, "pdf_document_from_html", counting)
    return calls


@pytest.fixture
def cohort(db):
    return factories.CohortFactory(programme=Programme.TWINNING, number=5, name="Twinning 5")


@pytest.fixture
def roadmap(cohort):
    action = climate_action(cohort=cohort)
    return roadmap_with(
        cohort=cohort,
        city=city_named("Čačak", "RS", "Serbia"),
        values=typical_values(action=action, services=netzerocities_services(), score=4),
        status=RoadmapStatus.DRAFT,
    )


@pytest.fixture
def officer(roadmap):
    return factories.city_officer(city=roadmap.city)


def pdf_url(roadmap) -> str:
    return reverse("roadmap_pdf", args=[roadmap.pk])


def stored_files(roadmap) -> list[str]:
    folder = settings.MEDIA_ROOT / pdf_files.FOLDER / str(roadmap.pk)
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


def download(client, roadmap) -> bytes:
    response = client.get(pdf_url(roadmap))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return response.content


def test_pdf_second_download_reads_the_stored_file(client, roadmap, officer, renders):
    client.force_login(officer)
    first = download(client, roadmap)
    second = download(client, roadmap)

    assert len(renders) == 1
    assert second == first
    assert first == roadmap_pdf(roadmap=Roadmap.objects.get(pk=roadmap.pk))
    [name] = stored_files(roadmap)
    assert name.startswith("en_Europe_Brussels.") and name.endswith(".pdf")
    assert (settings.MEDIA_ROOT / pdf_files.FOLDER / str(roadmap.pk) / name).read_bytes() == first


def test_pdf_field_save_prints_a_new_pdf_and_deletes_the_old_file(
    client, roadmap, officer, renders
):
    client.force_login(officer)
    first = download(client, roadmap)
    [first_name] = stored_files(roadmap)
    value = RoadmapValue.objects.get(roadmap=roadmap, key="phase1.challenge")
    roadmap_field_save(
        roadmap=roadmap,
        key="phase1.challenge",
        value="Heating the old town",
        base_version=value.version,
        acting_user=officer,
    )

    second = download(client, roadmap)
    third = download(client, roadmap)

    assert len(renders) == 2
    assert "Heating the old town" in renders[1]
    assert second != first
    assert third == second
    [second_name] = stored_files(roadmap)
    assert second_name != first_name


def test_pdf_value_changed_without_the_services_prints_a_new_pdf(client, roadmap, officer, renders):
    """Every saved value is in the file's name, not only the roadmap's last change: a value
    saved as the Django admin does (a model save, which raises the roadmap's data version)."""
    client.force_login(officer)
    download(client, roadmap)
    value = RoadmapValue.objects.get(roadmap=roadmap, key="phase1.missing")
    value.value = "Money"
    value.save()

    download(client, roadmap)

    assert len(renders) == 2
    assert "<p>Money</p>" in renders[1]


# Each change as the Django admin makes it: a model save (roadmaps.scopes hears it).


def rename_city(roadmap):
    city = City.objects.get(pk=roadmap.city_id)
    city.name = "Kraljevo"
    city.save()
    return "Kraljevo"


def rename_country(roadmap):
    roadmap.city.country.name = "Republic of Serbia"
    roadmap.city.country.save()
    return "Republic of Serbia"


def rename_cohort(roadmap):
    roadmap.cohort.name = "Twinning cohort five"
    roadmap.cohort.save()
    return "Twinning cohort five"


def retitle_action(roadmap):
    action = ClimateAction.objects.get(
        pk=RoadmapValue.objects.get(roadmap=roadmap, key="phase2_1.climate_action").value
    )
    action.title = "Solar energy communities"
    action.save()
    return "Solar energy communities"


def rename_action_city(roadmap):
    action = ClimateAction.objects.get(
        pk=RoadmapValue.objects.get(roadmap=roadmap, key="phase2_1.climate_action").value
    )
    city = City.objects.get(pk=action.city_id)
    city.name = "Braga"
    city.save()
    return "(Braga)"


def rename_service(roadmap):
    service = NetZeroCitiesService.objects.get(name="Heat planning guidance")
    service.name = "Heat planning handbook"
    service.save()
    return "Heat planning handbook"


def submit(roadmap):
    stored = Roadmap.objects.get(pk=roadmap.pk)
    stored.status = RoadmapStatus.SUBMITTED
    stored.save()
    return "Submitted"


@pytest.mark.parametrize(
    "change",
    [
        rename_city,
        rename_country,
        rename_cohort,
        retitle_action,
        rename_action_city,
        rename_service,
        submit,
    ],
)
def test_pdf_change_to_a_printed_name_prints_a_new_pdf(client, roadmap, officer, renders, change):
    client.force_login(officer)
    first = download(client, roadmap)

    shown = change(roadmap)
    second = download(client, roadmap)

    assert len(renders) == 2
    assert shown in renders[1]
    assert shown not in renders[0]
    assert second != first
    assert len(stored_files(roadmap)) == 1


def test_pdf_each_language_and_time_zone_has_its_own_file(client, roadmap, officer, renders):
    client.force_login(officer)
    english = download(client, roadmap)
    officer.language = "fr"
    officer.save()
    french = download(client, roadmap)
    # The "Last change" date is printed in local time (the ZIP prints in the portal's zone).
    with translation.override("fr"), timezone.override(zoneinfo.ZoneInfo("Europe/Lisbon")):
        french_in_lisbon = pdf_files.roadmap_pdf_file(roadmap=Roadmap.objects.get(pk=roadmap.pk))
    officer.language = "en"
    officer.save()
    english_again = download(client, roadmap)

    assert ['lang="fr"' in html for html in renders] == [False, True, True]
    assert english_again == english
    assert len({english, french, french_in_lisbon}) == 3
    assert [name.split(".")[0] for name in stored_files(roadmap)] == [
        "en_Europe_Brussels",
        "fr_Europe_Brussels",
        "fr_Europe_Lisbon",
    ]


def test_pdf_permission_is_asked_before_a_stored_file_is_read(
    client, roadmap, officer, monkeypatch
):
    client.force_login(officer)
    download(client, roadmap)
    read = []
    monkeypatch.setattr(
        views_outputs, "roadmap_pdf_file_remembered", lambda **kwargs: read.append(kwargs) or b""
    )
    other_officer = factories.city_officer()
    other_facilitator = factories.UserFactory(is_facilitator=True)
    factories.CohortFactory().facilitators.add(other_facilitator)
    statuses = []
    for user in (other_officer, other_facilitator):
        client.force_login(user)
        statuses.append(client.get(pdf_url(roadmap)).status_code)
    client.logout()
    statuses.append(client.get(pdf_url(roadmap)).status_code)

    assert statuses == [404, 404, 302]
    assert read == []


def test_pdf_cut_short_on_disk_is_printed_again(client, roadmap, officer, renders):
    client.force_login(officer)
    first = download(client, roadmap)
    [name] = stored_files(roadmap)
    path = settings.MEDIA_ROOT / pdf_files.FOLDER / str(roadmap.pk) / name
    path.write_bytes(first[:1000])

    again = download(client, roadmap)

    assert len(renders) == 2
    assert again == first
    assert path.read_bytes() == first


def test_pdf_files_of_a_deleted_roadmap_are_deleted(
    client, roadmap, officer, django_capture_on_commit_callbacks
):
    client.force_login(officer)
    download(client, roadmap)
    assert len(stored_files(roadmap)) == 1

    with django_capture_on_commit_callbacks(execute=True):
        Roadmap.objects.filter(pk=roadmap.pk).delete()

    assert stored_files(roadmap) == []


def zip_pdfs(export_id: int) -> dict[str, bytes]:
    export = RoadmapExport.objects.get(pk=export_id)
    with export.file.open("rb") as stored:
        archive = zipfile.ZipFile(io.BytesIO(stored.read()))
        return {name: archive.read(name) for name in archive.namelist()}


def test_zip_reuses_the_stored_pdfs_and_the_download_reuses_the_zips(
    client, cohort, roadmap, officer, renders
):
    other = roadmap_with(
        cohort=cohort,
        city=city_named("Liepāja", "LV", "Latvia"),
        values={"phase1.challenge": "Heat"},  # the ZIP leaves out roadmaps nobody started
    )
    client.force_login(officer)
    downloaded = download(client, roadmap)
    assert len(renders) == 1

    first_zip = RoadmapExport.objects.create(cohort=cohort)
    roadmap_export_build(export_id=first_zip.pk)
    # Only Liepāja's roadmap was printed: Čačak's was stored by the download.
    assert len(renders) == 2
    second_zip = RoadmapExport.objects.create(cohort=cohort)
    roadmap_export_build(export_id=second_zip.pk)
    download(client, roadmap)

    assert len(renders) == 2
    pdfs = zip_pdfs(second_zip.pk)
    assert pdfs == zip_pdfs(first_zip.pk)
    assert pdfs["reflection-roadmap-cacak-5.pdf"] == downloaded
    assert pdfs["reflection-roadmap-liepaja-5.pdf"] == roadmap_pdf(
        roadmap=Roadmap.objects.get(pk=other.pk)
    )
