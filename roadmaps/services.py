"""Writes for Reflection Roadmaps: opening one per enrolled city, saving one field at a time with
a version check, submitting, commenting, returning and accepting.

Each service that acts for a person takes `acting_user` and asks roadmaps.rules for its
permission (portal.permissions.permission_check) before it reads or writes anything else; only
the roadmap's status, which refuses everyone alike, is asked before it (the Decision below).

Every write then takes the roadmap row's lock. That serialises the writes of one roadmap (a
handful of officers at most), so the status checked on the locked row is the status written (a
save cannot slip past a submit), the version check of a field cannot race, and percent_complete
is computed from the values as they are after this write.

Decision: a roadmap that is not open (submitted or accepted) is refused to everyone, admins too,
with the state's own message (RoadmapReadOnly, a domain error: 400 at the field in the API),
before the permission is asked and once more on the locked row, by the one helper `_check_open`
(the field save locks first and asks once: see `roadmap_field_save`).
The status may change in between (a colleague submits meanwhile) and the person is told the same
thing either way, which a refusal from the state part of the permission could not do. The
permission (roadmaps.change_roadmap, roadmaps.submit_roadmap: open, and an officer of the city or
an admin) then decides who. The pages answer a RoadmapReadOnly with 403, as they did when they
checked the state themselves (roadmaps.views).
"""

import copy
import datetime
from dataclasses import dataclass

from django.core.validators import validate_email
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cities.models import City
from cohorts.models import Cohort
from portal.dates import long_date
from portal.drafts import draft_transaction
from portal.errors import ApplicationError
from portal.fragments import bump_statement
from portal.links import site_url
from portal.permissions import permission_check
from roadmaps import field_save_pg, selectors, signals, statements
from roadmaps.enums import OPEN_STATUSES, Desirability, RoadmapStatus
from roadmaps.models import (
    NetZeroCitiesService,
    Roadmap,
    RoadmapChange,
    RoadmapComment,
    RoadmapTransition,
    RoadmapValue,
)
from roadmaps.scopes import value_scopes
from roadmaps.template import (
    CLIMATE_ACTION,
    DESIRABILITY,
    DESIRABILITY_KEY,
    EMAIL,
    FIELDS,
    FIELDS_BY_KEY,
    LIMITED_TEXT,
    LONG_TEXT,
    REQUIRED_KEYS,
    SCORE,
    SECTIONS_BY_KEY,
    SERVICES,
    TEXT,
    FieldSpec,
    over_limit,
    required_keys,
    word_count,
)

# The short name of a section in "Phase 2.1 opens on 1 November 2024."
SECTION_SHORT_NAMES = {
    "representative": gettext_lazy("City representative"),
    "phase1": gettext_lazy("Phase 1"),
    "phase2_1": gettext_lazy("Phase 2.1"),
    "phase2_2": gettext_lazy("Phase 2.2"),
    "phase3": gettext_lazy("Phase 3"),
    "phase4": gettext_lazy("Phase 4"),
}
# The scores of an enabling factor in Phase 2.2, from 1 (weak) to 5 (strong).
SCORES = (1, 2, 3, 4, 5)
# The most characters a field of each kind holds. Word limits say what the template asks for;
# these stop a pasted book from filling the database, the history and the PDF.
CHARACTER_LIMITS = {TEXT: 500, EMAIL: 500, LONG_TEXT: 10_000, LIMITED_TEXT: 2_000}
# Ids are sent as digits; more digits than any primary key would overflow the database query.
MAX_ID_DIGITS = 18
EDITABLE = OPEN_STATUSES  # the name the demo data reads (devdata.demo)
# The permissions the services ask (roadmaps.rules).
CHANGE = "roadmaps.change_roadmap"
SUBMIT = "roadmaps.submit_roadmap"
COMMENT = "roadmaps.comment_roadmap"
REVIEW = "roadmaps.review_roadmap"
# Said to someone who may see the roadmap but not write it (a facilitator, say), as it stands
# open: the autosave answers it, and the page shows it above a roadmap it offers no form for.
CANNOT_CHANGE = gettext_lazy("You cannot change this roadmap.")


