from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME, get_user_model, login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from rules.contrib.views import permission_required

from accounts import services
from accounts.forms import (
    ApiTokenForm,
    InvitationAcceptForm,
    InvitationForm,
    ProfileForm,
    facilitator_label,
)
from accounts.middleware import set_language_cookie
from accounts.models import Invitation
from accounts.rules import is_staff_member
from accounts.selectors import api_tokens_of, facilitators_matching
from portal.errors import ApplicationError
from portal.widgets import search_query, search_response


@login_required
@require_GET
def facilitator_search(request):
    """Facilitators whose name, email address or organisation contains ?q=, as JSON for the
    facilitator search boxes (portal/widgets.py). Only facilitators and admins give people
    cohorts, groups and sessions, so only they may list the facilitators: others get 403."""
    if not is_staff_member(request.user):
        raise PermissionDenied
    query = search_query(request)
    if query is None:
        return search_response(get_user_model().objects.none())
    return search_response(
        facilitators_matching(user=request.user, query=query), label=facilitator_label
    )


@login_required
@permission_required("accounts.add_invitation", raise_exception=True)
@require_http_methods(["GET", "POST"])
def invitation_create(request):
    form = InvitationForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.invitation_create(
                email=form.cleaned_data["email"],
                city=form.cleaned_data["city"],
                invited_by=request.user,
            )
        except ApplicationError as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(
                request,
                _("Invitation sent to %(email)s for %(city)s.")
                % {"email": invitation.email, "city": invitation.city.name},
            )
            return redirect("invitation_create")
    return render(request, "accounts/invitation_create.html", {"form": form})


def _invalid(request, error: ApplicationError):
    # 410 Gone: the link existed but can no longer be used (accepted or expired).
    return render(
        request,
        "accounts/invitation_invalid.html",
        {"message": error.message, "reason": error.code},
        status=410,
    )


@require_http_methods(["GET", "POST"])
def invitation_accept(request, token):
    """Let an invited city officer choose a password and sign in, from the emailed link."""
    invitation = get_object_or_404(Invitation.objects.select_related("city"), token=token)
    try:
        services.invitation_check(invitation=invitation)
    except ApplicationError as error:
        return _invalid(request, error)

    if get_user_model().objects.filter(email=invitation.email).exists():
        return _invitation_accept_existing_account(request, invitation)

    form = InvitationAcceptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invitation_accept(
                invitation=invitation,
                full_name=form.cleaned_data["full_name"],
                password=form.cleaned_data["password1"],
            )
        except ApplicationError as error:
            if error.field is None:
                return _invalid(request, error)
            form.add_error(error.field, error.message)
        else:
            # The service verified the address, so the session can start without allauth's
            # verification step.
            login(request, user, backend="accounts.backends.UserBackend")
            messages.success(
                request, _("Welcome! You now represent %(city)s.") % {"city": invitation.city.name}
            )
            return redirect("home")
    return render(
        request, "accounts/invitation_accept.html", {"form": form, "invitation": invitation}
    )


def _invitation_accept_existing_account(request, invitation):
    """The address has an account (it had one when invited, or got one since): never set its
    password from the link, and never add the city on a GET; the owner signs in with that
    address and confirms with the button (a POST)."""
    signed_in_as_invitee = (
        request.user.is_authenticated and request.user.email.lower() == invitation.email
    )
    if request.method == "POST" and signed_in_as_invitee:
        try:
            services.invitation_accept_signed_in(invitation=invitation, user=request.user)
        except ApplicationError as error:
            return _invalid(request, error)
        messages.success(
            request, _("You now also represent %(city)s.") % {"city": invitation.city.name}
        )
        return redirect("home")
    return render(
        request,
        "accounts/invitation_existing_account.html",
        {
            "invitation": invitation,
            "signed_in_as_invitee": signed_in_as_invitee,
            "redirect_field_name": REDIRECT_FIELD_NAME,
        },
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
