"""The Reflection Roadmap pages: edit (with autosave), history, submit and review.

The edit page is an ordinary form that works without JavaScript; static/js/roadmap/ adds
autosave on top of it through the JSON endpoint `roadmap_autosave`, which answers exactly as
the API's field save (roadmaps.api builds both bodies). Both go through the same service,
`roadmap_field_save` (the form through `roadmap_fields_save`), so the version check and the
validation are the same.

Who may do what is asked of roadmaps.rules by the services these views call: a view fetches the
roadmap among those the person may see (404 otherwise) and lets the service's PermissionRefused
answer 403. It reads the rules itself (`user.has_perm`) only to choose what the page offers.

Decision on the representative prefill: when a representative field has never been saved, the
edit page puts the signed-in officer's own details in it as a suggestion (marked
`data-suggested`). A suggestion is not stored until the officer touches the field (types, or
focuses and leaves it) or presses "Save" on the form: a roadmap never names someone as its
representative just because they opened the page, and two officers opening it do not race to
write their own names.
"""

import difflib
import functools
import re
from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import RequestDataTooBig
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from cities.models import ClimateAction
from portal.api.errors import error_body
from portal.api.parsers import BadJSONBody, parse_json_body, too_large_error
from portal.dates import clock_time, long_date
from portal.errors import ApplicationError
from portal.permissions import PermissionRefused, permission_check
from roadmaps import selectors, services, template
from roadmaps.api import conflict_body, person_name, saved_body
from roadmaps.enums import OPEN_STATUSES, Desirability, RoadmapStatus
from roadmaps.forms import CommentForm, ReviewForm
from roadmaps.fragments import content_key
from roadmaps.models import NetZeroCitiesService, Roadmap
from roadmaps.scopes import roadmap_versions
from roadmaps.signals import study_visit_links
from sessions.selectors import cohort_pages_of

# The ends of the score scale say what they mean; the scores come from services.SCORES.
SCORE_LABELS = {1: gettext_lazy("1 (weak)"), 5: gettext_lazy("5 (strong)")}
HISTORY_PAGE_SIZE = 50


def _roadmap_or_404(request, pk, perm: str | None = None) -> Roadmap:
    """The roadmap if this person may see it, otherwise 404 whatever the reason; 403 when
    `perm` is given and they do not hold it."""
    roadmap = selectors.roadmap_for_user(user=request.user, pk=pk)
    if roadmap is None:
        raise Http404
    if perm is not None:
        permission_check(request.user, perm, roadmap)
    return roadmap


def _cohort_linked(user, roadmap: Roadmap) -> bool:
    """Whether the roadmap's cohort name links to the cohort's page: only for those who may open
    it (an officer whose city's enrolment is no longer accepted still reads the roadmap). From
    the person's kept facts, which the roadmap's rules have read already: no query."""
    return roadmap.cohort_id in cohort_pages_of(user)


def _json_error(status: int, code: str, message: str, fields=None, **extra) -> JsonResponse:
    body = error_body(status_code=status, code=code, message=message, fields=fields)
    body.update(extra)
    return JsonResponse(body, status=status)


def _time_display(moment) -> str:
    return clock_time(timezone.localtime(moment))


def _read_only_message(roadmap: Roadmap) -> str:
    """Why the page offers no form: what the services would refuse a save with."""
    if roadmap.status not in OPEN_STATUSES:
        return services.RoadmapReadOnly(status=roadmap.status).message
    return str(services.CANNOT_CHANGE)


def _forbidden(error: services.RoadmapReadOnly) -> PermissionRefused:
    """A page offers a submitted roadmap's form to nobody: a post to it (a page left open while
    the roadmap was submitted) is refused as one without the permission is, with 403."""
    return PermissionRefused(error.message)


# --- The edit page -----------------------------------------------------------------------------


