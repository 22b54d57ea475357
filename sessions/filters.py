"""Filters of sessions, shared by the sessions page and the API so both filter the same way."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from cities.filters import _QueriedChoices
from cohorts.models import Cohort, ThematicGroup
from portal.api.filters import IdFilter, MomentFilter
from sessions.enums import SessionKind, SessionStatus
from sessions.models import Session, SessionPresentation


class SessionFilter(django_filters.FilterSet):
    """Give it the sessions the person sees (`sessions_visible_to`) as its queryset: the page
    offers the cohorts and thematic groups of those sessions, read when the form is drawn. The
    API validates the ids and never draws the lists, so it reads no choices. An id of a cohort
    or group the person does not see is valid and lists nothing, as in the API."""

    cohort = IdFilter(
        field_name="cohort_id",
        label=_("Cohort"),
        widget=forms.Select(choices=_QueriedChoices(_("Any cohort"), list)),
    )
    kind = django_filters.ChoiceFilter(
        choices=SessionKind.choices, label=_("Kind"), empty_label=_("Any kind")
    )
    status = django_filters.ChoiceFilter(
        choices=SessionStatus.choices, label=_("Status"), empty_label=_("Any status")
    )
    thematic_group = IdFilter(
        field_name="thematic_group_id",
        label=_("Thematic group"),
        widget=forms.Select(choices=_QueriedChoices(_("Any thematic group"), list)),
    )
    starts_after = MomentFilter(field_name="starts_at", lookup_expr="gte")
    starts_before = MomentFilter(field_name="starts_at", lookup_expr="lt")

    class Meta:
        model = Session
        fields = ["cohort", "kind", "status", "thematic_group", "starts_after", "starts_before"]

    @property
    def form(self):
        form = super().form
        if not getattr(form, "_choices_set", False):
            # The cohorts of the sessions the person sees, and their thematic groups: the
            # queryset handed in is already `sessions_visible_to` them.
            cohort_ids = self.queryset.order_by().values("cohort_id")
            form.fields["cohort"].widget.choices = _QueriedChoices(
                _("Any cohort"),
                lambda: Cohort.objects.filter(pk__in=cohort_ids).values_list("pk", "name"),
            )
            form.fields["thematic_group"].widget.choices = _QueriedChoices(
                _("Any thematic group"),
                lambda: [
                    (group.pk, f"{group.cohort.name} · {group.sector.name}")
                    for group in ThematicGroup.objects.filter(cohort__in=cohort_ids)
                    .select_related("cohort", "sector")
                    .order_by("cohort__name", "sector__name")
                ],
            )
            form._choices_set = True
        return form


class PresentationFilter(django_filters.FilterSet):
    """The API's filters of session presentations (`presentations_visible_to`): by session,
    presenting city, cohort, climate action presented and the session's start."""

    session = IdFilter(field_name="session_id", label=_("Session (id)"))
    city = IdFilter(field_name="city_id", label=_("Presenting city (id)"))
    cohort = IdFilter(field_name="session__cohort_id", label=_("Cohort (id)"))
    # An action is presented at most once in a presentation: the join repeats no row.
    climate_action = IdFilter(field_name="climate_actions", label=_("Climate action (id)"))
    starts_after = MomentFilter(field_name="session__starts_at", lookup_expr="gte")
    starts_before = MomentFilter(field_name="session__starts_at", lookup_expr="lt")

    class Meta:
        model = SessionPresentation
        fields = ["session", "city", "cohort", "climate_action", "starts_after", "starts_before"]
