"""Reactions to what happens to accounts (connected in AccountsConfig.ready)."""

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils import translation

from accounts import services, signals


@receiver(signals.password_changed, dispatch_uid="accounts.revoke_api_tokens_on_password_change")
def revoke_api_tokens_on_password_change(sender, user, **kwargs):
    # A token got with the old password, or by someone who knew it, must not outlive it.
    services.api_tokens_revoke_all(user=user, cause="a password change")


@receiver(signals.deactivated, dispatch_uid="accounts.revoke_api_tokens_on_deactivation")
def revoke_api_tokens_on_deactivation(sender, user, **kwargs):
    # knox refuses an inactive person's tokens, but the rows would stay: reactivating the
    # account would bring back every token, a leaked one included.
    services.api_tokens_revoke_all(user=user, cause="deactivation")


@receiver(user_logged_in, dispatch_uid="accounts.use_the_account_language_on_sign_in")
def use_the_account_language_on_sign_in(sender, request, user, **kwargs):
    # The response sets the language cookie (accounts.middleware): the pages follow the
    # account's language from this sign-in on. A sign-in without a request (tests, scripts)
    # has no browser to tell.
    if request is None:
        return
    if user.language:
        request.signed_in_language = user.language
        return
    # No language chosen yet (accounts made before languages were stored, or by an invitation):
    # the account takes the language of the pages the person signed in on, so the pages stay as
    # they are and emails come in the language they read.
    page_language = translation.get_language()
    if page_language in dict(settings.LANGUAGES):
        user.language = page_language
        user.save(update_fields=["language"])