@dataclass
class PageField:
    spec: template.FieldSpec
    value: str
    version: int
    suggested: bool = False
    errors: list[str] = field(default_factory=list)
    # For choice kinds: (value, label) pairs; for services, the chosen ids as strings.
    choices: list = field(default_factory=list)
    chosen: list[str] = field(default_factory=list)
    display: str = ""
    # For services: the description and link of each offered service by id (as a string).
    descriptions: dict = field(default_factory=dict)

    @property
    def key(self) -> str:
        return self.spec.key

    @property
    def service_rows(self) -> list[tuple[str, str, str, str]]:
        """For services: (id, name, description, link) of each service offered."""
        return [
            (value, label, *self.descriptions.get(value, ("", ""))) for value, label in self.choices
        ]

    @property
    def words(self) -> int:
        return template.word_count(self.value)

    @property
    def over_limit(self) -> bool:
        return self.spec.word_limit is not None and self.words > self.spec.word_limit

    @property
    def shown(self) -> tuple:
        """What the field's markup shows besides the template's own words (a cache key)."""
        return (
            self.spec.key,
            self.value,
            self.version,
            self.suggested,
            tuple(str(error) for error in self.errors),
            tuple((str(value), str(label)) for value, label in self.choices),
            tuple(self.chosen),
            tuple(sorted(self.descriptions.items())),
        )


@dataclass
class PageSection:
    key: str
    title: str
    opens_on: object  # a date, or None when the section is open
    fields: list[PageField]
    comments: list
    guidance: str = ""
    # Phase 2.2 after a Low desirability: why it is not required (roadmaps.template).
    not_asked: str = ""

    @property
    def shown(self) -> tuple:
        """What the section's markup shows besides the template's own words (a cache key)."""
        return (
            self.key,
            self.opens_on,
            self.not_asked,
            tuple(
                (c.pk, c.body, c.author.get_full_name() if c.author else None, c.created_at)
                for c in self.comments
            ),
            tuple(field.shown for field in self.fields),
        )

    @property
    def locked_message(self) -> str:
        """ "Phase 2.1 opens on 1 November 2024." (the services refuse a save with the same)."""
        if self.opens_on is None:
            return ""
        return _("%(section)s opens on %(date)s.") % {
            "section": services.SECTION_SHORT_NAMES[self.key],
            "date": long_date(self.opens_on),
        }


def _representative_suggestions(user) -> dict[str, str]:
    first, _space, last = (user.full_name or "").strip().partition(" ")
    return {
        "representative.first_name": first,
        "representative.last_name": last.strip(),
        "representative.role": user.job_title,
        "representative.email": user.email,
    }


def _page_sections(*, roadmap, user, editable: bool, posted=None, errors=None) -> list:
    """Every section of the template with its fields' values, versions and choices.

    `posted` (the no-JS form's values) replaces the stored text so that a refused save keeps
    what the person typed; `errors` maps a field key to its messages.
    """
    values = selectors.roadmap_values(roadmap=roadmap)
    opens_on = selectors.section_opens_on(roadmap=roadmap)
    actions = list(selectors.climate_actions_for_roadmap(roadmap=roadmap).select_related("city"))
    action_choices = [(str(action.pk), f"{action.city.name}: {action.title}") for action in actions]
    services_offered = list(NetZeroCitiesService.objects.filter(is_active=True))
    service_choices = [(str(service.pk), service.name) for service in services_offered]
    service_descriptions = {
        str(service.pk): (service.description, service.url) for service in services_offered
    }
    comments: dict[str, list] = {}
    for comment in roadmap.comments.select_related("author").order_by("created_at", "pk"):
        comments.setdefault(comment.section, []).append(comment)
    suggestions = _representative_suggestions(user) if editable else {}
    posted = posted or {}
    errors = errors or {}

    sections = []
    for section in template.SECTIONS:
        fields = []
        for spec in template.fields_of_section(section.key):
            stored = values.get(spec.key)
            value = stored.value if stored else ""
            version = stored.version if stored else 0
            page_field = PageField(spec=spec, value=value, version=version)
            if spec.key in posted:
                page_field.value, page_field.version = posted[spec.key]
            elif not value and suggestions.get(spec.key):
                page_field.value = suggestions[spec.key]
                page_field.suggested = True
            page_field.errors = errors.get(spec.key, [])
            _add_choices(page_field, action_choices, service_choices)
            if spec.kind == template.SERVICES:
                page_field.descriptions = service_descriptions
            fields.append(page_field)
        sections.append(
            PageSection(
                key=section.key,
                title=section.title,
                opens_on=opens_on.get(section.key),
                fields=fields,
                comments=comments.get(section.key, []),
                guidance=section.guidance,
                not_asked=_not_asked(section.key, values, posted),
            )
        )
    return sections


