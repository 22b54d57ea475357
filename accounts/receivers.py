"""Reactions to what happens to accounts (connected in AccountsConfig.ready)."""

from django.dispatch import receiver

from accounts import services, signals


@receiver(signals.password_changed, dispatch_uid="accounts.revoke_api_tokens_on_password_change")
def revoke_api_tokens_on_password_change(sender, user, **kwargs):
    # A token got with the old password, or by someone who knew it, must not outlive it.
    services.api_tokens_revoke_all(user=user)