class RoadmapConflict(ApplicationError):
    """Someone saved the field since the caller loaded it: `theirs` is what is there now.

    `theirs` is the current RoadmapValue (an unsaved one at version 0 when the field was never
    saved but the caller sent a version above 0). Nothing was written.
    """

    def __init__(self, *, key: str, yours: str, theirs: RoadmapValue):
        super().__init__(
            _(
                "Someone else saved this field while you were editing it. Keep one version "
                "or merge them, then save again."
            ),
            field=key,
            code="conflict",
        )
        self.key = key
        self.yours = yours
        self.theirs = theirs


class RoadmapReadOnly(ApplicationError):
    """The roadmap is submitted or accepted: nobody changes it until a facilitator returns it.

    `field` is the field whose save was refused (None: the roadmap as a whole).
    """

    default_message = gettext_lazy("This roadmap has been submitted and can no longer be changed.")
    # A completed roadmap says so (issue 10), not that it was submitted.
    completed_message = gettext_lazy("This roadmap is completed and can no longer be changed.")
    default_code = "read_only"

    def __init__(self, *, field: str | None = None, status: str | None = None):
        message = (
            self.completed_message if status == RoadmapStatus.ACCEPTED else self.default_message
        )
        super().__init__(str(message), field=field, code=self.default_code)


class RoadmapAlreadySubmitted(RoadmapReadOnly):
    """Submit was refused: the roadmap is submitted or accepted already."""

    default_message = gettext_lazy("This roadmap has already been submitted.")
    completed_message = gettext_lazy("This roadmap is completed already.")
    default_code = "already_submitted"


class RoadmapIncomplete(ApplicationError):
    """Submit was refused: `missing` lists the required fields still empty, `too_long` those
    over their word limit, in template order."""

    def __init__(self, *, missing: list[FieldSpec], too_long: list[FieldSpec] = ()):
        parts = []
        if missing:
            labels = "; ".join(str(field.label) for field in missing)
            parts.append(
                _("Complete these parts before you submit: %(fields)s.") % {"fields": labels}
            )
        if too_long:
            labels = "; ".join(str(field.label) for field in too_long)
            parts.append(
                _("These parts are too long: shorten them before you submit: %(fields)s.")
                % {"fields": labels}
            )
        super().__init__(" ".join(parts), code="incomplete")
        self.missing = missing
        self.too_long = list(too_long)


def _lock(roadmap: Roadmap) -> Roadmap:
    """Lock the roadmap's row and reload the caller's instance, so that it shows the status the
    write starts from and, once the service returns, the state it wrote.

    One query: the locked row's own fields are copied onto the instance, whose city and cohort
    (loaded by the caller, and never changed on a roadmap) are kept rather than read again.
    """
    locked = statements.lock_roadmap(roadmap.pk)
    if locked is None:
        raise Roadmap.DoesNotExist
    _copy_row(locked, onto=roadmap)
    return roadmap


def _copy_row(row: Roadmap, *, onto: Roadmap) -> None:
    for field in Roadmap._meta.concrete_fields:
        setattr(onto, field.attname, getattr(row, field.attname))


def _check_open(
    roadmap: Roadmap, refusal: type[RoadmapReadOnly] = RoadmapReadOnly, *, field: str | None = None
) -> None:
    """Refuse (`refusal`) a write to a roadmap that is not open, whoever asks: the state part
    of roadmaps.change_roadmap and roadmaps.submit_roadmap, asked before the permission and again
    on the locked row (the module's Decision)."""
    if roadmap.status not in OPEN_STATUSES:
        raise refusal(field=field, status=roadmap.status)


def _is_filled(value: str) -> bool:
    return bool(value.strip())


def _percent_complete(*, roadmap: Roadmap, saving: tuple[str, str] | None = None) -> int:
    """The share of required fields filled, as stored, or once `saving` (key, text) is saved.

    Which fields are required depends on the desirability (Phase 2.2 is not asked after Low:
    roadmaps.template `required_keys`); the desirability is one of the values read.
    """
    values = dict(
        RoadmapValue.objects.filter(roadmap=roadmap, key__in=REQUIRED_KEYS)
        .order_by()
        .values_list("key", "value")
    )
    if saving is not None:
        values[saving[0]] = saving[1]
    required = required_keys(values)
    filled = sum(1 for key in required if _is_filled(values.get(key, "")))
    return filled * 100 // len(required)


@transaction.atomic
def roadmap_open(*, cohort: Cohort, city: City) -> Roadmap:
    """Open the city's roadmap in the cohort, or return the one already open."""
    roadmap, _created = Roadmap.objects.get_or_create(cohort=cohort, city=city)
    return roadmap


