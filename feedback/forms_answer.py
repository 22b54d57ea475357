"""The answering page's form: the POST of one survey page read into the answers
feedback.answering takes (its docstring gives their shape), and the values a page shows.

The inputs are drawn by templates/feedback/answer/_question.html, named by question id:
`q<id>` (the option, options, point or text; "na" for "Not applicable"), `q<id>-other` (the
text of "Other"), `q<id>-o<option id>` (a ranking's rank of each option) and
`q<id>-r<row id>` (a matrix row's point). What cannot be read (a number that is not one) is
refused here, with the same message the service gives for an answer off the list.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

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
