from django import forms
from django.utils.translation import gettext_lazy as _

from roadmaps.models import RoadmapComment, RoadmapTransition
from roadmaps.template import SECTIONS


class CommentForm(forms.Form):
    """A facilitator's comment on one section of a roadmap."""

    section = forms.ChoiceField(
        label=_("Section"), choices=[(section.key, section.title) for section in SECTIONS]
    )
    body = forms.CharField(
        label=_("Comment"),
        max_length=RoadmapComment._meta.get_field("body").max_length,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReviewForm(forms.Form):
    """The facilitator's decision on a submitted roadmap, with a note for the city."""

    decision = forms.ChoiceField(
        choices=[("accept", _("Accept")), ("return", _("Return to the city"))],
        widget=forms.HiddenInput,
    )
    note = forms.CharField(
        label=_("Note for the city"),
        required=False,
        max_length=RoadmapTransition._meta.get_field("note").max_length,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