def _check_section_open(roadmap: Roadmap, field: FieldSpec) -> None:
    if SECTIONS_BY_KEY[field.section].opens_with is None:
        return  # a section open from the start (the representative): no phase to read
    opens_on = selectors.section_opens_on(roadmap=roadmap)[field.section]
    if opens_on is not None:
        raise ApplicationError(
            _("%(section)s opens on %(date)s.")
            % {"section": SECTION_SHORT_NAMES[field.section], "date": long_date(opens_on)},
            field=field.key,
            code="not_open",
        )


def _is_id(text: str) -> bool:
    # isascii: "²".isdigit() is true too, and int() refuses it.
    return text.isascii() and text.isdigit() and len(text) <= MAX_ID_DIGITS


def _clean(*, roadmap: Roadmap, field: FieldSpec, value: str) -> str:
    """Check a value of the field's kind and return it as stored.

    Text is stored exactly as typed (HTML included: the pages and the PDF escape it on output).
    Choices are stored without the spaces around them. Empty is always allowed: a draft may be
    incomplete, completeness is checked at submit.
    """

    def invalid(message: str):
        return ApplicationError(message, field=field.key)

    if field.kind in (SCORE, DESIRABILITY, CLIMATE_ACTION, SERVICES, EMAIL):
        value = value.strip()
    if value == "":
        return value
    limit = CHARACTER_LIMITS.get(field.kind)
    if limit is not None and len(value) > limit:
        raise invalid(
            _("Keep this under %(limit)s characters (you have %(count)s).")
            % {
                "limit": number_format(limit, force_grouping=True),
                "count": number_format(len(value), force_grouping=True),
            }
        )
    if field.kind == SCORE and value not in {str(score) for score in SCORES}:
        raise invalid(_("Give a score from 1 (weak) to 5 (strong)."))
    if field.kind == DESIRABILITY and value not in Desirability.values:
        raise invalid(_("Choose High, Medium or Low."))
    if field.kind == CLIMATE_ACTION:
        presented = selectors.climate_actions_for_roadmap(roadmap=roadmap)
        if not _is_id(value) or not presented.filter(pk=int(value)).exists():
            raise invalid(_("Pick a climate action presented in this cohort."))
        return str(int(value))
    if field.kind == LIMITED_TEXT and word_count(value) > field.word_limit:
        raise invalid(
            _("Keep the reasoning to %(limit)s words or fewer (you have %(count)s).")
            % {"limit": field.word_limit, "count": word_count(value)}
        )
    if field.kind == EMAIL:
        try:
            validate_email(value)
        except Exception:
            raise invalid(_("Enter a valid email address.")) from None
    if field.kind == SERVICES:
        parts = [part.strip() for part in value.split(",") if part.strip()]
        if not all(_is_id(part) for part in parts):
            raise invalid(_("Pick services from the list."))
        # Keep the city's order, once each.
        ids = list(dict.fromkeys(int(part) for part in parts))
        offered = set(
            NetZeroCitiesService.objects.filter(pk__in=ids, is_active=True).values_list(
                "pk", flat=True
            )
        )
        if set(ids) - offered:
            raise invalid(_("Pick services from the list."))
        return ",".join(str(pk) for pk in ids)
    return value


def roadmap_field_save(
    *, roadmap: Roadmap, key: str, value: str, base_version: int, acting_user
) -> RoadmapValue:
    """Save one field of the roadmap as `acting_user`, if nobody saved it since `base_version`.

    Raise PermissionRefused unless they may change it (roadmaps.change_roadmap),
    RoadmapReadOnly (field=key) for a roadmap that is submitted or accepted, RoadmapConflict
    when the field's version is no longer `base_version`, and ApplicationError (field=key) for
    an unknown field, a value of the wrong kind or a section not open yet. Saving the value the
    field already holds writes nothing and returns the current row, whatever `base_version`
    says: nothing would be overwritten.

    The save is a draft's: its commit does not wait for the disk (portal.drafts). Unlike the
    other services it reads the row under its lock before it asks the permission: the autosave
    hands it only the roadmap's id, city and cohort (roadmaps.selectors.roadmap_to_write), and
    the status asked is then the status written under. Raise Roadmap.DoesNotExist when the
    roadmap is gone.

    On PostgreSQL an ordinary save (another text in a field saved before, the share complete
    unchanged) is tried first as one statement that locks, checks and writes
    (`_field_save_at_once`); anything it does not write goes the full way below.
    """
    if connection.vendor == "postgresql":
        saved = _field_save_at_once(
            roadmap=roadmap,
            key=key,
            value=value,
            base_version=base_version,
            acting_user=acting_user,
        )
        if saved is not None:
            return saved
    with draft_transaction() as draft:
        city_id, cohort_id = roadmap.city_id, roadmap.cohort_id
        roadmap = _lock(roadmap)
        if (roadmap.city_id, roadmap.cohort_id) != (city_id, cohort_id):
            # The caller's kept city and cohort name another roadmap than the row now holding
            # this id (a database restored under a kept cache): answered as a missing roadmap.
            selectors.forget_roadmap_owner(roadmap.pk)
            raise Roadmap.DoesNotExist
        _check_open(roadmap, field=key)
        permission_check(acting_user, CHANGE, roadmap, message=CANNOT_CHANGE)
        return _field_write(
            roadmap=roadmap,
            key=key,
            value=value,
            base_version=base_version,
            acting_user=acting_user,
            commit_statements=draft.statements,
        )


