"""The action plan a selected city writes or uploads after its visit (issue 12: "each visit
ends with an action plan"): `Application.action_plan` (text) and `action_plan_file` (a file
kept through Django's storage), read back only through a permission-checked view
(visits.views_allocation.action_plan_download).

Decision: a file is a PDF, a Word or OpenDocument text, or plain text, of at most
ACTION_PLAN_MAX_BYTES: what a city's plan is written in, and nothing a browser would run.
The type is judged from the name's ending and, for PDF and the zipped formats, from the first
bytes, so a renamed file of another kind is refused with the same message.
"""

from __future__ import annotations

import os

from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from portal.errors import ApplicationError
from portal.permissions import permission_check
from visits.models import APPLICATION_TEXT_MAX, Application

WRITE = "visits.write_action_plan"
ACTION_PLAN_MAX_BYTES = 10 * 1024 * 1024
# Name ending -> the bytes such a file starts with (None: plain text, any bytes).
ACTION_PLAN_TYPES = {
    ".pdf": b"%PDF-",
    ".docx": b"PK\x03\x04",
    ".odt": b"PK\x03\x04",
    ".txt": None,
}


def action_plan_file_check(upload) -> None:
    """Refuse a file too large or of a type not accepted, with a message saying what is."""
    if upload.size > ACTION_PLAN_MAX_BYTES:
        raise ApplicationError(
            _("The file is %(size)s: an action plan file may be at most %(max)s.")
            % {
                "size": filesizeformat(upload.size),
                "max": filesizeformat(ACTION_PLAN_MAX_BYTES),
            },
            field="action_plan_file",
        )
    ending = os.path.splitext(upload.name)[1].lower()
    accepted = _("Upload a PDF, a Word (.docx) or OpenDocument (.odt) text, or a .txt file.")
    if ending not in ACTION_PLAN_TYPES:
        raise ApplicationError(accepted, field="action_plan_file")
    magic = ACTION_PLAN_TYPES[ending]
    if magic is not None:
        upload.seek(0)
        start = upload.read(len(magic))
        upload.seek(0)
        if start != magic:
            raise ApplicationError(
                _("This file is not the %(kind)s its name says. %(accepted)s")
                % {"kind": ending.lstrip(".").upper(), "accepted": accepted},
                field="action_plan_file",
            )


def application_action_plan_save(
    *, acting_user, application: Application, text: str, upload=None, remove_file: bool = False
) -> Application:
    """Save the city's action plan as `acting_user`, one of its officers, once the visit it was
    selected for is over (visits.write_action_plan): the text, and a new file (replacing the
    old one) or the removal of the file. The old file is deleted from the storage only after
    the commit, so a rolled-back save loses nothing."""
    permission_check(acting_user, WRITE, application)
    text = text.strip()
    if len(text) > APPLICATION_TEXT_MAX:
        raise ApplicationError(
            _("The action plan may be at most %(max)s characters long (it has %(n)s).")
            % {"max": APPLICATION_TEXT_MAX, "n": len(text)},
            field="action_plan",
        )
    if upload is not None:
        action_plan_file_check(upload)
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=application.pk)
        old_name = application.action_plan_file.name
        keeps_file = upload is not None or (bool(old_name) and not remove_file)
        if not text and not keeps_file:
            raise ApplicationError(
                _("Write the action plan or upload it as a file."), field="action_plan"
            )
        application.action_plan = text
        if upload is not None:
            # Stored under a name of the storage's choosing; the city's file name is kept as
            # its last part.
            application.action_plan_file.save(os.path.basename(upload.name), upload, save=False)
        elif remove_file:
            application.action_plan_file = ""
        application.save(update_fields=["action_plan", "action_plan_file", "updated_at"])
        new_name = application.action_plan_file.name
        if old_name and old_name != new_name:
            storage = application.action_plan_file.storage
            transaction.on_commit(lambda: storage.delete(old_name), robust=True)
    return application