def _not_asked(section_key: str, values: dict, posted: dict) -> str:
    """Why Phase 2.2 is not required, after a Low desirability (as saved, or as posted)."""
    if section_key != "phase2_2":
        return ""
    texts = {key: row.value for key, row in values.items()}
    if template.DESIRABILITY_KEY in posted:
        texts[template.DESIRABILITY_KEY] = posted[template.DESIRABILITY_KEY][0]
    return "" if template.feasibility_asked(texts) else str(template.FEASIBILITY_NOT_ASKED)


def _add_choices(page_field: PageField, action_choices, service_choices) -> None:
    kind = page_field.spec.kind
    if kind == template.CLIMATE_ACTION:
        page_field.choices = action_choices
    elif kind == template.DESIRABILITY:
        page_field.choices = list(Desirability.choices)
    elif kind == template.SCORE:
        page_field.choices = [
            (str(score), SCORE_LABELS.get(score, str(score))) for score in services.SCORES
        ]
    elif kind == template.SERVICES:
        page_field.choices = service_choices
        page_field.chosen = [item for item in page_field.value.split(",") if item]
    labels = dict(page_field.choices)
    if kind == template.SERVICES:
        page_field.display = ", ".join(labels.get(item, item) for item in page_field.chosen)
    elif page_field.choices:
        page_field.display = labels.get(page_field.value, page_field.value)
    else:
        page_field.display = page_field.value


def _posted_values(request) -> dict[str, tuple[str, int]]:
    """The no-JS form's values: key -> (value, base version). Unknown keys are ignored."""
    posted = {}
    for spec in template.FIELDS:
        version_text = request.POST.get(f"version.{spec.key}")
        if version_text is None:
            continue  # the field was not on the form (a locked section)
        try:
            version = int(version_text)
        except ValueError:
            continue
        if spec.kind == template.SERVICES:
            value = ",".join(request.POST.getlist(spec.key))
        else:
            value = request.POST.get(spec.key, "")
        posted[spec.key] = (value, version)
    return posted


def _conflict_message(conflict: services.RoadmapConflict) -> str:
    theirs = conflict.theirs
    return _(
        "%(name)s saved this field at %(time)s while you were editing. Their text: "
        "“%(theirs)s”. Your text is kept below: save again to replace theirs."
    ) % {
        "name": person_name(theirs.updated_by) or _("someone"),
        "time": _time_display(theirs.updated_at) if theirs.pk else "",
        "theirs": theirs.value,
    }


def _save_posted(request, roadmap, posted) -> dict[str, list[str]]:
    """Save the form; return the messages of the refused fields.

    A conflict rebases the field on their version in `posted`, so that saving the re-shown form
    again means "keep mine".
    """
    errors = services.roadmap_fields_save(roadmap=roadmap, values=posted, acting_user=request.user)
    messages_by_key = {}
    for key, error in errors.items():
        if isinstance(error, services.RoadmapConflict):
            messages_by_key[key] = [_conflict_message(error)]
            posted[key] = (posted[key][0], error.theirs.version)
        else:
            messages_by_key[key] = [error.message]
    return messages_by_key