def roadmap_field_save_presumed(
    *, pk, key: str, value: str, base_version: int, acting_user
) -> tuple[Roadmap, RoadmapValue] | None:
    """The autosave's first try on PostgreSQL: an ordinary save of roadmap `pk` written in one
    statement (`_field_save_at_once`) without reading anything first, and returned with the
    roadmap as the full path leaves it; None when it wrote nothing, and the caller then goes
    the usual way (roadmaps.selectors.roadmap_to_write, then `roadmap_field_save`), which
    answers exactly as before: no refusal is decided here.

    Why: the usual way reads the version of the person's facts before the statement (a round
    trip to the database at every pause in typing). Here the roadmap's city and cohort and the
    person's facts come from the cache under the version this process read last
    (roadmaps.selectors.roadmap_to_write_presumed), and the statement writes only if that
    version is still the current one when it runs: any change of who is an officer or a
    facilitator of what, made by any process, raises it in its own transaction, so it is seen
    by the next save as by the usual way (which reads it before its statement). A programme
    admin is asked no facts (the flag is on the person's row, read with the request)."""
    if connection.vendor != "postgresql":
        return None
    presumed = selectors.roadmap_to_write_presumed(user=acting_user, pk=pk)
    if presumed is None:
        return None
    roadmap, visibility = presumed
    try:
        saved = _field_save_at_once(
            roadmap=roadmap,
            key=key,
            value=value,
            base_version=base_version,
            acting_user=acting_user,
            visibility=visibility,
        )
    finally:
        # The facts kept on the person for the rule asked above are presumed: nothing after
        # this may use them (session_access_of given the version read also checks it).
        acting_user.__dict__.pop("_session_access", None)
    if saved is None:
        return None
    return roadmap, saved


def _field_save_at_once(
    *,
    roadmap: Roadmap,
    key: str,
    value: str,
    base_version: int,
    acting_user,
    visibility: int | None = None,
) -> RoadmapValue | None:
    """The field save as one PostgreSQL statement (roadmaps.field_save_pg, whose docstring
    says why and what it repeats from this module), for a save it can write; None when it wrote
    nothing. Asks here, in Python, what the statement cannot: the field and its kind, the value
    (`_clean`) and the permission, asked of the rule itself for each open status.
    `visibility`: the version of the person's facts the rule was asked under, for the statement
    to check (`roadmap_field_save_presumed`)."""
    field = FIELDS_BY_KEY.get(key)
    if (
        field is None
        or key == DESIRABILITY_KEY  # changes which fields are required: the share is counted
        or field.kind in (CLIMATE_ACTION, SERVICES)  # checked with queries of their own
        or type(base_version) is not int
        or acting_user is None
    ):
        return None
    try:
        value = _clean(roadmap=roadmap, field=field, value=value)
    except ApplicationError:
        return None
    # permission_check(acting_user, CHANGE, roadmap) as the roadmap would be in each open
    # status; the statement writes only in one of these.
    statuses = [
        status
        for status in OPEN_STATUSES
        if acting_user.has_perm(CHANGE, _with_status(roadmap, status))
    ]
    if not statuses:
        return None
    written = field_save_pg.field_save(
        roadmap=roadmap,
        key=key,
        value=value,
        base_version=base_version,
        acting_user=acting_user,
        statuses=statuses,
        phase=SECTIONS_BY_KEY[field.section].opens_with,
        filled=_is_filled(value) if field.required else None,
        now=timezone.now(),
        today=timezone.localdate(),
        visibility=visibility,
    )
    if written is None:
        return None
    row, saved = written
    # As the full path leaves them: the caller's roadmap shows the row written, and the saved
    # field's row names its roadmap and who saved it.
    _copy_row(row, onto=roadmap)
    saved.roadmap = roadmap
    saved.updated_by = acting_user
    return saved


