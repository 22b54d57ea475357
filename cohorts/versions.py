"""The data versions that key the cached parts of the cohort pages (portal/fragments.py).

Scopes:
- `cohort:<id>`: everything a cohort's own pages show of it: the cohort, its phases, its
  thematic groups and their facilitators, its lead facilitators, its enrolments and the groups
  each city joined; the apps above add their rows of the cohort (home/page_versions.py:
  sessions, registrations, roadmaps).
- `cohorts`: the same for every cohort at once, for the lists (the cohort list, the home pages,
  the API lists), raised with each `cohort:<id>`.
- `CITIES`: cities (their names), their countries, and who is an officer of which city: the
  cities app's own `cities:directory` (cities/scopes.py), raised by the cities app.
- `taxonomy:sectors`: the thematic sectors' names (a group is shown by its sector).
- `accounts:names`: people's names and email addresses (a facilitator, who asked, who decided),
  and whether they are active facilitators (the facilitators a form may show as chosen).

Each scope is raised in the transaction that changes its rows, by a post_save/post_delete or
m2m_changed receiver connected in `connect()` (CohortsConfig.ready), so the services, the Django
admin and the shell are all covered; a service that writes with `bulk_create` or
`QuerySet.update` calls `bump` itself.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save

from accounts.models import User
from cities import scopes as city_scopes
from cohorts.models import Cohort, Enrolment, EnrolmentGroup, Phase, ThematicGroup
from portal.fragments import bump, bump_on_change
from taxonomy.models import ThematicSector

COHORTS = "cohorts"
CITIES = city_scopes.DIRECTORY
SECTORS = "taxonomy:sectors"
PEOPLE_NAMES = "accounts:names"
# A person's save that changes none of these leaves what the pages show of them as it was
# (signing in saves `last_login` only).
NAME_FIELDS = frozenset({"full_name", "email", "is_active", "is_facilitator"})


def cohort_scope(cohort_id) -> str:
    return f"cohort:{cohort_id}"


def cohort_scopes(*cohort_ids) -> list[str]:
    """The scopes a change to the given cohorts' data raises: each cohort's, and the lists'."""
    return [COHORTS, *(cohort_scope(cohort_id) for cohort_id in cohort_ids if cohort_id)]


def _enrolment_group_scopes(joined: EnrolmentGroup) -> list[str]:
    enrolment = joined._state.fields_cache.get("enrolment")
    if enrolment is not None:
        return cohort_scopes(enrolment.cohort_id)
    cohort_ids = Enrolment.objects.filter(pk=joined.enrolment_id).values_list("cohort", flat=True)
    return cohort_scopes(*cohort_ids)


def _on_lead_facilitators_changed(sender, instance, action, reverse, pk_set, **kwargs):
    # Forward: `cohort.facilitators.add(...)`; reverse: `user.facilitated_cohorts.add(...)`.
    if action == "pre_clear" and reverse:
        instance._cleared_cohort_ids = list(
            instance.facilitated_cohorts.values_list("pk", flat=True)
        )
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse:
        bump(*cohort_scopes(instance.pk))
    elif action == "post_clear":
        bump(*cohort_scopes(*getattr(instance, "_cleared_cohort_ids", [])))
    else:
        bump(*cohort_scopes(*pk_set))


def _on_group_facilitators_changed(sender, instance, action, reverse, pk_set, **kwargs):
    # Forward: `group.facilitators.set(...)`; reverse: `user.facilitated_groups.add(...)`.
    if action == "pre_clear" and reverse:
        instance._cleared_group_cohort_ids = list(
            instance.facilitated_groups.values_list("cohort", flat=True)
        )
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse:
        bump(*cohort_scopes(instance.cohort_id))
    elif action == "post_clear":
        bump(*cohort_scopes(*getattr(instance, "_cleared_group_cohort_ids", [])))
    else:
        groups = ThematicGroup.objects.filter(pk__in=pk_set)
        bump(*cohort_scopes(*groups.values_list("cohort", flat=True)))


def _on_person_saved(sender, instance, created=False, update_fields=None, raw=False, **kwargs):
    # A new person is on no page yet: they appear through a row that names them (a
    # facilitator added, a request made), whose own change raises its cohort's version.
    if raw or created:
        return
    if update_fields is None or NAME_FIELDS & set(update_fields):
        bump(PEOPLE_NAMES)


def _on_person_deleted(sender, instance, **kwargs):
    bump(PEOPLE_NAMES)


def connect() -> None:
    """Connect the receivers that raise the scopes above (from CohortsConfig.ready)."""
    bump_on_change(Cohort, lambda cohort: cohort_scopes(cohort.pk))
    bump_on_change(Phase, lambda phase: cohort_scopes(phase.cohort_id))
    bump_on_change(ThematicGroup, lambda group: cohort_scopes(group.cohort_id))
    bump_on_change(Enrolment, lambda enrolment: cohort_scopes(enrolment.cohort_id))
    bump_on_change(EnrolmentGroup, _enrolment_group_scopes)
    m2m_changed.connect(
        _on_lead_facilitators_changed,
        sender=Cohort.facilitators.through,
        dispatch_uid="cohorts.versions.lead_facilitators",
    )
    m2m_changed.connect(
        _on_group_facilitators_changed,
        sender=ThematicGroup.facilitators.through,
        dispatch_uid="cohorts.versions.group_facilitators",
    )
    # CITIES is raised by the cities app (cities/scopes.py).
    bump_on_change(ThematicSector, lambda sector: [SECTORS])
    post_save.connect(_on_person_saved, sender=User, dispatch_uid="cohorts.versions.people_saved")
    post_delete.connect(
        _on_person_deleted, sender=User, dispatch_uid="cohorts.versions.people_deleted"
    )
