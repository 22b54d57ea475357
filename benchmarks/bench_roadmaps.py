"""Reflection Roadmaps: PDF generation of a full roadmap, the autosave request and the cohort
roadmap overview.

The scale data (seed_scale) enrols cities in bulk, without roadmaps, so the setup opens one
roadmap (roadmaps.services.roadmap_open, idempotent) for the first accepted city that has an
officer, and fills every field of the template once; later runs reuse it.

The page benchmarks need roadmaps.urls and roadmaps.urls_outputs included under /roadmaps/ in
config/urls.py: while a URL is missing, its benchmark is left out (with a note) rather than
failing the whole run; the PDF service and roadmap_field_save are timed directly either way.
"""

import json
import sys
from itertools import count

from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from benchmarks.harness import benchmark, page, signed_in_client
from cities.models import CityMembership
from cohorts.enums import EnrolmentStatus
from cohorts.models import Enrolment
from devdata.scale import scale_cohorts
from roadmaps.enums import ExportStatus, RoadmapStatus
from roadmaps.models import (
    NetZeroCitiesService,
    Roadmap,
    RoadmapChange,
    RoadmapComment,
    RoadmapExport,
    RoadmapValue,
)
from roadmaps.pdf import roadmap_pdf
from roadmaps.pdf_files import roadmap_pdf_files_delete
from roadmaps.services import roadmap_field_save, roadmap_open
from roadmaps.template import FIELDS, LIMITED_TEXT, LONG_TEXT, SCORE, SECTIONS, SERVICES

# Typical lengths, as cohort 1's roadmaps: a paragraph per long text, 40 words per reasoning.
PARAGRAPH = (
    "Climate neutrality by 2030 for municipal buildings and by 2040 for the city, with "
    "renewable energy communities, school renovation, a cleaner bus fleet and nature-based "
    "solutions; governance, funding and citizen engagement are the main levers of change."
)
REASONING = (
    "The city has a dedicated team and the political support of the mayor, but the national "
    "rules for listed buildings are strict and the procedures take long; we need to work with "
    "the regional heritage authority from the start."
)
AUTOSAVE_KEY = "representative.first_name"  # its section is always open


def _bench_place():
    """(roadmap, officer): the roadmap of the first accepted scale city that has an officer."""
    enrolment = (
        Enrolment.objects.filter(
            cohort__in=scale_cohorts(),
            status=EnrolmentStatus.ACCEPTED,
            city__memberships__isnull=False,
        )
        .select_related("cohort", "city")
        .order_by("cohort__number", "city__name")
        .first()
    )
    if enrolment is None:
        raise RuntimeError("The benchmark database has no accepted enrolment: run --reseed.")
    roadmap = roadmap_open(cohort=enrolment.cohort, city=enrolment.city)
    officer = CityMembership.objects.filter(city=enrolment.city).select_related("user").first().user
    return roadmap, officer


def _value(field, service_ids: str) -> str:
    if field.key == "representative.email":
        return "officer@example.org"
    if field.key == "phase2_1.desirability":
        return "high"
    if field.kind == SCORE:
        return "3"
    if field.kind == SERVICES:
        return service_ids
    if field.kind == LIMITED_TEXT:
        return REASONING
    if field.kind == LONG_TEXT:
        return PARAGRAPH
    return "A short answer of one line"


def full_roadmap() -> tuple[Roadmap, object]:
    """The bench roadmap with every field filled in (written once), as a draft."""
    roadmap, officer = _bench_place()
    if not NetZeroCitiesService.objects.exists():
        NetZeroCitiesService.objects.create(name="Climate Transition Map", position=1)
    service_ids = ",".join(
        str(pk) for pk in NetZeroCitiesService.objects.values_list("pk", flat=True)[:2]
    )
    for field in FIELDS:
        if field.key == "phase2_1.climate_action":
            continue  # the scale cohorts' presented actions vary; the PDF shows "not chosen"
        RoadmapValue.objects.get_or_create(
            roadmap=roadmap,
            key=field.key,
            defaults={"value": _value(field, service_ids), "version": 1},
        )
    # Autosave needs a roadmap the city may still change.
    Roadmap.objects.filter(pk=roadmap.pk).update(status=RoadmapStatus.DRAFT)
    roadmap.refresh_from_db()
    return roadmap, officer


