"""The data version of the surveys' lists (feedback.selectors.SURVEYS): what the home page
shows of the surveys open to a person and of their answer's state.

And each survey's structure version (feedback.selectors.structure_scope): its sections,
questions and options, which answering keeps in the cache (feedback.answering.survey_structure);
raised with STRUCTURES, every survey's at once (the builder's list of surveys).

The list's version is raised by a survey's save or deletion (published, dates, title), and by
a response's creation, status change or deletion and a participation's creation, in the same
transaction. A draft's page save changes neither state nor list, and
raises nothing: many people saving pages would otherwise renew every person's cached home
page.
"""

from django.db.models.signals import post_delete, post_save

from feedback.models import Option, Participation, Question, Response, Section, Survey
from feedback.selectors import STRUCTURES, SURVEYS, structure_scope
from portal.fragments import bump

_connected = False


def _survey_id_of(instance):
    if isinstance(instance, Section):
        return instance.survey_id
    if isinstance(instance, Question):
        section = instance._state.fields_cache.get("section")
        if section is not None:
            return section.survey_id
        return (
            Section.objects.filter(pk=instance.section_id).values_list("survey", flat=True).first()
        )
    # An option: through its question when loaded with it (no query), else one query.
    question = instance._state.fields_cache.get("question")
    if question is not None and "section" in question._state.fields_cache:
        return question.section.survey_id
    return (
        Question.objects.filter(pk=instance.question_id)
        .values_list("section__survey", flat=True)
        .first()
    )


def _on_structure_changed(sender, instance, raw=False, **kwargs):
    # A survey's pages, questions and options (answering keeps them in the cache under this).
    if raw:
        return
    survey_id = _survey_id_of(instance)
    if survey_id is not None:
        bump(structure_scope(survey_id), STRUCTURES)


def _always(sender, instance, raw=False, **kwargs):
    if not raw:
        if isinstance(instance, Survey):
            bump(SURVEYS, structure_scope(instance.pk), STRUCTURES)
        else:
            bump(SURVEYS)


def _on_response_saved(sender, instance, created=False, update_fields=None, raw=False, **kwargs):
    if raw:
        return
    if created or update_fields is None or "status" in update_fields:
        bump(SURVEYS)


def connect() -> None:
    global _connected
    if _connected:
        return
    _connected = True
    for model in (Survey, Participation):
        post_save.connect(_always, sender=model, dispatch_uid=f"feedback-versions-{model.__name__}")
        post_delete.connect(
            _always, sender=model, dispatch_uid=f"feedback-versions-del-{model.__name__}"
        )
    for model in (Section, Question, Option):
        post_save.connect(
            _on_structure_changed, sender=model, dispatch_uid=f"feedback-structure-{model.__name__}"
        )
        # Deleting a question deletes its options first (cascade): the question is still there
        # to find the survey by.
        post_delete.connect(
            _on_structure_changed,
            sender=model,
            dispatch_uid=f"feedback-structure-del-{model.__name__}",
        )
    post_save.connect(_on_response_saved, sender=Response, dispatch_uid="feedback-versions-resp")
    post_delete.connect(_always, sender=Response, dispatch_uid="feedback-versions-resp-del")
