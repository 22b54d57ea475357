"""Form widgets shared by the apps.

`SearchSelect` and `SearchSelectMultiple` replace a <select> whose choices run into the thousands
(10,000 cities, 1,000 facilitators at EU scale): no one can use such a list, and building it
cost most of the page's time and size. They render only the options currently chosen, so their
cost does not depend on how many rows the field's queryset holds, plus a search box that asks a
JSON endpoint (the ES modules in static/js/search-select/) for matching rows to choose from.

Validation stays the field's job: a ModelChoiceField with the full queryset checks the posted
values in one query, whatever the widget showed.
"""

from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import ModelChoiceIterator
from django.http import JsonResponse
from django.template import loader
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

# Shared by the widgets, static/js/search-select/ (through data attributes) and the search
# endpoints, so the three agree.
MIN_QUERY_LENGTH = 2
SEARCH_LIMIT = 20
# Longer text matches no name; cutting it keeps a pasted page from becoming a huge LIKE pattern.
MAX_QUERY_LENGTH = 100


def search_query(request) -> str | None:
    """The text a search endpoint was asked for, or None when it is too short to search."""
    query = request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH]
    return query if len(query) >= MIN_QUERY_LENGTH else None


def search_response(rows, *, label=str) -> JsonResponse:
    """The JSON a search-select reads, from a query set of matches in the order to show.

    Reads one row more than it lists, to tell whether there are more matches than shown.
    """
    found = list(rows[: SEARCH_LIMIT + 1])
    return JsonResponse(
        {
            "results": [{"id": row.pk, "label": label(row)} for row in found[:SEARCH_LIMIT]],
            "more": len(found) > SEARCH_LIMIT,
        }
    )


@dataclass(frozen=True)
class SearchSource:
    """What a search-select searches: the endpoint's URL name and the words shown around it.

    The "found" texts are complete sentences because word order differs between languages;
    `many_found` holds `%(count)s` (always 2 or more: English and French agree on the plural
    from 2 on).
    """

    url_name: str
    search_label: Promise | str
    help_text: Promise | str
    none_found: Promise | str
    one_found: Promise | str
    many_found: Promise | str


CITIES = SearchSource(
    url_name="city_search",
    search_label=_("Search for a city"),
    help_text=_("Type at least two letters of the city's name, then choose it from the list."),
    none_found=_("No city found."),
    one_found=_("1 city found."),
    many_found=_("%(count)s cities found."),
)

FACILITATORS = SearchSource(
    url_name="facilitator_search",
    search_label=_("Search for a facilitator"),
    help_text=_(
        "Type at least two letters of the name, email address or organisation, then choose "
        "from the list."
    ),
    none_found=_("No facilitator found."),
    one_found=_("1 facilitator found."),
    many_found=_("%(count)s facilitators found."),
)


class SearchSelectMixin:
    template_name = "widgets/search_select.html"
    # The field's label becomes a <legend>: the widget holds several controls (the list of
    # chosen rows, the search box, the results), and a <label> can name only one of them.
    use_fieldset = True

    class Media:
        css = {"all": ["css/search-select.css"]}
        # A module (deferred by nature) that imports the others by their hashed names in
        # production (portal.staticfiles).
        js = [forms.Script("js/search-select/main.js", type="module")]

    def __init__(self, attrs=None, *, source: SearchSource, search_query: str = ""):
        """`search_query` (a query string the endpoint understands) is added to its URL."""
        super().__init__(attrs)
        self.source = source
        self.search_query = search_query

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget_id = context["widget"]["attrs"].get("id") or f"id_{name}"
        url = reverse(self.source.url_name)
        if self.search_query:
            url = f"{url}?{self.search_query}"
        help_id = f"{widget_id}_search_help"
        invalid = context["widget"]["attrs"].get("aria-invalid") == "true"
        context["search"] = {
            "id": f"{widget_id}_search",
            "help_id": help_id,
            # The search box is where a person types, so it also points at the field's errors
            # (Django's error list has the id "<field id>_error").
            "describedby": f"{help_id} {widget_id}_error" if invalid else help_id,
            "invalid": invalid,
            "results_id": f"{widget_id}_results",
            "status_id": f"{widget_id}_status",
            "chosen_id": f"{widget_id}_chosen",
            "url": url,
            "source": self.source,
            "min_length": MIN_QUERY_LENGTH,
            "limit": SEARCH_LIMIT,
        }
        return context

    def _render(self, template_name, context, renderer=None):
        # The project's template engine, not the form renderer's: without FORM_RENDERER in the
        # settings, the renderer looks only in Django's and the apps' template folders, and this
        # template lives in the project's templates/widgets/.
        return mark_safe(loader.render_to_string(template_name, context))

    def optgroups(self, name, value, attrs=None):
        """Only the chosen options (and the empty one of a single select), never all choices."""
        chosen = self._chosen_choices([str(v) for v in value if v not in ("", None)])
        options = [(v, label, True) for v, label in chosen]
        empty = self._empty_choice()
        if empty is not None:
            options.insert(0, (empty[0], empty[1], not chosen))
        return [
            (None, [self.create_option(name, v, label, selected, index, attrs=attrs)], index)
            for index, (v, label, selected) in enumerate(options)
        ]

    def _empty_choice(self):
        if self.allow_multiple_selected:
            return None
        if isinstance(self.choices, ModelChoiceIterator):
            label = self.choices.field.empty_label
            return ("", label) if label is not None else None
        return next(((v, label) for v, label in self.choices if v in ("", None)), None)

    def _chosen_choices(self, chosen: list[str]) -> list[tuple]:
        if not chosen:
            return []
        if isinstance(self.choices, ModelChoiceIterator):
            # One query for the chosen rows only. Values that are not valid keys (a tampered
            # POST) find nothing here; the field's own validation reports them.
            field = self.choices.field
            key = field.to_field_name or "pk"
            try:
                rows = list(field.queryset.filter(**{f"{key}__in": chosen}))
            except (ValueError, TypeError, ValidationError):
                rows = []
            by_value = {str(field.prepare_value(row)): self.choices.choice(row) for row in rows}
        else:
            by_value = {str(v): (v, label) for v, label in self.choices if str(v) in chosen}
        # In the order they were chosen, once each.
        return [by_value[v] for v in dict.fromkeys(chosen) if v in by_value]


class SearchSelect(SearchSelectMixin, forms.Select):
    """Choose one row by searching for it (see the module docstring)."""


class SearchSelectMultiple(SearchSelectMixin, forms.SelectMultiple):
    """Choose any number of rows by searching for each (see the module docstring)."""
