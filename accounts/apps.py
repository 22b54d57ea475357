from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        # receivers: connects them. authentication: registers the token scheme's schema
        # extension even when nothing has imported the authentication classes yet
        # (`manage.py spectacular` would otherwise omit tokenAuth).
        from accounts import authentication, receivers  # noqa: F401