@benchmark("roadmap PDF: full roadmap (WeasyPrint)")  # printing alone, no request
def pdf_of_full_roadmap():
    roadmap, _ = full_roadmap()
    roadmap = Roadmap.objects.select_related("city__country", "cohort").get(pk=roadmap.pk)

    def render():
        pdf = roadmap_pdf(roadmap=roadmap)
        if not pdf.startswith(b"%PDF-"):
            raise RuntimeError("roadmap_pdf did not return a PDF.")
        return pdf

    return render


def _autosave_callable(save):
    """Alternate two values so every call is a real save (an unchanged value is a no-op)."""
    texts = ("Ana", "Ana Maria")
    calls = count()

    def run():
        return save(texts[next(calls) % 2])

    return run


@benchmark("roadmap autosave: roadmap_field_save service")
def autosave_service():
    roadmap, officer = full_roadmap()
    version = {"current": RoadmapValue.objects.get(roadmap=roadmap, key=AUTOSAVE_KEY).version}

    def save(text):
        saved = roadmap_field_save(
            roadmap=roadmap,
            key=AUTOSAVE_KEY,
            value=text,
            base_version=version["current"],
            acting_user=officer,
        )
        version["current"] = saved.version
        return saved

    return _autosave_callable(save)


def cohort_roadmaps(roadmap: Roadmap) -> int:
    """Open the roadmap of every accepted city of the bench roadmap's cohort, with scores and a
    rating in every other one, as a cohort in the middle of Phase 2 (written once)."""
    cohort = roadmap.cohort
    enrolled = Enrolment.objects.filter(cohort=cohort, status=EnrolmentStatus.ACCEPTED)
    if Roadmap.objects.filter(cohort=cohort).count() < enrolled.count():
        for enrolment in enrolled.select_related("city"):
            roadmap_open(cohort=cohort, city=enrolment.city)
        others = Roadmap.objects.filter(cohort=cohort).exclude(pk=roadmap.pk).order_by("pk")
        rows = []
        for n, other in enumerate(others):
            if n % 2:
                continue
            rows.append(RoadmapValue(roadmap=other, key="phase1.challenge", value=REASONING))
            rows.append(RoadmapValue(roadmap=other, key="phase2_1.desirability", value="medium"))
            rows.extend(
                RoadmapValue(roadmap=other, key=field.key, value=str(n % 5 + 1))
                for field in FIELDS
                if field.kind == SCORE
            )
        RoadmapValue.objects.bulk_create(rows, ignore_conflicts=True)
        others.filter(pk__in={row.roadmap_id for row in rows}).update(percent_complete=30)
    return Roadmap.objects.filter(cohort=cohort).count()


def _url(name: str, *args) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        sys.stderr.write(
            f"bench_roadmaps: URL {name!r} is not wired into config/urls.py; "
            "its page benchmark is left out.\n"
        )
        return None