def _with_status(roadmap: Roadmap, status: str) -> Roadmap:
    probe = copy.copy(roadmap)
    probe.status = status
    return probe


def _field_write(
    *,
    roadmap: Roadmap,
    key: str,
    value: str,
    base_version: int,
    acting_user,
    commit_statements: list[tuple[str, list]] = (),
) -> RoadmapValue:
    """Save one field of the locked `roadmap`, whose permission the caller has checked;
    `commit_statements` are sent with the writes (portal.drafts)."""
    field = FIELDS_BY_KEY.get(key)
    if field is None:
        raise ApplicationError(
            _("This roadmap has no field %(key)s.") % {"key": key}, field=key, code="unknown_field"
        )
    _check_open(roadmap, field=key)
    _check_section_open(roadmap, field)
    value = _clean(roadmap=roadmap, field=field, value=value)

    current = statements.saved_value(roadmap_id=roadmap.pk, key=key)
    if current is None and value == "":
        # Emptying a field never saved: nothing changes (an unsaved row at version 0).
        return RoadmapValue(roadmap=roadmap, key=key)
    if current is not None and current.value == value:
        return current
    current_version = current.version if current is not None else 0
    if base_version != current_version:
        theirs = current if current is not None else RoadmapValue(roadmap=roadmap, key=key)
        raise RoadmapConflict(key=key, yours=value, theirs=theirs)

    now = timezone.now()
    old_value = current.value if current is not None else ""
    if current is None:
        current = RoadmapValue(roadmap=roadmap, key=key)
    current.roadmap = roadmap
    current.value = value
    current.version = current_version + 1
    current.updated_by = acting_user
    current.updated_at = now
    roadmap.updated_at = now
    if (field.required and _is_filled(old_value) != _is_filled(value)) or key == DESIRABILITY_KEY:
        # Only a required field that is filled or emptied moves the share, and the
        # desirability, which decides whether Phase 2.2 is required; any other save leaves
        # the one the services keep on the locked row.
        roadmap.percent_complete = _percent_complete(roadmap=roadmap, saving=(key, value))
    # Written without signals (roadmaps.statements: the ORM's compiler cost an autosave more
    # than the database did), so the data versions are raised here, once for the three rows,
    # and the writes go in one round trip.
    writes = list(commit_statements)
    if current.pk is None:
        RoadmapValue.objects.bulk_create([current])  # a field's first save: rare, the ORM's way
    else:
        writes.append(statements.update_value(current))
    bump_sql, bump_params = bump_statement(*value_scopes(roadmap.pk, roadmap.cohort_id))
    writes.append((bump_sql, bump_params))
    writes.append(
        statements.insert_change(
            RoadmapChange(
                roadmap=roadmap,
                key=key,
                old_value=old_value,
                new_value=value,
                version=current.version,
                changed_by=acting_user,
                changed_at=now,
            )
        )
    )
    writes.append(statements.update_roadmap(roadmap))
    statements.run_in_order(writes)
    return current


def _value_at(*, roadmap: Roadmap, key: str, version: int) -> str:
    """The text the field held at `version` (0: never saved, empty)."""
    if version == 0:
        return ""
    change = RoadmapChange.objects.filter(roadmap=roadmap, key=key, version=version).first()
    return change.new_value if change else ""