@login_required
@require_http_methods(["GET", "POST"])
def roadmap_edit(request, pk):
    roadmap = _roadmap_or_404(request, pk)
    user = request.user
    editable = user.has_perm(services.CHANGE, roadmap)
    posted = errors = None
    if request.method == "POST":
        posted = _posted_values(request)
        try:
            errors = _save_posted(request, roadmap, posted)
        except services.RoadmapReadOnly as error:
            raise _forbidden(error) from error
        if not errors:
            messages.success(request, _("Your roadmap is saved."))
            return redirect("roadmap_edit", pk=roadmap.pk)
        messages.error(request, _("Some fields were not saved: see the messages at the fields."))
    if request.method == "POST":
        roadmap.refresh_from_db()  # the status and the share complete as saved
    # Asked only where the page offers them (each costs the facilitator queries): comment
    # forms go with the values shown to those who may not edit, the review panel with a
    # submitted roadmap.
    can_comment = not editable and user.has_perm(services.COMMENT, roadmap)
    can_review = roadmap.status == RoadmapStatus.SUBMITTED and user.has_perm(
        services.REVIEW, roadmap
    )
    # Phase 4's links to the Group Study Visits open to the city (the apps above answer the
    # hook; one query for the city's officers): part of the sections' key, as they show them.
    visit_links = study_visit_links(roadmap=roadmap, user=user)
    if errors:
        # A refused save shows what was typed, with the messages: keyed by that content.
        sections = _page_sections(
            roadmap=roadmap, user=user, editable=editable, posted=posted, errors=errors
        )
        sections_key = content_key(
            roadmap.pk,
            editable,
            can_comment,
            [section.shown for section in sections],
            visit_links,
        )
    else:
        # Read by the template only on a miss: a hit skips the sections' queries too. The
        # key names the data versions of all they show (roadmaps.scopes: the roadmap's
        # fields and comments, the cohort's phases and presented climate actions, the
        # services offered, the commenters' names), the day (a section opens on a date), the
        # time zone (the comments' times), whether this person gets the form or the values
        # and the comment forms, and the suggestions from their own account in the form.
        sections = functools.cache(
            lambda: _page_sections(roadmap=roadmap, user=user, editable=editable)
        )
        sections_key = (
            roadmap_versions(roadmap),
            timezone.get_current_timezone_name(),
            timezone.localdate(),
            editable,
            can_comment,
            sorted(_representative_suggestions(user).items()) if editable else None,
            visit_links,
        )
    return render(
        request,
        "roadmaps/roadmap_edit.html",
        {
            "roadmap": roadmap,
            "cohort_linked": _cohort_linked(request.user, roadmap),
            "section_links": template.SECTIONS,
            "sections": sections,
            "sections_key": sections_key,
            "visit_links": visit_links,
            "editable": editable,
            "can_comment": can_comment,
            "can_review": can_review,
            "comment_form": CommentForm(),
            "review_form": ReviewForm(),
            "read_only_message": "" if editable else _read_only_message(roadmap),
            # The facilitator's note while the roadmap is returned (one query, only then).
            "returned": selectors.roadmap_return_note(roadmap=roadmap),
            "challenge_spotlight": template.CHALLENGE_SPOTLIGHT,
            "feasibility_not_asked": template.FEASIBILITY_NOT_ASKED,
            "challenge_spotlight_guidance": template.CHALLENGE_SPOTLIGHT_GUIDANCE,
            "challenge_spotlight_starts_at": template.CHALLENGE_SPOTLIGHT_STARTS_AT,
        },
        status=400 if errors else 200,
    )


# --- Autosave (JSON) ---------------------------------------------------------------------------