def _register_page_benchmarks() -> None:
    # Resolved with a placeholder id: only whether the URL exists matters here.
    if _url("roadmap_autosave", 1):

        @benchmark("roadmap autosave: POST /roadmaps/<id>/autosave/")
        def autosave_request():
            roadmap, officer = full_roadmap()
            client = signed_in_client(officer)
            url = reverse("roadmap_autosave", args=[roadmap.pk])
            version = {
                "current": RoadmapValue.objects.get(roadmap=roadmap, key=AUTOSAVE_KEY).version
            }

            def save(text):
                response = client.post(
                    url,
                    data=json.dumps(
                        {"key": AUTOSAVE_KEY, "value": text, "base_version": version["current"]}
                    ),
                    content_type="application/json",
                    secure=True,
                )
                if response.status_code != 200:
                    raise RuntimeError(f"POST {url} answered {response.status_code}, not 200.")
                version["current"] = response.json()["version"]
                return response

            return _autosave_callable(save)

    if _url("roadmap_pdf", 1):

        @benchmark("roadmap PDF: first download, GET /roadmaps/<id>/pdf/ (printed and stored)")
        def pdf_first_request():
            roadmap, officer = full_roadmap()
            get = page(signed_in_client(officer), reverse("roadmap_pdf", args=[roadmap.pk]))

            def first_download():
                # As after a change: no stored file of this version.
                roadmap_pdf_files_delete(roadmap_id=roadmap.pk)
                return get()

            return first_download

        @benchmark("roadmap PDF: repeat download, GET /roadmaps/<id>/pdf/ (stored file)")
        def pdf_request():
            roadmap, officer = full_roadmap()
            return page(signed_in_client(officer), reverse("roadmap_pdf", args=[roadmap.pk]))

    if _url("roadmap_cohort_overview", 1):

        @benchmark("roadmap overview: facilitator, GET /roadmaps/cohort/<id>/")
        def cohort_overview():
            roadmap, _ = full_roadmap()
            cohort_roadmaps(roadmap)
            url = reverse("roadmap_cohort_overview", args=[roadmap.cohort_id])
            return page(signed_in_client(_lead(roadmap)), url)

        @benchmark("roadmap export status: facilitator, GET /roadmaps/exports/<id>/")
        def export_status():
            roadmap, _ = full_roadmap()
            export = RoadmapExport.objects.filter(cohort=roadmap.cohort).first()
            if export is None:
                export = RoadmapExport.objects.create(
                    cohort=roadmap.cohort,
                    requested_by=_lead(roadmap),
                    status=ExportStatus.RUNNING,
                    total=cohort_roadmaps(roadmap),
                    done=7,
                    progressed_at=timezone.now(),
                )
            # Still building: the fragment the overview polls every two seconds.
            RoadmapExport.objects.filter(pk=export.pk).update(
                status=ExportStatus.RUNNING, done=7, progressed_at=timezone.now()
            )
            url = reverse("roadmap_export_status", args=[export.pk])
            return page(signed_in_client(_lead(roadmap)), url)

    if _url("roadmap_edit", 1):

        @benchmark("roadmap edit page: officer, GET /roadmaps/<id>/")
        def edit_page():
            roadmap, officer = full_roadmap()
            return page(signed_in_client(officer), reverse("roadmap_edit", args=[roadmap.pk]))

        @benchmark("roadmap edit page: lead facilitator, GET /roadmaps/<id>/")
        def edit_page_facilitator():
            roadmap, _ = full_roadmap()
            url = reverse("roadmap_edit", args=[roadmap.pk])
            return page(signed_in_client(_lead(roadmap)), url)

        @benchmark("roadmap history: officer, GET /roadmaps/<id>/history/")
        def history_page():
            roadmap, officer = full_roadmap()
            _history(roadmap, officer)
            url = reverse("roadmap_history", args=[roadmap.pk])
            return page(signed_in_client(officer), url)

    @benchmark("API: GET /api/v1/roadmaps/ (lead facilitator)")
    def api_roadmaps():
        roadmap, _ = full_roadmap()
        cohort_roadmaps(roadmap)
        return page(signed_in_client(_lead(roadmap)), "/api/v1/roadmaps/")

    @benchmark("API: GET /api/v1/roadmaps/<id>/ (officer: fields and comments)")
    def api_roadmap():
        roadmap, officer = full_roadmap()
        return page(signed_in_client(officer), f"/api/v1/roadmaps/{roadmap.pk}/")

    @benchmark("API: GET /api/v1/roadmaps/<id>/history/ (officer)")
    def api_history():
        roadmap, officer = full_roadmap()
        _history(roadmap, officer)
        return page(signed_in_client(officer), f"/api/v1/roadmaps/{roadmap.pk}/history/")

    @benchmark("API: GET /api/v1/roadmaps/<id>/comments/ (officer)")
    def api_comments():
        roadmap, officer = full_roadmap()
        _comments(roadmap)
        return page(signed_in_client(officer), f"/api/v1/roadmaps/{roadmap.pk}/comments/")


def _lead(roadmap: Roadmap):
    facilitator = roadmap.cohort.facilitators.order_by("pk").first()
    if facilitator is None:
        raise RuntimeError(f"{roadmap.cohort} has no lead facilitator.")
    return facilitator


def _history(roadmap: Roadmap, officer) -> None:
    """At least 120 saved changes (more than two pages), as after a few weeks of work."""
    missing = 120 - RoadmapChange.objects.filter(roadmap=roadmap).count()
    if missing > 0:
        now = timezone.now()
        RoadmapChange.objects.bulk_create(
            RoadmapChange(
                roadmap=roadmap,
                key=FIELDS[n % len(FIELDS)].key,
                old_value=REASONING if n % 3 else "",
                new_value=PARAGRAPH,
                version=1000 + n,
                changed_by=officer,
                changed_at=now,
            )
            for n in range(missing)
        )


def _comments(roadmap: Roadmap) -> None:
    """Two facilitator comments on each section, written once."""
    if not RoadmapComment.objects.filter(roadmap=roadmap).exists():
        lead = _lead(roadmap)
        RoadmapComment.objects.bulk_create(
            RoadmapComment(roadmap=roadmap, section=section.key, body=REASONING, author=lead)
            for section in SECTIONS
            for _ in range(2)
        )


_register_page_benchmarks()