@transaction.atomic
def roadmap_fields_save(
    *, roadmap: Roadmap, values: dict[str, tuple[str, int]], acting_user
) -> dict[str, ApplicationError]:
    """Save the fields of a whole form at once: `values` maps a key to (text, base version).

    For the page without JavaScript, which posts every field with the version it was loaded at.
    A field whose text is what is stored is skipped. So is a field whose text is still what it
    was at its base version while someone saved a newer one since: this person did not touch
    it, and posting the page back must not undo a colleague's save. Every other field is saved
    as `roadmap_field_save` saves it; the fields refused are returned with their error (a
    RoadmapConflict for a stale version; RoadmapReadOnly for each when the roadmap was
    submitted after the permission was checked), the others are saved.

    Before any field, raise PermissionRefused or RoadmapReadOnly as `roadmap_field_save` does.
    """
    _check_open(roadmap)
    permission_check(acting_user, CHANGE, roadmap, message=CANNOT_CHANGE)
    roadmap = _lock(roadmap)
    stored = selectors.roadmap_values(roadmap=roadmap)
    errors: dict[str, ApplicationError] = {}
    for key, (value, base_version) in values.items():
        current = stored.get(key)
        current_value = current.value if current else ""
        current_version = current.version if current else 0
        if value == current_value:
            continue
        if base_version != current_version and value == _value_at(
            roadmap=roadmap, key=key, version=base_version
        ):
            continue
        try:
            # A savepoint each: a field refused leaves the others saved.
            with transaction.atomic():
                _field_write(
                    roadmap=roadmap,
                    key=key,
                    value=value,
                    base_version=base_version,
                    acting_user=acting_user,
                )
        except ApplicationError as error:
            errors[key] = error
    return errors


def roadmap_missing_fields(*, roadmap: Roadmap) -> list[FieldSpec]:
    """The required fields still empty, in the template's order."""
    return roadmap_submit_check(roadmap=roadmap).missing


@dataclass(frozen=True)
class SubmitCheck:
    """What stops a submit: required fields still empty, and fields over their word limit (a
    text joined by migration 0007 may be), each in the template's order."""

    missing: list[FieldSpec]
    too_long: list[FieldSpec]

    def __bool__(self) -> bool:
        return bool(self.missing or self.too_long)


def roadmap_submit_check(*, roadmap: Roadmap) -> SubmitCheck:
    """The required fields still empty and the fields over their word limit."""
    values = {key: row.value for key, row in selectors.roadmap_values(roadmap=roadmap).items()}
    required = set(required_keys(values))
    return SubmitCheck(
        missing=[
            field
            for field in FIELDS
            if field.key in required and not _is_filled(values.get(field.key, ""))
        ],
        too_long=[field for field in FIELDS if over_limit(field, values.get(field.key, ""))],
    )


def _officers_notify(*, roadmap: Roadmap, transition: RoadmapTransition, context: dict) -> None:
    """Email the transition to each officer of the city (sent after commit), in each officer's
    language, with the templates emails/roadmap_<new status>/."""
    from notifications.services import notify

    context = {
        "roadmap": roadmap,
        "person": transition.by.get_full_name(),
        "link": site_url(reverse("roadmap_edit", args=[roadmap.pk])),
        **context,
    }
    for officer in roadmap.city.officers.order_by("pk"):
        notify(
            recipient=officer,
            template=f"roadmap_{transition.to_status}",
            context=context,
            key=f"roadmap:{roadmap.pk}:{transition.pk}:{officer.pk}",
        )


def _facilitators_notify(*, roadmap: Roadmap, transition: RoadmapTransition) -> None:
    """Email a submitted roadmap to the facilitators who review it (sent after commit), in each
    one's language, with the templates emails/roadmap_to_review/.

    Decision (issue 10): the cohort's lead facilitators and the facilitators of the thematic
    groups the city joined in the cohort (selectors.roadmap_reviewers); not the facilitators of
    the cohort's other groups, who may review it too but follow other cities.
    """
    from notifications.services import notify

    context = {
        "roadmap": roadmap,
        "person": transition.by.get_full_name(),
        "link": site_url(reverse("roadmap_edit", args=[roadmap.pk])),
    }
    for facilitator in selectors.roadmap_reviewers(roadmap=roadmap):
        notify(
            recipient=facilitator,
            template="roadmap_to_review",
            context=context,
            key=f"roadmap:{roadmap.pk}:{transition.pk}:review:{facilitator.pk}",
        )


def _transition(*, roadmap: Roadmap, to_status: str, acting_user, note: str) -> RoadmapTransition:
    now = timezone.now()
    transition = RoadmapTransition.objects.create(
        roadmap=roadmap,
        from_status=roadmap.status,
        to_status=to_status,
        by=acting_user,
        at=now,
        note=note,
    )
    roadmap.status = to_status
    roadmap.updated_at = now
    if to_status == RoadmapStatus.SUBMITTED:
        roadmap.submitted_at = now
    if to_status == RoadmapStatus.ACCEPTED:
        roadmap.accepted_at = now
    roadmap.save(update_fields=["status", "updated_at", "submitted_at", "accepted_at"])
    return transition


