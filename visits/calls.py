"""Calls and the visits on offer (issue 12, "Calls and visits", and the admin side of the
criteria): the services a programme admin runs and the reads of the call pages.

Every service takes `acting_user`, checks `visits.manage_call` first, validates with a message
in the admin's words (`ApplicationError`, with the form field it belongs to), writes in one
transaction under a lock of the call's row (two admins editing one call at once take turns, so
"each rule once" and the criteria's positions hold), and any change to criteria sends
`visits.signals.criteria_changed` inside that transaction (scoring recomputes every score).

Decisions:
- Further questions are typed as a textarea, one question per line; a line starting with "*"
  is a required question. Each question keeps a key (`q1`, `q2`, ...) that the applications'
  answers are stored under: a line whose text is unchanged keeps its key (so reordering the
  lines loses nothing), a new or reworded line gets the next unused key. A question that an
  application has already answered cannot be removed or reworded (its answer would no longer
  be shown): the message says so and nothing is saved.
- A criterion's kind (manual or automatic) is fixed once it is made: reviewers' scores belong
  to a manual criterion, and an automatic one has none. A manual criterion with scores cannot
  be removed (reviewers' work would be lost), nor its scale lowered below a point a reviewer
  gave; setting its weight to 0 takes it out of the total instead.
- A visit that applications ask for (a preference) cannot be removed: the applications would
  silently lose a choice. Its dates, sector and capacity can still be edited.
- Once decisions are published the call, its visits and its criteria no longer change.
- A visit lasts two days: its second day is the day after its first unless given; a visit of
  one day is accepted (end on the first day), a longer one is not.
"""

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import (
    Count,
    Max,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce
from django.db.models.signals import m2m_changed
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cities.enums import CityType
from cities.models import City
from cohorts import versions as cohort_versions
from cohorts.models import Cohort
from portal.errors import ApplicationError
from portal.fragments import bump, bump_on_change
from portal.permissions import permission_check
from sessions.caching import VISIBILITY
from taxonomy.models import ThematicSector
from visits import signals
from visits.enums import Aggregation, AutomaticRule, CallStatus, CriterionKind
from visits.models import Anchor, Application, Call, Criterion, Preference, Score, Visit
from visits.scoring import rule_sentence
from visits.versions import APPLICATIONS, OPEN_CALLS, call_scope

MANAGE = "visits.manage_call"
# A visit is two days: its last day is at most this long after its first.
VISIT_LENGTH_MAX = datetime.timedelta(days=1)
# Weights are stored with 6 digits, 2 after the point.
WEIGHT_MAX = Decimal("9999.99")
# A manual criterion's highest point: a scale reviewers can keep in mind, each point described.
SCALE_MAX = 10
REVIEWERS_PER_APPLICATION_MAX = 20
QUESTIONS_MAX = 20
REQUIRED_MARK = "*"


def rule_in_words(rule: str) -> str:
    """What an automatic rule computes, in the words scoring states it (one place)."""
    return str(rule_sentence(rule))


# --- Reads ---------------------------------------------------------------------------------------


def call_list_rows(calls: QuerySet[Call]) -> QuerySet[Call]:
    """The calls of the list page (from visits.selectors.calls_visible_to), with their numbers
    of visits, in one query."""
    return calls.annotate(visit_count=Count("visits", distinct=True)).order_by("-opens_at", "pk")


def _visits_shown() -> QuerySet[Visit]:
    return Visit.objects.select_related("host_city", "host_city__country", "sector").order_by(
        "starts_on", "pk"
    )


def _page_lookups(*, visits: bool = True) -> list[Prefetch]:
    lookups = [
        Prefetch("eligible_cohorts", queryset=Cohort.objects.order_by("programme", "number")),
        Prefetch(
            "criteria",
            queryset=Criterion.objects.order_by("position", "pk").prefetch_related(
                Prefetch("anchors", queryset=Anchor.objects.order_by("points"))
            ),
        ),
    ]
    if visits:
        lookups.append(Prefetch("visits", queryset=_visits_shown()))
    return lookups


def call_for_page(calls: QuerySet[Call]) -> QuerySet[Call]:
    """A call with what its page shows: cohorts, visits (host city, sector), criteria and their
    anchors, one query each whatever their number."""
    return calls.prefetch_related(*_page_lookups())


@dataclass
class CallPageParts:
    """What a call's page shows below its title: who may apply, the visits, the criteria."""

    eligibility: str
    visits: list[Visit]
    criteria: list[Criterion]


def call_page_parts(call: Call, *, visits: bool = True) -> CallPageParts:
    """The parts of `call`'s page (read now, one query each, unless `call_for_page` read them);
    without `visits`, the visits are left out (the admins' page reads them with their
    preferences: `visits_with_preferences`)."""
    if "criteria" not in getattr(call, "_prefetched_objects_cache", {}):
        prefetch_related_objects([call], *_page_lookups(visits=visits))
    criteria = list(call.criteria.all())
    for criterion in criteria:
        criterion.rule_in_words = rule_in_words(criterion.rule)
    return CallPageParts(
        eligibility=eligibility_in_words(call),
        visits=list(call.visits.all()) if visits else [],
        criteria=criteria,
    )


def visits_with_preferences(call: Call) -> list[Visit]:
    """The call's visits as its page shows them, each with the number of applications asking
    for it (`preference_count`: a visit asked for cannot be removed), in one query.

    Counted per visit by a subquery, which PostgreSQL can answer from the index on the visit
    (an index-only scan once the table is vacuumed): on the EU-scale call (60,000 preferences
    of 3 visits) 15 ms, where the former join grouped by visit, its city, country and sector
    read and sorted the whole table (240 ms; one run on a shared machine, 2 December 2026).
    The officers' page and the API show no count and no longer read one."""
    asking = (
        Preference.objects.filter(visit=OuterRef("pk"))
        .order_by()
        .values("visit")
        .annotate(count=Count("*"))
        .values("count")
    )
    return list(
        _visits_shown().filter(call=call).annotate(preference_count=Coalesce(Subquery(asking), 0))
    )


# --- The call page's data versions (portal/fragments.py) --------------------------------------
#
# The call page, for those who do not manage the call, is one cached fragment keyed by the
# versions of: the call's own scope (the call, its cohorts named, visits, criteria and anchors,
# raised by the receivers `connect_scopes` connects, so services, the admin and model saves
# are covered; the anchors' bulk writes raise it themselves), the cohorts' names (`cohorts`),
# the cities and countries (`cities:directory`) and the sectors' names (`taxonomy:sectors`).
# The page of those who manage calls (edit buttons, the weights form) is one cached fragment
# too, under the same versions and the applications' (`APPLICATIONS`, visits/versions.py): its
# visits show the number of applications asking for each, and an application's preferences
# are written only with its row (a draft's save, the autosave included, or its deletion), whose
# save raises that version.
#
# Decision: kept, not drawn afresh on every request (as until 3 December 2026): the count's
# query and the table drawn around it made the page 3.1x the floor on a call with no
# application, and the scale call's 60,000 preferences take longer to count. The applications'
# version is raised by any call's applications, so the admins' page is drawn again after an
# autosave anywhere; what is read then is what was read on every request before.


def call_page_scopes(call: Call) -> tuple[str, ...]:
    return (
        call_scope(call.pk),
        cohort_versions.COHORTS,
        cohort_versions.CITIES,
        cohort_versions.SECTORS,
    )


def call_manage_scopes(call: Call) -> tuple[str, ...]:
    return (*call_page_scopes(call), APPLICATIONS)


# The "Apply" action of the page (visits.templatetags.visits_applying) is kept per person and
# call, keyed by the versions of what it reads: the call's eligible cohorts and city types (its
# scope), the applications started or removed (`OPEN_CALLS`, raised by visits.receivers), the
# accepted enrolments and who is an officer of which city (`VISIBILITY`, sessions.caching), and
# the cities' names and types (`CITIES`).


def call_apply_scopes(call: Call) -> tuple[str, ...]:
    return (call_scope(call.pk), OPEN_CALLS, VISIBILITY, cohort_versions.CITIES)


# The call form (its GET, for those who manage calls) is one cached fragment too, keyed by the
# versions of the call's scope (its settings and eligible cohorts) and of the cohorts (the
# checkboxes list every cohort by name), and by the person's time zone (the dates are shown in
# it). A form sent back with errors is drawn afresh.


def call_form_scopes(call: Call) -> tuple[str, ...]:
    return (call_scope(call.pk), cohort_versions.COHORTS)


def _anchor_scopes(anchor: Anchor) -> list[str]:
    call_id = Criterion.objects.filter(pk=anchor.criterion_id).values_list("call_id", flat=True)
    return [call_scope(pk) for pk in call_id]


def _on_cohorts_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if not action.startswith("post_"):
        return
    if reverse:  # a cohort's calls changed
        bump(*(call_scope(pk) for pk in pk_set or ()))
    else:
        bump(call_scope(instance.pk))


def connect_scopes() -> None:
    """Connect what raises the call page's scope (from VisitsConfig.ready)."""
    bump_on_change(Call, lambda call: [call_scope(call.pk)])
    bump_on_change(Visit, lambda visit: [call_scope(visit.call_id)])
    bump_on_change(Criterion, lambda criterion: [call_scope(criterion.call_id)])
    bump_on_change(Anchor, _anchor_scopes)
    m2m_changed.connect(
        _on_cohorts_changed,
        sender=Call.eligible_cohorts.through,
        dispatch_uid="visits.calls.eligible_cohorts",
    )


def _or_list(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return _("%(first)s or %(last)s") % {"first": ", ".join(items[:-1]), "last": items[-1]}


def eligibility_in_words(call: Call) -> str:
    """Who may apply, as the call page says it (visits.selectors.eligible_cities decides)."""
    cohorts = [cohort.name for cohort in call.eligible_cohorts.all()]
    if not cohorts:
        return _("No city may apply yet: the call names no cohort.")
    labels = dict(CityType.choices)
    types = [str(labels[value]) for value in call.eligible_city_types if value in labels]
    if not types:
        return _("Cities enrolled in %(cohorts)s.") % {"cohorts": _or_list(cohorts)}
    return _("Cities enrolled in %(cohorts)s that are of the type %(types)s.") % {
        "cohorts": _or_list(cohorts),
        "types": _or_list(types),
    }


def call_open_problems(call: Call) -> list[str]:
    """What keeps a draft call from opening, in words (empty: it may open)."""
    problems = []
    if not call.visits.exists():
        problems.append(_("Add at least one visit on offer."))
    if not call.criteria.exists():
        problems.append(_("Add at least one criterion."))
    return problems


# --- Questions -----------------------------------------------------------------------------------


def questions_parse(text: str) -> list[dict]:
    """The textarea's lines as questions without keys: [{"text", "required"}] (module
    docstring). Blank lines are skipped; runs of spaces become one."""
    questions = []
    for line in text.splitlines():
        line = line.strip()
        required = line.startswith(REQUIRED_MARK)
        line = " ".join(line.removeprefix(REQUIRED_MARK).split())
        if line:
            questions.append({"text": line, "required": required})
    return questions


def questions_text(questions: list[dict]) -> str:
    """The call's questions as the textarea shows them."""
    return "\n".join(
        (REQUIRED_MARK if question.get("required") else "") + question["text"]
        for question in questions
    )


def _normalised(text: str) -> str:
    return " ".join(text.split()).casefold()


def _questions_keyed(call: Call, questions: list[dict]) -> list[dict]:
    """Give each question its key: the key of the call's question with the same text, else the
    next unused `q<n>`; refuse the removal of an answered question."""
    if len(questions) > QUESTIONS_MAX:
        raise ApplicationError(
            _("A call asks at most %(max)d further questions.") % {"max": QUESTIONS_MAX},
            field="questions",
        )
    seen = set()
    for question in questions:
        if _normalised(question["text"]) in seen:
            raise ApplicationError(
                _("The question “%(text)s” is asked twice.") % {"text": question["text"]},
                field="questions",
            )
        seen.add(_normalised(question["text"]))
    existing = {_normalised(q["text"]): q["key"] for q in call.questions} if call.pk else {}
    used = {q["key"] for q in call.questions} if call.pk else set()
    numbers = [int(key[1:]) for key in used if re.fullmatch(r"q\d+", key)]
    next_number = max(numbers, default=0) + 1
    keyed = []
    for question in questions:
        key = existing.get(_normalised(question["text"]))
        if key is None:
            key, next_number = f"q{next_number}", next_number + 1
        keyed.append({"key": key, "text": question["text"], "required": question["required"]})
    if call.pk:
        kept = {question["key"] for question in keyed}
        dropped = [q for q in call.questions if q["key"] not in kept]
        if dropped:
            answered = _answered_keys(call)
            for question in dropped:
                if question["key"] in answered:
                    raise ApplicationError(
                        _(
                            "Applications have already answered “%(text)s”: it cannot be "
                            "removed or reworded."
                        )
                        % {"text": question["text"]},
                        field="questions",
                    )
    return keyed


def _answered_keys(call: Call) -> set[str]:
    keys = set()
    for answers in Application.objects.filter(call=call).values_list("answers", flat=True):
        keys.update(key for key, value in (answers or {}).items() if str(value).strip())
    return keys


# --- Calls ---------------------------------------------------------------------------------------


@dataclass
class CallSettings:
    """What an admin sets on a call (the call form)."""

    title: str
    opens_at: datetime.datetime
    closes_at: datetime.datetime
    review_deadline: datetime.datetime
    description: str = ""
    eligible_cohorts: list[Cohort] = field(default_factory=list)
    eligible_city_types: list[str] = field(default_factory=list)
    aggregation: str = Aggregation.MEAN
    reviewers_per_application: int = 2
    exclude_same_country: bool = False
    disagreement_threshold: Decimal = Decimal(1)
    # Without keys: [{"text", "required"}] (questions_parse).
    questions: list[dict] = field(default_factory=list)


def _settings_check(data: CallSettings) -> None:
    if not data.title.strip():
        raise ApplicationError(_("Give the call a title."), field="title")
    if data.closes_at <= data.opens_at:
        raise ApplicationError(_("Applications must close after they open."), field="closes_at")
    if data.review_deadline < data.closes_at:
        raise ApplicationError(
            _("Reviews can only be due once applications have closed."), field="review_deadline"
        )
    if data.aggregation not in Aggregation.values:
        raise ApplicationError(_("Choose the mean or the median."), field="aggregation")
    if not 1 <= data.reviewers_per_application <= REVIEWERS_PER_APPLICATION_MAX:
        raise ApplicationError(
            _("Each application needs from 1 to %(max)d reviewers.")
            % {"max": REVIEWERS_PER_APPLICATION_MAX},
            field="reviewers_per_application",
        )
    if data.disagreement_threshold < 0:
        raise ApplicationError(
            _("The disagreement threshold cannot be negative."), field="disagreement_threshold"
        )
    unknown = [value for value in data.eligible_city_types if value not in CityType.values]
    if unknown:
        raise ApplicationError(
            _("Unknown city type: %(types)s.") % {"types": ", ".join(unknown)},
            field="eligible_city_types",
        )


def _settings_write(call: Call, data: CallSettings, questions: list[dict]) -> None:
    call.title = data.title.strip()
    call.description = data.description
    call.opens_at = data.opens_at
    call.closes_at = data.closes_at
    call.review_deadline = data.review_deadline
    call.aggregation = data.aggregation
    call.reviewers_per_application = data.reviewers_per_application
    call.exclude_same_country = data.exclude_same_country
    call.disagreement_threshold = data.disagreement_threshold
    call.eligible_city_types = list(dict.fromkeys(data.eligible_city_types))
    call.questions = questions


def call_create(*, acting_user, data: CallSettings) -> Call:
    """A new draft call (opened later by call_open, once it has visits and criteria)."""
    permission_check(acting_user, MANAGE)
    _settings_check(data)
    call = Call(created_by=acting_user, status=CallStatus.DRAFT)
    questions = _questions_keyed(call, data.questions)
    with transaction.atomic():
        _settings_write(call, data, questions)
        call.save()
        call.eligible_cohorts.set(data.eligible_cohorts)
    return call


def _locked(call: Call) -> Call:
    """The call's row, locked for the rest of the transaction; refused once published."""
    locked = Call.objects.select_for_update().get(pk=call.pk)
    if locked.status == CallStatus.PUBLISHED:
        raise ApplicationError(
            _("The decisions of this call are published: it can no longer change.")
        )
    return locked


def call_update(*, acting_user, call: Call, data: CallSettings) -> Call:
    permission_check(acting_user, MANAGE, call)
    _settings_check(data)
    with transaction.atomic():
        call = _locked(call)
        questions = _questions_keyed(call, data.questions)
        _settings_write(call, data, questions)
        call.save()
        call.eligible_cohorts.set(data.eligible_cohorts)
    return call


def call_open(*, acting_user, call: Call) -> Call:
    """Open a draft call: from its opening date, eligible cities may apply."""
    permission_check(acting_user, MANAGE, call)
    with transaction.atomic():
        call = _locked(call)
        if call.status != CallStatus.DRAFT:
            raise ApplicationError(_("This call is already open."))
        problems = call_open_problems(call)
        if problems:
            raise ApplicationError(
                _("The call cannot open yet. %(problems)s") % {"problems": " ".join(problems)}
            )
        call.status = CallStatus.OPEN
        call.save(update_fields=["status"])
    return call


# --- Visits --------------------------------------------------------------------------------------


@dataclass
class VisitData:
    host_city: City
    starts_on: datetime.date
    sector: ThematicSector
    ends_on: datetime.date | None = None  # None: the day after starts_on
    title: str = ""
    capacity_cities: int = 5
    delegates_per_city: int = 2


def _visit_check(data: VisitData) -> datetime.date:
    """Refuse what a visit cannot be; the visit's second day."""
    if not data.host_city.is_mission_city:
        raise ApplicationError(
            _("%(city)s is not a Mission City: only Mission Cities host study visits.")
            % {"city": data.host_city.name},
            field="host_city",
        )
    ends_on = data.ends_on or data.starts_on + VISIT_LENGTH_MAX
    if ends_on < data.starts_on:
        raise ApplicationError(_("The visit cannot end before it starts."), field="ends_on")
    if ends_on - data.starts_on > VISIT_LENGTH_MAX:
        raise ApplicationError(_("A study visit lasts at most two days."), field="ends_on")
    if data.capacity_cities < 1:
        raise ApplicationError(
            _("A visit has room for at least one city."), field="capacity_cities"
        )
    if data.delegates_per_city < 1:
        raise ApplicationError(
            _("Each city sends at least one delegate."), field="delegates_per_city"
        )
    return ends_on


def _visit_write(visit: Visit, data: VisitData, ends_on: datetime.date) -> None:
    visit.host_city = data.host_city
    visit.title = data.title.strip()
    visit.starts_on = data.starts_on
    visit.ends_on = ends_on
    visit.sector = data.sector
    visit.capacity_cities = data.capacity_cities
    visit.delegates_per_city = data.delegates_per_city


def visit_add(*, acting_user, call: Call, data: VisitData) -> Visit:
    permission_check(acting_user, MANAGE, call)
    ends_on = _visit_check(data)
    with transaction.atomic():
        call = _locked(call)
        visit = Visit(call=call)
        _visit_write(visit, data, ends_on)
        visit.save()
    return visit


def visit_update(*, acting_user, visit: Visit, data: VisitData) -> Visit:
    permission_check(acting_user, MANAGE, visit.call)
    ends_on = _visit_check(data)
    with transaction.atomic():
        _locked(visit.call)
        visit = Visit.objects.select_for_update().get(pk=visit.pk)
        _visit_write(visit, data, ends_on)
        visit.save()
    return visit


def visit_remove(*, acting_user, visit: Visit) -> None:
    """Remove a visit no application asks for (module docstring)."""
    permission_check(acting_user, MANAGE, visit.call)
    with transaction.atomic():
        _locked(visit.call)
        asked = Preference.objects.filter(visit=visit).count()
        if asked or Application.objects.filter(allocated_visit=visit).exists():
            raise ApplicationError(
                ngettext(
                    "%(count)d application asks for this visit: it cannot be removed. "
                    "You can still change its dates, sector and capacity.",
                    "%(count)d applications ask for this visit: it cannot be removed. "
                    "You can still change its dates, sector and capacity.",
                    max(asked, 1),
                )
                % {"count": max(asked, 1)}
            )
        Visit.objects.filter(pk=visit.pk).delete()


# --- Criteria ------------------------------------------------------------------------------------


@dataclass
class CriterionData:
    name: str
    kind: str
    description: str = ""
    weight: Decimal = Decimal(1)
    rule: str = ""  # automatic criteria
    scale_max: int = 5  # manual criteria
    anchors: list[str] = field(default_factory=list)  # manual: one per point, 0..scale_max
    independent: bool = False  # manual


def _weight_check(weight: Decimal, field_name: str = "weight") -> None:
    if weight < 0:
        raise ApplicationError(
            _("A weight cannot be negative: use 0 to leave a criterion out of the total."),
            field=field_name,
        )
    if weight > WEIGHT_MAX:
        raise ApplicationError(
            _("A weight is at most %(max)s.") % {"max": WEIGHT_MAX}, field=field_name
        )


def _criterion_check(data: CriterionData) -> None:
    if not data.name.strip():
        raise ApplicationError(_("Give the criterion a name."), field="name")
    if data.kind not in CriterionKind.values:
        raise ApplicationError(_("Choose manual or automatic."), field="kind")
    _weight_check(data.weight)
    if data.kind == CriterionKind.AUTOMATIC:
        if data.rule not in AutomaticRule.values:
            raise ApplicationError(_("Choose the rule the portal computes."), field="rule")
        return
    if not 1 <= data.scale_max <= SCALE_MAX:
        raise ApplicationError(
            _("The scale goes from 0 up to 1 to %(max)d points.") % {"max": SCALE_MAX},
            field="scale_max",
        )
    if len(data.anchors) != data.scale_max + 1 or not all(a.strip() for a in data.anchors):
        raise ApplicationError(
            _("Describe each point of the scale, from 0 to %(max)d.") % {"max": data.scale_max},
            field="anchors",
        )


def _criteria_changed(call: Call) -> None:
    signals.criteria_changed.send(sender=Criterion, call=call)


def _rule_taken(call: Call, rule: str, criterion: Criterion | None = None) -> None:
    taken = Criterion.objects.filter(call=call, rule=rule)
    if criterion is not None:
        taken = taken.exclude(pk=criterion.pk)
    if rule and taken.exists():
        raise ApplicationError(
            _("The call already has a criterion computed by “%(rule)s”.")
            % {"rule": AutomaticRule(rule).label},
            field="rule",
        )


def _anchors_write(criterion: Criterion, anchors: list[str]) -> None:
    Anchor.objects.filter(criterion=criterion).delete()
    Anchor.objects.bulk_create(
        Anchor(criterion=criterion, points=points, description=text.strip())
        for points, text in enumerate(anchors)
    )
    bump(call_scope(criterion.call_id))  # bulk_create sends no signal


def criterion_add(*, acting_user, call: Call, data: CriterionData) -> Criterion:
    permission_check(acting_user, MANAGE, call)
    _criterion_check(data)
    manual = data.kind == CriterionKind.MANUAL
    with transaction.atomic():
        call = _locked(call)
        _rule_taken(call, "" if manual else data.rule)
        position = (call.criteria.aggregate(last=Max("position"))["last"] or 0) + 1
        criterion = Criterion(
            call=call,
            name=data.name.strip(),
            description=data.description,
            kind=data.kind,
            rule="" if manual else data.rule,
            weight=data.weight,
            scale_max=data.scale_max if manual else Criterion._meta.get_field("scale_max").default,
            independent=data.independent if manual else False,
            position=position,
        )
        try:
            with transaction.atomic():
                criterion.save()
        except IntegrityError as error:  # the rule, taken meanwhile despite the lock
            raise ApplicationError(_("That rule is already a criterion of the call.")) from error
        if manual:
            _anchors_write(criterion, data.anchors)
        _criteria_changed(call)
    return criterion


def criterion_update(*, acting_user, criterion: Criterion, data: CriterionData) -> Criterion:
    """Edit a criterion; its kind stays (module docstring)."""
    permission_check(acting_user, MANAGE, criterion.call)
    data.kind = criterion.kind
    _criterion_check(data)
    manual = criterion.kind == CriterionKind.MANUAL
    with transaction.atomic():
        call = _locked(criterion.call)
        criterion = Criterion.objects.select_for_update().get(pk=criterion.pk)
        if manual:
            highest = Score.objects.filter(criterion=criterion).aggregate(top=Max("points"))["top"]
            if highest is not None and highest > data.scale_max:
                raise ApplicationError(
                    _(
                        "Reviewers have already given %(points)d points: the scale cannot end "
                        "below that."
                    )
                    % {"points": highest},
                    field="scale_max",
                )
        else:
            _rule_taken(call, data.rule, criterion)
            criterion.rule = data.rule
        criterion.name = data.name.strip()
        criterion.description = data.description
        criterion.weight = data.weight
        if manual:
            criterion.scale_max = data.scale_max
            criterion.independent = data.independent
        criterion.save()
        if manual:
            _anchors_write(criterion, data.anchors)
        _criteria_changed(call)
    return criterion


def criteria_reweight(*, acting_user, call: Call, weights: dict[int, Decimal]) -> None:
    """Set the weights of the call's criteria ({criterion id: weight}) at once: one
    recomputation for all of them."""
    permission_check(acting_user, MANAGE, call)
    for criterion_id, weight in weights.items():
        _weight_check(weight, field_name=f"weight_{criterion_id}")
    with transaction.atomic():
        call = _locked(call)
        criteria = {c.pk: c for c in Criterion.objects.select_for_update().filter(call=call)}
        unknown = set(weights) - set(criteria)
        if unknown:
            raise ApplicationError(_("A criterion was removed meanwhile: reload the page."))
        changed = [c for pk, c in criteria.items() if pk in weights and c.weight != weights[pk]]
        for criterion in changed:
            criterion.weight = weights[criterion.pk]
        if changed:
            Criterion.objects.bulk_update(changed, ["weight"])
            _criteria_changed(call)


def criterion_remove(*, acting_user, criterion: Criterion) -> None:
    """Remove a criterion no reviewer has scored (module docstring)."""
    permission_check(acting_user, MANAGE, criterion.call)
    with transaction.atomic():
        call = _locked(criterion.call)
        scored = Score.objects.filter(criterion=criterion).count()
        if scored:
            raise ApplicationError(
                ngettext(
                    "Reviewers have given %(count)d score on this criterion: it cannot be "
                    "removed. Set its weight to 0 to leave it out of the total.",
                    "Reviewers have given %(count)d scores on this criterion: it cannot be "
                    "removed. Set its weight to 0 to leave it out of the total.",
                    scored,
                )
                % {"count": scored}
            )
        Criterion.objects.filter(pk=criterion.pk).delete()
        _criteria_changed(call)
