"""The answering page's form: the POST of one survey page read into the answers
feedback.answering takes (its docstring gives their shape), and the values a page shows.

The inputs are drawn here (question_html, at the end), named by question id:
`q<id>` (the option, options, point or text; "na" for "Not applicable"), `q<id>-other` (the
text of "Other"), `q<id>-o<option id>` (a ranking's rank of each option) and
`q<id>-r<row id>` (a matrix row's point). What cannot be read (a number that is not one) is
refused here, with the same message the service gives for an answer off the list.
"""

from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from feedback.enums import CHOICE_KINDS, EXTENT_LABELS, SCALE_POINTS, TEXT_KINDS, QuestionKind


class _Unreadable(Exception):
    pass


def _int(raw: str) -> int:
    try:
        return int(raw)
    except (TypeError, ValueError):
        raise _Unreadable from None


def _optional_int(raw: str | None) -> int | None:
    return None if raw in (None, "") else _int(raw)


def read_page(questions, post) -> tuple[dict, dict[int, str]]:
    """The answers of the page's questions, and the messages of those that cannot be read."""
    data: dict[int, dict] = {}
    errors: dict[int, str] = {}
    for question in questions:
        name = f"q{question.pk}"
        try:
            data[question.pk] = _read(question, name, post)
        except _Unreadable:
            errors[question.pk] = _("“%(q)s”: choose one of the options offered.") % {
                "q": question.text
            }
    return data, errors


def _read(question, name, post) -> dict:
    kind = question.kind
    other = post.get(f"{name}-other", "")
    if kind == QuestionKind.SINGLE_CHOICE:
        return {"option": _optional_int(post.get(name)), "other": other}
    if kind == QuestionKind.MULTIPLE_CHOICE:
        return {"options": [_int(raw) for raw in post.getlist(name) if raw != ""], "other": other}
    if kind in TEXT_KINDS:
        return {"text": post.get(name, "")}
    if kind == QuestionKind.RANKING:
        return {"ranks": _by_option(post, f"{name}-o")}
    if kind == QuestionKind.MATRIX:
        return {"rows": _by_option(post, f"{name}-r")}
    raw = post.get(name)
    if raw == "na":
        return {"number": None, "not_applicable": True}
    return {"number": _optional_int(raw), "not_applicable": False}


def _by_option(post, prefix: str) -> dict[int, int]:
    found = {}
    for key in post:
        if key.startswith(prefix) and post.get(key, "") != "":
            found[_int(key[len(prefix) :])] = _int(post.get(key))
    return found


def values_of(answers) -> dict[int, dict]:
    """The stored answers as read_page gives them, by question id."""
    values: dict[int, dict] = {}
    for answer in answers:
        value = values.setdefault(answer.question_id, {})
        if answer.option_id is not None:
            value.setdefault("options", []).append(answer.option_id)
            value["option"] = answer.option_id
            value.setdefault("ranks", {})[answer.option_id] = answer.number
            value.setdefault("rows", {})[answer.option_id] = answer.number
            if answer.text:
                value["other"] = answer.text
        else:
            value["number"] = answer.number
            value["not_applicable"] = answer.not_applicable
            value["text"] = answer.text
    return values


@dataclass
class Point:
    value: str
    label: str
    checked: bool


def _points(question, chosen) -> list[Point]:
    kind = QuestionKind.MATRIX if question.kind == QuestionKind.MATRIX else question.kind
    numbers = list(SCALE_POINTS[kind])
    labels = list(question.scale_labels or [])
    if not labels and question.kind == QuestionKind.EXTENT:
        labels = [str(label) for label in EXTENT_LABELS]
    points = []
    for index, number in enumerate(numbers):
        label = str(number)
        if index < len(labels) and labels[index]:
            label = f"{number} · {labels[index]}"
        points.append(Point(str(number), label, chosen == number))
    return points


