"""The data version of the surveys' lists (feedback.selectors.SURVEYS): what the home page
shows of the surveys open to a person and of their answer's state.

Raised by a survey's save or deletion (published, dates, title), and by a response's creation,
status change or deletion and a participation's creation, in the same transaction
(portal.fragments.bump_on_change). A draft's page save changes neither state nor list, and
raises nothing: many people saving pages would otherwise renew every person's cached home
page.
"""

from django.db.models.signals import post_delete, post_save

from feedback.models import Participation, Response, Survey
from feedback.selectors import SURVEYS
from portal.fragments import bump

_connected = False


def _always(sender, instance, raw=False, **kwargs):
    if not raw:
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
    post_save.connect(_on_response_saved, sender=Response, dispatch_uid="feedback-versions-resp")
    post_delete.connect(_always, sender=Response, dispatch_uid="feedback-versions-resp-del")
