"""The reminder rules page: each rule of the catalogue, who gets it and when, on or off, and
the form that changes it (programme admins only: reminders.rules `reminders.change_rules`).

A change is saved through reminders.services.rule_update and applies at the next evaluation of
the rules (every minute); reminders already planned are checked again when they are sent.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from notifications.enums import ReminderKind
from portal.errors import ApplicationError
from portal.permissions import permission_check
from reminders import services
from reminders.forms import RULE_FIELDS, RuleForm
from reminders.selectors import rule_rows
from reminders.timing import offsets_format
from reminders.views_outbox import in_person_zone

CHANGE_RULES = "reminders.change_rules"


@login_required
@require_GET
@in_person_zone
def rule_list(request):
    permission_check(request.user, CHANGE_RULES)
    rows = rule_rows()
    return render(
        request,
        "reminders/rule_list.html",
        {
            "rows": [(row, offsets_format(row.setting.offsets, row.rule.timing)) for row in rows],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@in_person_zone
def rule_edit(request, kind):
    found = rule_rows(kinds={kind})
    if not found:
        raise Http404
    row = found[0]
    form = RuleForm(
        request.POST if request.method == "POST" else None, rule=row.rule, setting=row.setting
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.rule_update(
                acting_user=request.user,
                kind=kind,
                enabled=data["enabled"],
                offsets=data["timing"],
                max_reminders=data.get("max_reminders"),
                min_gap_days=data.get("min_gap_days"),
            )
        except ApplicationError as error:
            form.add_error(RULE_FIELDS.get(error.field), error.message)
        else:
            messages.success(
                request,
                _(
                    "“%(rule)s” is saved. It applies from the next evaluation of the rules, "
                    "within a minute."
                )
                % {"rule": ReminderKind(kind).label},
            )
            return redirect(reverse("reminders_rules") + f"#rule-{kind}")
    else:
        permission_check(request.user, CHANGE_RULES)
    return render(
        request,
        "reminders/rule_edit.html",
        {"row": row, "form": form},
        status=400 if form.is_bound and form.errors else 200,
    )