@never_cache
@require_POST
def roadmap_autosave(request, pk):
    """Save one field. Answers JSON only: 401 (not a redirect) when the session has expired, 404
    for a roadmap the person may not see, 403 when the service refuses them or the roadmap is
    submitted (the page script then stops saving)."""
    if not request.user.is_authenticated:
        return _json_error(
            401,
            "not_authenticated",
            _("Your session has expired - sign in again; your text is kept in this browser."),
        )
    # What the body holds, or the answer to give once the roadmap is found (below).
    field = _autosave_field(request)
    if not isinstance(field, JsonResponse):
        # On PostgreSQL an ordinary save is written first in one statement, with what the cache
        # keeps (services.roadmap_field_save_presumed); when it writes nothing, what follows
        # runs and answers as it always did.
        written = services.roadmap_field_save_presumed(
            pk=pk, key=field[0], value=field[1], base_version=field[2], acting_user=request.user
        )
        if written is not None:
            roadmap, saved = written
            return JsonResponse(saved_body(value=saved, roadmap=roadmap))
    # Its id, city and cohort only: the service reads the rest under the row's lock.
    roadmap = selectors.roadmap_to_write(user=request.user, pk=pk)
    if roadmap is None:
        return _json_error(404, "not_found", _("There is no such roadmap."))
    if isinstance(field, JsonResponse):
        return field
    key, value, base_version = field
    try:
        saved = services.roadmap_field_save(
            roadmap=roadmap,
            key=key,
            value=value,
            base_version=base_version,
            acting_user=request.user,
        )
    except Roadmap.DoesNotExist:
        return _json_error(404, "not_found", _("There is no such roadmap."))
    except (PermissionRefused, services.RoadmapReadOnly) as refusal:
        return _json_error(403, "permission_denied", refusal.message)
    except services.RoadmapConflict as conflict:
        return JsonResponse(conflict_body(conflict), status=409)
    except ApplicationError as error:
        return _json_error(400, error.code, error.message, fields={key: [error.message]})
    # The same answers as the API's POST /api/v1/roadmaps/<id>/fields/.
    return JsonResponse(saved_body(value=saved, roadmap=roadmap))


def _autosave_field(request) -> tuple[str, str, int] | JsonResponse:
    """The autosave's key, value and base version from the request's JSON body, or the answer
    to a request that does not hold them (after the roadmap was found)."""
    if request.content_type != "application/json":
        # Checked before the body is read: a multipart body has been consumed by request.POST.
        return _json_error(415, "unsupported_media_type", _("Send the field as JSON."))
    try:
        payload = parse_json_body(request.body)
    except RequestDataTooBig:
        # Django's own limit, checked before the body is read: the same answer as the guard's.
        return _json_error(400, "too_large", too_large_error().message)
    except BadJSONBody as error:
        return _json_error(400, error.get_codes(), error.message)
    try:
        key, value, base_version = payload["key"], payload["value"], payload["base_version"]
    except (KeyError, TypeError):
        return _json_error(
            400, "invalid", _("The request is not a JSON object with key, value and base_version.")
        )
    if (
        not isinstance(key, str)
        or not isinstance(value, str)
        or not isinstance(base_version, int)
        or isinstance(base_version, bool)
    ):
        return _json_error(400, "invalid", _("key and value must be text, base_version a number."))
    return key, value, base_version


# --- History -----------------------------------------------------------------------------------


TOKENS = re.compile(r"\s+|\S+")


def diff_html(old: str, new: str) -> str:
    """The words removed (<del>) and added (<ins>) between two texts, every part escaped."""
    before, after = TOKENS.findall(old), TOKENS.findall(new)
    parts = []
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    for operation, i1, i2, j1, j2 in matcher.get_opcodes():
        removed, added = escape("".join(before[i1:i2])), escape("".join(after[j1:j2]))
        if operation == "equal":
            parts.append(removed)
            continue
        if removed:
            parts.append(f"<del>{removed}</del>")
        if added:
            parts.append(f"<ins>{added}</ins>")
    # Every piece of text was escaped above.
    return mark_safe("".join(parts))


def _version_or_none(text) -> int | None:
    """A version number from the query string; None for anything else (also a number too large
    for the database to compare)."""
    try:
        version = int(text)
    except (TypeError, ValueError):
        return None
    return version if 0 <= version < 2**31 else None


def _compare_choices(roadmap, key: str | None) -> dict:
    """What the "compare two versions" form offers: the fields saved at least once (in the
    template's order) and, for the chosen field, each of its versions, oldest first."""
    changed = set(
        selectors.roadmap_history(roadmap=roadmap)
        .order_by()
        .values_list("key", flat=True)
        .distinct()
    )
    fields = [spec for spec in template.FIELDS if spec.key in changed]
    if key not in changed:
        return {"fields": fields, "key": None, "versions": []}
    # Who saved each version and when; the texts are read only for the two versions compared.
    changes = selectors.roadmap_history(roadmap=roadmap, key=key).defer("old_value", "new_value")
    saved = sorted(changes, key=lambda change: change.version)
    versions = [
        {"version": 0, "changed_at": None, "by": None},
        *(
            {"version": c.version, "changed_at": c.changed_at, "by": person_name(c.changed_by)}
            for c in saved
        ),
    ]
    return {
        "fields": fields,
        "key": key,
        "label": template.FIELDS_BY_KEY[key].label,
        "versions": versions,
    }


