import hashlib

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import services
from accounts.forms import ApiTokenForm, ProfileForm, facilitator_label
from accounts.middleware import set_language_cookie
from accounts.selectors import api_tokens_of, facilitators_matching, token_holders_visible_to
from portal.errors import ApplicationError
from portal.permissions import object_for, permission_check
from portal.widgets import search_query, search_response


@login_required
@require_GET
def facilitator_search(request):
    """Facilitators whose name, email address or organisation contains ?q=, as JSON for the
    facilitator search boxes (portal/widgets.py). Only facilitators and admins give people
    cohorts, groups and sessions, so only they may list the facilitators: others get 403."""
    permission_check(request.user, "accounts.list_facilitators")
    query = search_query(request)
    if query is None:
        return search_response(get_user_model().objects.none())
    return search_response(
        facilitators_matching(user=request.user, query=query), label=facilitator_label
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def api_token_list(request):
    """The person's API tokens, a form to make one, and the new token's secret once.

    The secret is shown in the answer to the POST itself, never stored or put in a message
    that a later page could show again; never_cache keeps the browser from keeping the page.
    """
    form = ApiTokenForm(request.POST or None)
    created = secret = None
    if request.method == "POST" and form.is_valid():
        try:
            created, secret = services.api_token_create(
                user=request.user,
                name=form.cleaned_data["name"],
                lifetime_days=form.cleaned_data["lifetime_days"],
                acting_user=request.user,
            )
        except ApplicationError as error:
            form.add_error(error.field, error.message)
        else:
            form = ApiTokenForm()
    return render(
        request,
        "accounts/api_tokens.html",
        {
            "form": form,
            "tokens": api_tokens_of(user=request.user),
            "created": created,
            "secret": secret,
        },
    )


@login_required
@require_POST
def api_token_revoke(request, pk):
    token = api_tokens_of(user=request.user).filter(pk=pk).first()
    if token is None:
        # A second click on "Revoke", or a token revoked in another tab or by an admin. Someone
        # else's token gets the same answer, so its id tells nothing about it.
        messages.info(request, _("This token was already revoked."))
        return redirect("api_token_list")
    services.api_token_revoke(token=token, acting_user=request.user)
    messages.success(request, _("The token “%(name)s” is revoked.") % {"name": token.name})
    return redirect("api_token_list")


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def person_api_tokens(request, pk):
    """A person's API tokens, for programme admins (anyone else: 404): each revoked on its own
    or all at once, and, for a script account, a form to make one, whose secret is shown once
    in the answer to the POST (as on one's own tokens page)."""
    person = object_for(request.user, token_holders_visible_to(user=request.user), pk=pk)
    may_create = request.user.has_perm("accounts.create_api_token", person)
    form = ApiTokenForm(request.POST or None)
    created = secret = None
    if request.method == "POST":
        if not form.is_valid():
            # The service was not reached: ask what it would have asked.
            permission_check(request.user, "accounts.create_api_token", person)
        else:
            try:
                created, secret = services.api_token_create(
                    user=person,
                    name=form.cleaned_data["name"],
                    lifetime_days=form.cleaned_data["lifetime_days"],
                    acting_user=request.user,
                )
            except ApplicationError as error:
                form.add_error(error.field, error.message)
            else:
                form = ApiTokenForm()
    tokens = list(api_tokens_of(user=person))
    return render(
        request,
        "accounts/person_api_tokens.html",
        {
            "person": person,
            "form": form if may_create else None,
            "tokens": tokens,
            "tokens_key": _token_rows_key(tokens),
            "created": created,
            "secret": secret,
        },
    )


def _token_rows_key(tokens) -> str:
    """All that the token rows show, for their cached fragment (the language and the address,
    so the person, are the fragment's own): each token's id, name, first characters, dates and
    whether it has expired by now, and the time zone of the dates."""
    shown = [
        (token.pk, token.name, token.token_key[:8], token.created, token.expiry, token.is_expired)
        for token in tokens
    ]
    digest = hashlib.sha256(repr(shown).encode()).hexdigest()
    return f"{timezone.get_current_timezone_name()}|{digest}"


@login_required
@require_POST
def person_api_token_revoke(request, pk, token_pk):
    """Revoke one of a person's tokens, for programme admins (anyone else: 404)."""
    person = object_for(request.user, token_holders_visible_to(user=request.user), pk=pk)
    back = reverse("person_api_tokens", args=[person.pk])
    token = api_tokens_of(user=person).filter(pk=token_pk).first()
    if token is None:
        messages.info(request, _("This token was already revoked."))
        return redirect(back)
    services.api_token_revoke(token=token, acting_user=request.user)
    messages.success(request, _("The token “%(name)s” is revoked.") % {"name": token.name})
    return redirect(back)


@login_required
@require_POST
def person_api_tokens_revoke_all(request, pk):
    """Revoke every token of a person (a leaked script, a person who left), for programme
    admins (anyone else: 404)."""
    person = object_for(request.user, token_holders_visible_to(user=request.user), pk=pk)
    count = services.api_tokens_revoke_all(user=person, acting_user=request.user)
    messages.success(
        request,
        ngettext("%(count)d API token revoked.", "%(count)d API tokens revoked.", count)
        % {"count": count},
    )
    return redirect("person_api_tokens", person.pk)


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request):
    """The person's name, language and time zone (the header's "Account" link opens this page)."""
    user = request.user
    initial = {
        "full_name": user.full_name,
        "language": user.language or translation.get_language(),
        "time_zone": user.time_zone,
    }
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_profile_update(user=user, acting_user=user, **form.cleaned_data)
        except ApplicationError as error:
            form.add_error(error.field, error.message)
        else:
            # The pages follow the language just chosen, from this message on.
            with translation.override(user.language):
                messages.success(request, _("Your account is saved."))
            response = redirect("profile_edit")
            set_language_cookie(response, user.language)
            return response
    return render(request, "accounts/profile.html", {"form": form})
