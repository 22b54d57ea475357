"""The application form (visits/views_applying.py): read what was posted into an
`ApplicationDraft`, and lay the draft out for the page. The checks are the service's
(`visits.applying.draft_errors`), so the page, the autosave and any later API refuse the same
input with the same message; this module only reads the fields.

Field names: `choice_<n>` (the visit ranked n-th, 1 first), `motivation`,
`spotlight_challenge`, `delegate-<i>-name|role|email` (i from 0), `question-<key>`.
"""

from dataclasses import dataclass

from visits.applying import ApplicationDraft, DelegateEntry, delegates_limit
from visits.models import Application, Visit

# The most delegate rows read from a request: a limit far above any visit's, so that naming too
# many is told (the service's message) rather than silently cut.
DELEGATE_ROWS_READ = 50


def _text(data, name: str) -> str:
    value = data.get(name, "")
    if isinstance(value, list):
        value = value[0] if value else ""
    return str(value).replace("\r\n", "\n").strip()


def read_draft(data, *, visits: list[Visit], questions: list[dict]) -> ApplicationDraft:
    """The draft posted in `data` (a QueryDict or, from the autosave, a dict of texts). A choice
    left empty is skipped; one that is not a number is kept as 0 so that the service tells it."""
    preferences = []
    for position in range(1, len(visits) + 1):
        raw = _text(data, f"choice_{position}")
        if raw:
            preferences.append(int(raw) if raw.isdigit() else 0)
    delegates = []
    for index in range(DELEGATE_ROWS_READ):
        entry = DelegateEntry(
            name=_text(data, f"delegate-{index}-name"),
            role=_text(data, f"delegate-{index}-role"),
            email=_text(data, f"delegate-{index}-email"),
        )
        delegates.append(entry)
    while delegates and delegates[-1].is_empty:
        delegates.pop()
    answers = {
        question["key"]: _text(data, f"question-{question['key']}") for question in questions
    }
    return ApplicationDraft(
        preferences=preferences,
        motivation=_text(data, "motivation"),
        spotlight_challenge=_text(data, "spotlight_challenge"),
        delegates=delegates,
        answers=answers,
    )


def saved_draft(application: Application) -> ApplicationDraft:
    """The draft as saved (application_for_page has loaded its rows)."""
    return ApplicationDraft(
        preferences=[visit.pk for visit in application.ranked_visits],
        motivation=application.motivation,
        spotlight_challenge=application.spotlight_challenge,
        delegates=[
            DelegateEntry(name=d.name, role=d.role, email=d.email)
            for d in application.delegate_rows
        ],
        answers=dict(application.answers),
    )


@dataclass
class ChoiceSlot:
    position: int
    chosen: int | None
    error: str


@dataclass
class DelegateRow:
    index: int
    entry: DelegateEntry
    errors: dict


@dataclass
class QuestionRow:
    key: str
    text: str
    required: bool
    value: str
    error: str


@dataclass
class FormLayout:
    choices: list[ChoiceSlot]
    delegates: list[DelegateRow]
    delegates_limit: int
    questions: list[QuestionRow]


def layout(
    draft: ApplicationDraft, *, visits: list[Visit], questions: list[dict], errors: dict
) -> FormLayout:
    """The rows of the form: one choice per visit, the delegate rows (as many as the limit, and
    more when more were posted, so that nothing typed is lost), the call's questions."""
    choices = [
        ChoiceSlot(
            position=position,
            chosen=draft.preferences[position - 1] if position <= len(draft.preferences) else None,
            error=errors.get(f"choice_{position}", ""),
        )
        for position in range(1, len(visits) + 1)
    ]
    limit = delegates_limit(visits, draft.preferences)
    entries = list(draft.delegates)
    while len(entries) < max(limit, 1):
        entries.append(DelegateEntry())
    delegates = [
        DelegateRow(
            index=index,
            entry=entry,
            errors={
                part: errors.get(f"delegate-{index}-{part}", "")
                for part in ("name", "role", "email")
            },
        )
        for index, entry in enumerate(entries)
    ]
    rows = [
        QuestionRow(
            key=question["key"],
            text=question["text"],
            required=bool(question.get("required")),
            value=draft.answers.get(question["key"], ""),
            error=errors.get(f"question-{question['key']}", ""),
        )
        for question in questions
    ]
    return FormLayout(choices=choices, delegates=delegates, delegates_limit=limit, questions=rows)
