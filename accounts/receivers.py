"""Reactions to what happens to accounts (connected in AccountsConfig.ready)."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

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
    if request is not None:
        request.signed_in_language = user.language