@transaction.atomic
def roadmap_submit(*, roadmap: Roadmap, acting_user) -> Roadmap:
    """Submit the roadmap for review as `acting_user`.

    Raise PermissionRefused unless they may (roadmaps.submit_roadmap), RoadmapAlreadySubmitted
    for a roadmap submitted or accepted, and RoadmapIncomplete while required parts are empty.
    From then on the roadmap is read-only for everyone until a facilitator returns it.
    """
    _check_open(roadmap, RoadmapAlreadySubmitted)
    permission_check(acting_user, SUBMIT, roadmap)
    roadmap = _lock(roadmap)
    _check_open(roadmap, RoadmapAlreadySubmitted)
    check = roadmap_submit_check(roadmap=roadmap)
    if check:
        raise RoadmapIncomplete(missing=check.missing, too_long=check.too_long)
    transition = _transition(
        roadmap=roadmap, to_status=RoadmapStatus.SUBMITTED, acting_user=acting_user, note=""
    )
    _officers_notify(roadmap=roadmap, transition=transition, context={})
    _facilitators_notify(roadmap=roadmap, transition=transition)
    signals.roadmap_submitted.send(sender=Roadmap, roadmap=roadmap)
    return roadmap


@transaction.atomic
def roadmap_comment_add(
    *, roadmap: Roadmap, section: str, body: str, acting_user
) -> RoadmapComment:
    """Comment on one section of the roadmap as `acting_user`, its author: a facilitator of its
    cohort or an admin (roadmaps.comment_roadmap, else PermissionRefused)."""
    permission_check(acting_user, COMMENT, roadmap)
    if section not in SECTIONS_BY_KEY:
        raise ApplicationError(_("Choose a section of the roadmap."), field="section")
    if not body.strip():
        raise ApplicationError(_("Write a comment."), field="body")
    return RoadmapComment.objects.create(
        roadmap=roadmap, section=section, body=body.strip(), author=acting_user
    )


def _review(*, roadmap: Roadmap, acting_user, note: str, to_status: str) -> Roadmap:
    permission_check(acting_user, REVIEW, roadmap)
    roadmap = _lock(roadmap)
    if roadmap.status != RoadmapStatus.SUBMITTED:
        raise ApplicationError(
            _("Only a submitted roadmap can be reviewed; this one is %(status)s.")
            % {"status": roadmap.get_status_display().lower()},
            code="not_submitted",
        )
    since = roadmap.submitted_at
    transition = _transition(
        roadmap=roadmap, to_status=to_status, acting_user=acting_user, note=note.strip()
    )
    # The comments written during this review, section by section, so the city reads them
    # without opening the page.
    comments = roadmap.comments.filter(created_at__gte=since).order_by("created_at", "pk")
    by_section = [
        (section.title, comment.body)
        for section in SECTIONS_BY_KEY.values()
        for comment in comments
        if comment.section == section.key
    ]
    _officers_notify(
        roadmap=roadmap,
        transition=transition,
        context={"note": transition.note, "comments": by_section},
    )
    return roadmap


@transaction.atomic
def roadmap_return(*, roadmap: Roadmap, acting_user, note: str = "") -> Roadmap:
    """Return a submitted roadmap to the city with the comments: it is editable again.

    Raise PermissionRefused unless `acting_user` may review it (roadmaps.review_roadmap), and
    ApplicationError (code "not_submitted") for a roadmap that is not submitted.
    """
    return _review(
        roadmap=roadmap, acting_user=acting_user, note=note, to_status=RoadmapStatus.RETURNED
    )


@transaction.atomic
def roadmap_accept(*, roadmap: Roadmap, acting_user, note: str = "") -> Roadmap:
    """Accept a submitted roadmap: it is completed (the city's extra point for study visits).

    Refused as `roadmap_return` is.
    """
    return _review(
        roadmap=roadmap, acting_user=acting_user, note=note, to_status=RoadmapStatus.ACCEPTED
    )


def roadmap_completed_since(*, city: City, cohort: Cohort) -> datetime.datetime | None:
    """When the city's roadmap in the cohort was accepted; None when it is not completed."""
    return (
        Roadmap.objects.filter(city=city, cohort=cohort, status=RoadmapStatus.ACCEPTED)
        .values_list("accepted_at", flat=True)
        .first()
    )
