"""How roadmaps reacts to what happens in the lower apps (connected in RoadmapsConfig.ready).

cohorts never imports roadmaps (ARCHITECTURE.md): it announces an enrolment, and the roadmap
is opened here, in the same transaction.
"""

from django.db import transaction
from django.db.models import Count, Max, Sum
from django.db.models.signals import post_delete
from django.dispatch import receiver

from cohorts import signals as cohort_signals
from roadmaps import selectors, services
from roadmaps.models import Roadmap
from roadmaps.pdf_files import roadmap_pdf_files_delete


@receiver(cohort_signals.enrolment_accepted, dispatch_uid="roadmaps.open_roadmap_on_enrolment")
def open_roadmap_on_enrolment(sender, enrolment, **kwargs):
    # Every enrolled city has its Reflection Roadmap from the moment it is enrolled.
    services.roadmap_open(cohort=enrolment.cohort, city=enrolment.city)


@receiver(
    cohort_signals.enrolled_cities_listed, dispatch_uid="roadmaps.roadmap_status_per_enrolment"
)
def roadmap_status_per_enrolment(sender, cohort, enrolments, **kwargs):
    # The cohort page's "Roadmap / survey" column, from one query over the cohort's roadmaps.
    roadmaps = {roadmap.city_id: roadmap for roadmap in selectors.roadmaps_of_cohort(cohort=cohort)}
    for enrolment in enrolments:
        enrolment.roadmap = roadmaps.get(enrolment.city_id)
        enrolment.roadmap_label = (
            selectors.roadmap_status_label(enrolment.roadmap) if enrolment.roadmap else None
        )


@receiver(post_delete, sender=Roadmap, dispatch_uid="roadmaps.delete_stored_pdfs")
def delete_stored_pdfs(sender, instance, **kwargs):
    # Once the deletion is committed: a rolled-back deletion keeps its roadmap and its files.
    roadmap_id = instance.pk
    transaction.on_commit(lambda: roadmap_pdf_files_delete(roadmap_id=roadmap_id), robust=True)
    transaction.on_commit(lambda: selectors.forget_roadmap_owner(roadmap_id), robust=True)


@receiver(cohort_signals.cohort_page_state, dispatch_uid="roadmaps.cohort_page_roadmaps_state")
def cohort_page_roadmaps_state(sender, cohort, **kwargs):
    # The cohort page's "Roadmap / survey" column shows each roadmap's share complete, which
    # every autosave may change: its cached part is keyed by the roadmaps' number and last
    # change (each write of a field saves `updated_at`), so an autosave raises no version.
    state = Roadmap.objects.filter(cohort=cohort).aggregate(
        count=Count("pk"), last=Max("updated_at"), percent=Sum("percent_complete")
    )
    return f"roadmaps:{state['count']}:{state['last']}:{state['percent']}"