def decorate(questions, values: dict[int, dict], errors: dict[int, str]) -> None:
    """Give each question what its template draws: `error`, and its options' or points'
    state from `values`."""
    for question in questions:
        value = values.get(question.pk, {})
        question.error = errors.get(question.pk, "")
        question.is_choice = question.kind in CHOICE_KINDS
        question.is_multiple = question.kind == QuestionKind.MULTIPLE_CHOICE
        question.is_text = question.kind in TEXT_KINDS
        question.is_long = question.kind == QuestionKind.LONG_TEXT
        question.text_value = value.get("text", "")
        question.other_value = value.get("other", "")
        question.not_applicable = bool(value.get("not_applicable"))
        if question.kind in (QuestionKind.RATING, QuestionKind.SCALE_0_10, QuestionKind.EXTENT):
            question.points = _points(question, value.get("number"))
        options = getattr(question, "option_list", [])
        chosen = set(value.get("options") or [])
        if value.get("option") is not None:
            chosen.add(value["option"])
        ranks = value.get("ranks") or {}
        rows = value.get("rows") or {}
        question.rank_choices = [str(n) for n in range(1, len(options) + 1)]
        question.any_checked = bool(chosen & {option.pk for option in options})
        for option in options:
            option.checked = option.pk in chosen
            option.rank = str(ranks.get(option.pk) or "")
            if question.kind == QuestionKind.MATRIX:
                option.points = _points(question, rows.get(option.pk))
        question.inputs = inputs_html(question)
        question.html = question_html(question)


# --- the inputs, drawn in Python ---------------------------------------------------------------
#
# Decision: a page of ten questions draws a few hundred radio buttons, and drawn by the template
# language each costs tens of microseconds (the page was 8x the floor); joined here from
# escaped strings they cost a fraction of that, as portal/form_rendering.py does for <select>.


def _choice(kind: str, name: str, input_id: str, value: str, label: str, checked: bool, extra=""):
    return (
        f'<div class="choice"><input type="{kind}" name="{name}" id="{input_id}" '
        f'value="{value}"{" checked" if checked else ""}{extra}>'
        f'<label for="{input_id}">{escape(label)}</label></div>'
    )


def _point_choices(name: str, points, *, not_applicable=None) -> str:
    parts = [
        _choice("radio", name, f"{name}-{p.value}", p.value, p.label, p.checked) for p in points
    ]
    if not_applicable is not None:
        parts.append(
            _choice("radio", name, f"{name}-na", "na", _("Not applicable"), not_applicable)
        )
    return "".join(parts)


def inputs_html(question) -> str:
    """The inputs of a choice, scale, ranking or matrix question ("" for a text question)."""
    name = f"q{question.pk}"
    kind = question.kind
    options = getattr(question, "option_list", [])
    if kind in CHOICE_KINDS:
        input_type = "checkbox" if kind == QuestionKind.MULTIPLE_CHOICE else "radio"
        parts = ['<div class="choices">']
        for option in options:
            parts.append(
                _choice(
                    input_type,
                    name,
                    f"{name}-{option.pk}",
                    str(option.pk),
                    option.label,
                    option.checked,
                    f' data-option="{option.pk}"',
                )
            )
            if option.is_other:
                parts.append(
                    f'<div class="other-text"><label for="{name}-other">'
                    f"{escape(_('Please specify'))}</label>"
                    f'<input type="text" name="{name}-other" id="{name}-other" '
                    f'value="{escape(question.other_value)}"></div>'
                )
        if kind == QuestionKind.SINGLE_CHOICE and not question.is_required:
            parts.append(
                _choice("radio", name, f"{name}-none", "", _("No answer"), not question.any_checked)
            )
        parts.append("</div>")
        return mark_safe("".join(parts))
    if kind == QuestionKind.RANKING:
        hint = _(
            "Give each option a rank, 1 first. Leave an option without a rank to leave it out."
        )
        parts = [f'<p class="help">{escape(hint)}</p>']
        for option in options:
            select_id = f"{name}-o{option.pk}"
            choices = [f'<option value="">{escape(_("No rank"))}</option>']
            choices += [
                f'<option value="{rank}"{" selected" if rank == option.rank else ""}>'
                f"{rank}</option>"
                for rank in question.rank_choices
            ]
            parts.append(
                f'<div class="rank-row"><label for="{select_id}">{escape(option.label)}</label>'
                f'<select name="{select_id}" id="{select_id}">{"".join(choices)}</select></div>'
            )
        return mark_safe("".join(parts))
    if kind == QuestionKind.MATRIX:
        parts = []
        for option in options:
            row_name = f"{name}-r{option.pk}"
            parts.append(
                f'<fieldset class="matrix-row"><legend>{escape(option.label)}</legend>'
                f'<div class="choices choices-inline">{_point_choices(row_name, option.points)}'
                "</div></fieldset>"
            )
        return mark_safe("".join(parts))
    if kind in (QuestionKind.RATING, QuestionKind.SCALE_0_10, QuestionKind.EXTENT):
        inline = "" if kind == QuestionKind.EXTENT else " choices-inline"
        offered = kind == QuestionKind.EXTENT and question.allows_not_applicable
        return mark_safe(
            f'<div class="choices{inline}">'
            + _point_choices(
                name, question.points, not_applicable=question.not_applicable if offered else None
            )
            + "</div>"
        )
    return ""


