"""The forms of reviewing (visits/views_reviewing.py). The points are read as typed and checked
by the service against each criterion's scale (visits.reviewing), so a page and any other
caller get the same message."""

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.text import PARAGRAPH_MAX
from visits.enums import ApplicationStatus
from visits.models import Application, Review
from visits.widgets import SelectList


def points_from(data, criteria) -> dict[int, str]:
    """The points posted for each manual criterion, by criterion id ("" when not scored)."""
    return {
        criterion.pk: (data.get(f"criterion-{criterion.pk}") or "").strip()
        for criterion in criteria
    }


class RecuseForm(forms.Form):
    reason = forms.CharField(
        label=_("Why you recuse yourself"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=PARAGRAPH_MAX,
        error_messages={"required": _("Say why you recuse yourself: the reason is recorded.")},
    )


class AssignForm(forms.Form):
    """An admin assigns reviewers to one application of the call."""

    application = forms.ModelChoiceField(
        queryset=Application.objects.none(), label=_("Application")
    )
    reviewers = forms.ModelMultipleChoiceField(
        queryset=None, label=_("Reviewers"), widget=SelectList
    )

    def __init__(self, *args, call, reviewers, **kwargs):
        super().__init__(*args, **kwargs)
        # Named by city, read with the city and country in the one query of the choices.
        self.fields["application"].queryset = (
            Application.objects.filter(call=call, status=ApplicationStatus.SUBMITTED)
            .select_related("city__country")
            .order_by("city__name", "pk")
        )
        self.fields["application"].label_from_instance = lambda a: (
            f"{a.city.name} ({a.city.country.name})"
        )
        self.fields["reviewers"].queryset = reviewers

    def offer(self, applications) -> None:
        """List only `applications` (the page of the table below) in the application's menu:
        a call of 20,000 applicants made a menu of 20,000 options. Any submitted application
        of the call is still accepted when posted. The reviewers' menu is read from the
        field's queryset when it is drawn (one query)."""
        field = self.fields["application"]
        field.choices = [
            ("", field.empty_label),
            *((a.pk, field.label_from_instance(a)) for a in applications),
        ]
        field.help_text = _("The applications of the page shown below.")


class UnassignForm(forms.Form):
    review = forms.ModelChoiceField(queryset=Review.objects.none())

    def __init__(self, *args, call, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["review"].queryset = Review.objects.filter(application__call=call)
