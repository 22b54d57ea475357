"""People's control of their reminders: the preferences page, and the unsubscribe link of every
reminder email (issue 13, "People's control").

The admins' pages are in views_outbox.py (the outbox) and views_rules.py (the rules).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from notifications.enums import ReminderKind
from portal.errors import ApplicationError
from portal.permissions import permission_check
from reminders import planning, services
from reminders.catalogue import RULES
from reminders.forms import PreferencesForm
from reminders.models import ReminderOptOut
from reminders.selectors import opted_out_kinds, reminder_rules_for

CHOOSE = "reminders.choose_reminders"


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    """Each kind of reminder that can reach the person, with a checkbox: ticked, they get it by
    email. Service messages (password reset, decisions, invitations) are always sent."""
    user = request.user
    rules = reminder_rules_for(user=user)
    disabled = {
        kind for kind, setting in planning.settings_of_rules().items() if not setting.enabled
    }
    opted_out = opted_out_kinds(address=user.email)
    form = PreferencesForm(
        request.POST if request.method == "POST" else None,
        rules=rules,
        opted_out=opted_out,
        disabled=disabled,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.opt_outs_set(acting_user=user, kinds_off=form.kinds_off())
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Your choice of reminders is saved."))
            return redirect("reminders_preferences")
    else:
        permission_check(user, CHOOSE)
    return render(
        request,
        "reminders/preferences.html",
        {
            "form": form,
            "address": user.email,
            # What the checkboxes show, the key of their cached markup (with the page's address
            # and language): each kind offered, whether it is ticked, whether it is off for all.
            "fields_key": [
                (rule.kind, rule.kind not in opted_out, rule.kind in disabled) for rule in rules
            ],
        },
        status=400 if form.is_bound and form.errors else 200,
    )


# --- The unsubscribe link ------------------------------------------------------------------------

# Why a link cannot be used, with the status of the page that says so.
TAMPERED, EXPIRED, UNKNOWN_KIND = "tampered", "expired", "unknown_kind"
REFUSED_STATUS = {TAMPERED: 400, EXPIRED: 400, UNKNOWN_KIND: 404}
ONE_CLICK_BODY = "List-Unsubscribe=One-Click"


def _link_problem(token: str) -> str:
    """Why reminders.planning.unsubscribe_read refused `token`: its signature does not match
    (the link was changed or cut short), it is older than UNSUBSCRIBE_MAX_AGE, or it names a
    kind of reminder that no longer exists."""
    try:
        signing.loads(token, salt=planning.UNSUBSCRIBE_SALT, max_age=planning.UNSUBSCRIBE_MAX_AGE)
    except signing.SignatureExpired:
        return EXPIRED
    except signing.BadSignature:
        return TAMPERED
    return UNKNOWN_KIND


@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """Turn off one kind of reminder for the address an email was sent to, without signing in.

    Decisions:
    - A GET never changes anything: mail scanners and link previews open every link of an
      email, so the page shows the kind and the address and one button, "Unsubscribe", which
      POSTs. A POST is also what mail clients send for RFC 8058 one-click unsubscribe (the
      email's List-Unsubscribe-Post header; the body is "List-Unsubscribe=One-Click"); both
      answer with the confirmation page.
    - csrf_exempt, on this view only: a mail client's one-click POST has no CSRF token, and
      cannot have one. Nothing here needs the protection: the POST acts on no session or
      account, only on the address and kind signed into the link, which is the credential
      (planning.unsubscribe_token), and it can only turn a reminder off, the same way each time.
    - A link that cannot be used changes nothing and says why: 400 when it was changed or cut
      short (the signature does not match) or is older than 180 days (planning.
      UNSUBSCRIBE_MAX_AGE): the request is bad, not the page; 404 when it names a kind of
      reminder that no longer exists. Each page links to the preferences page, where a
      signed-in person chooses their reminders.
    """
    found = planning.unsubscribe_read(token)
    if found is None:
        problem = _link_problem(token)
        return render(
            request,
            "reminders/unsubscribe_refused.html",
            {"problem": problem, "max_age_days": planning.UNSUBSCRIBE_MAX_AGE.days},
            status=REFUSED_STATUS[problem],
        )
    address, kind = found
    context = {"address": address, "kind": kind, "kind_label": ReminderKind(kind).label}
    if request.method == "POST":
        # The page's button and a mail client's one-click POST ("List-Unsubscribe=One-Click")
        # do the same.
        changed = services.unsubscribe(address=address, kind=kind)
        return render(request, "reminders/unsubscribe_done.html", {**context, "changed": changed})
    return render(
        request,
        "reminders/unsubscribe.html",
        {
            **context,
            "already": ReminderOptOut.objects.filter(address=address, kind=kind).exists(),
            "description": RULES[kind].description,
        },
    )