def question_html(question) -> str:
    """The whole question: its label or legend, notes, message and inputs (the template
    templates/feedback/answer/page.html places it; drawn here for the reason above)."""
    pk = question.pk
    required = (
        f' <span class="required">({escape(_("required"))})</span>' if question.is_required else ""
    )
    notes = []
    if getattr(question, "condition_here", False):
        notes.append(
            _("Only if you answered “%(option)s” above.") % {"option": question.shown_if.label}
        )
    if getattr(question, "reuse_note", ""):
        # The needs assessment's questions shared with the city's profile or roadmap
        # (feedback/needs_prefill.py).
        notes.append(question.reuse_note)
    help_id = f"q{pk}-help"
    error_id = f"q{pk}-error"
    help_html = (
        f'<p class="help" id="{help_id}">{escape(question.help_text)}</p>'
        if question.help_text
        else ""
    )
    error_html = (
        f'<p class="field-error" id="{error_id}">{escape(question.error)}</p>'
        if question.error
        else ""
    )
    classes = "survey-question has-error" if question.error else "survey-question"
    condition = (
        f' data-shown-if="{question.shown_if_id}"'
        if getattr(question, "condition_here", False)
        else ""
    )
    head = f'<div class="{classes}" id="q{pk}" data-question="{pk}"{condition}>'
    if question.is_text:
        if question.max_length:
            notes.append(
                ngettext(
                    "At most %(count)d character.",
                    "At most %(count)d characters.",
                    question.max_length,
                )
                % {"count": question.max_length}
            )
        described = (
            f' aria-invalid="true" aria-describedby="{error_id}"'
            if question.error
            else (f' aria-describedby="{help_id}"' if question.help_text else "")
        )
        limit = f' maxlength="{question.max_length}"' if question.max_length else ""
        name = f"q{pk}"
        if question.is_long:
            field = (
                f'<textarea name="{name}" id="{name}-input" rows="5"{limit}{described}>'
                f"{escape(question.text_value)}</textarea>"
            )
        else:
            field = (
                f'<input type="text" name="{name}" id="{name}-input" '
                f'value="{escape(question.text_value)}"{limit}{described}>'
            )
        note_html = "".join(f'<p class="help">{escape(note)}</p>' for note in notes)
        return mark_safe(
            f'{head}<label for="{name}-input">{escape(question.text)}{required}</label>'
            f"{help_html}{note_html}{error_html}{field}</div>"
        )
    if question.max_choices:
        notes.append(
            ngettext(
                "Choose at most %(count)d option.",
                "Choose at most %(count)d options.",
                question.max_choices,
            )
            % {"count": question.max_choices}
        )
    note_html = "".join(f'<p class="help">{escape(note)}</p>' for note in notes)
    described = f' aria-describedby="{error_id}"' if question.error else ""
    return mark_safe(
        f"{head}<fieldset{described}><legend>{escape(question.text)}{required}</legend>"
        f"{help_html}{note_html}{error_html}{question.inputs}</fieldset></div>"
    )
