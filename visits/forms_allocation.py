"""Forms of the allocation part of Group Study Visits (visits/views_allocation.py)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.errors import ApplicationError
from visits.action_plans import action_plan_file_check
from visits.enums import Decision
from visits.models import APPLICATION_TEXT_MAX

WAITLIST = "waitlist"
NOT_SELECTED = "not_selected"


class PlaceForm(forms.Form):
    """Where an admin moves one application: a visit of the call, the waitlist, or not
    selected (visits.allocation.application_place)."""

    place = forms.ChoiceField(label=_("Move to"))

    def __init__(self, *args, visits, **kwargs):
        super().__init__(*args, **kwargs)
        self.visits = {str(visit.pk): visit for visit in visits}
        self.fields["place"].choices = [
            *((f"visit-{pk}", str(visit)) for pk, visit in self.visits.items()),
            (WAITLIST, _("The waitlist")),
            (NOT_SELECTED, _("Not selected")),
        ]

    def placement(self) -> tuple[str, object]:
        """The service's `decision` and `visit` for the chosen place."""
        place = self.cleaned_data["place"]
        if place == WAITLIST:
            return Decision.WAITLISTED, None
        if place == NOT_SELECTED:
            return Decision.NOT_SELECTED, None
        return Decision.SELECTED, self.visits[place.removeprefix("visit-")]


class ActionPlanForm(forms.Form):
    action_plan = forms.CharField(
        label=_("Action plan"),
        required=False,
        max_length=APPLICATION_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_("What your city will do with what it saw on the visit: actions, who, when."),
    )
    action_plan_file = forms.FileField(
        label=_("Or upload it"),
        required=False,
        help_text=_("A PDF, Word (.docx), OpenDocument (.odt) or .txt file of at most 10 MB."),
    )
    remove_file = forms.BooleanField(label=_("Remove the uploaded file"), required=False)

    def clean_action_plan_file(self):
        upload = self.cleaned_data.get("action_plan_file")
        if upload:
            try:
                action_plan_file_check(upload)
            except ApplicationError as error:
                raise forms.ValidationError(error.message) from error
        return upload