def _history_labels(changes):
    """A function giving a stored value of a field as the page shows it: choices by their
    labels. Reads the climate actions and services named on the page (one query each, only
    when the page has changes of those fields)."""
    ids = {template.CLIMATE_ACTION: set(), template.SERVICES: set()}
    for change in changes:
        spec = template.FIELDS_BY_KEY.get(change.key)
        if spec is not None and spec.kind in ids:
            for text in (change.old_value, change.new_value):
                ids[spec.kind].update(int(part) for part in text.split(",") if part.isdigit())
    actions = (
        dict(
            ClimateAction.objects.filter(pk__in=ids[template.CLIMATE_ACTION]).values_list(
                "pk", "title"
            )
        )
        if ids[template.CLIMATE_ACTION]
        else {}
    )
    offered = (
        dict(
            NetZeroCitiesService.objects.filter(pk__in=ids[template.SERVICES]).values_list(
                "pk", "name"
            )
        )
        if ids[template.SERVICES]
        else {}
    )
    desirability = dict(Desirability.choices)

    def shown(spec, value: str) -> str:
        if spec is None or not value:
            return value
        if spec.kind == template.DESIRABILITY:
            return str(desirability.get(value, value))
        if spec.kind == template.CLIMATE_ACTION and value.isdigit():
            return actions.get(int(value), value)
        if spec.kind == template.SERVICES:
            parts = [part for part in value.split(",") if part]
            return ", ".join(
                offered.get(int(part), part) if part.isdigit() else part for part in parts
            )
        return value

    return shown


def _history_page(request, roadmap):
    """The page of changes asked for, each with its label and its "difference" link."""
    page = Paginator(selectors.roadmap_history(roadmap=roadmap), HISTORY_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    shown = _history_labels(list(page))
    for change in page:
        spec = template.FIELDS_BY_KEY.get(change.key)
        change.label = spec.label if spec else change.key
        # A choice as the page offered it ("High", the action's title, the services' names),
        # not as stored ("high", "12").
        change.old_value = shown(spec, change.old_value)
        change.new_value = shown(spec, change.new_value)
        change.version_label = _("version %(version)s") % {"version": change.version}
        # What {% querystring key=... from=... to=... %} gives, without a tag per row.
        query.setlist("key", [change.key])
        query.setlist("from", [str(change.version - 1)])
        query.setlist("to", [str(change.version)])
        change.difference_query = f"?{query.urlencode()}"
    return page


def _history_compare(request, roadmap) -> tuple[dict, dict | None]:
    """The "compare two versions" form and, when two versions are asked for, their difference
    (a message when they are not two versions the field has had)."""
    diff = None
    key = request.GET.get("key")
    key = key if key in template.FIELDS_BY_KEY else None
    compare = _compare_choices(roadmap, key)
    old = _version_or_none(request.GET.get("from"))
    new = _version_or_none(request.GET.get("to"))
    # Only a field chosen (the form's first step): its versions are offered, nothing compared.
    if key is not None and ("from" in request.GET or "to" in request.GET):
        # The two versions are read on their own: they need not be on the page shown.
        versions = dict(
            selectors.roadmap_history(roadmap=roadmap, key=key)
            .filter(version__in=[old, new])
            .values_list("version", "new_value")
        )
        versions[0] = ""
        if old in versions and new in versions:
            diff = {
                "label": template.FIELDS_BY_KEY[key].label,
                "old": old,
                "new": new,
                "html": diff_html(versions[old], versions[new]),
            }
        else:
            messages.error(request, _("Choose two versions this field has had."))
    if compare["versions"]:
        # The form starts on the pair shown, or else on the field's latest change.
        latest = compare["versions"][-1]["version"]
        compare["selects"] = [
            {
                "name": "from",
                "label": _("From version"),
                "chosen": diff["old"] if diff else latest - 1,
            },
            {"name": "to", "label": _("To version"), "chosen": diff["new"] if diff else latest},
        ]
    return compare, diff


@login_required
def roadmap_history(request, pk):
    roadmap = _roadmap_or_404(request, pk)
    page = functools.cache(lambda: _history_page(request, roadmap))
    if "key" in request.GET:
        # A field chosen, or two versions compared: read now, as a refusal is a message,
        # shown at the top of the page before the cached parts are rendered.
        compare, diff = _history_compare(request, roadmap)
    else:
        # The usual visit: nothing compared; the form is read by the template only on a miss.
        compare, diff = functools.cache(lambda: _history_compare(request, roadmap)[0]), None
    return render(
        request,
        "roadmaps/roadmap_history.html",
        {
            "roadmap": roadmap,
            "cohort_linked": _cohort_linked(request.user, roadmap),
            "page_obj": page,
            "changes": lambda: page().object_list,
            # The form and the table of changes are cached under the data versions of what
            # they show (roadmaps.scopes: the roadmap's changes, the names of who saved them)
            # and the time zone of their times; the path (the page, the field and versions
            # asked for) is in every fragment's key.
            "history_key": (roadmap_versions(roadmap), timezone.get_current_timezone_name()),
            "diff": diff,
            "compare": compare,
        },
    )


# --- Submit and review -------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def roadmap_submit(request, pk):
    # The page is shown to whoever may submit; a post is asked of the service.
    perm = services.SUBMIT if request.method == "GET" else None
    roadmap = _roadmap_or_404(request, pk, perm)
    if request.method == "POST":
        try:
            services.roadmap_submit(roadmap=roadmap, acting_user=request.user)
        except services.RoadmapReadOnly as error:
            raise _forbidden(error) from error
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request, _("Your roadmap is submitted. The facilitators will review it.")
            )
            return redirect("roadmap_edit", pk=roadmap.pk)
    return render(
        request,
        "roadmaps/roadmap_submit.html",
        {
            "roadmap": roadmap,
            "cohort_linked": _cohort_linked(request.user, roadmap),
            "check": services.roadmap_submit_check(roadmap=roadmap),
        },
        status=400 if request.method == "POST" else 200,
    )


def _form_error(form, missing: str) -> str:
    """The message for a refused comment or review form: `missing` when a field is empty or
    unknown, else the field's own message (a text over its length cap says by how much)."""
    for errors in form.errors.as_data().values():
        for error in errors:
            if error.code not in ("required", "invalid_choice"):
                return " ".join(error.messages)
    return missing


def _edit_url(roadmap, section=None) -> str:
    url = reverse("roadmap_edit", args=[roadmap.pk])
    return f"{url}#section-{section}" if section else url


@login_required
@require_POST
def roadmap_comment(request, pk):
    roadmap = _roadmap_or_404(request, pk)
    form = CommentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_error(form, _("Write a comment and choose its section.")))
        return redirect(_edit_url(roadmap))
    try:
        services.roadmap_comment_add(
            roadmap=roadmap,
            section=form.cleaned_data["section"],
            body=form.cleaned_data["body"],
            acting_user=request.user,
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Your comment is added."))
    return redirect(_edit_url(roadmap, form.cleaned_data["section"]))


@login_required
@require_POST
def roadmap_review(request, pk):
    roadmap = _roadmap_or_404(request, pk)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(
            request,
            _form_error(form, _("Choose to accept the roadmap or to return it to the city.")),
        )
        return redirect(_edit_url(roadmap))
    decide = {"accept": services.roadmap_accept, "return": services.roadmap_return}
    try:
        decide[form.cleaned_data["decision"]](
            roadmap=roadmap, acting_user=request.user, note=form.cleaned_data["note"]
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        if form.cleaned_data["decision"] == "accept":
            messages.success(request, _("The roadmap is accepted: it is now completed."))
        else:
            messages.success(request, _("The roadmap is returned to the city."))
    return redirect(_edit_url(roadmap))
