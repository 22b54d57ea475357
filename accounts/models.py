from django.conf import settings
from django.contrib.auth.models import (
    AbstractBaseUser,
    BaseUserManager,
    PermissionsMixin,
    _user_has_module_perms,
    _user_has_perm,
)
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from knox.models import AbstractAuthToken
from knox.settings import CONSTANTS as KNOX

from accounts import signals
from accounts.enums import Role
from portal.dates import time_zone_choices


# Callables, so the choices and defaults follow the settings (a language added to LANGUAGES needs
# no migration) and no setting is read at import time. Migrations name them: keep them here.
def language_choices() -> list[tuple[str, str]]:
    return list(settings.LANGUAGES)


def user_time_zone_choices() -> list[tuple[str, str]]:
    return time_zone_choices()


def default_time_zone() -> str:
    return settings.TIME_ZONE


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_superuser", True)
        extra_fields.setdefault("is_programme_admin", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with an email address; roles are flags, city membership is a row."""

    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    job_title = models.CharField(_("role in the organisation"), max_length=200, blank=True)
    # What the portal writes to the person (notifications.services.notify) is in this language
    # with times in this zone; the pages follow the language from sign-in on (README).
    # Empty until known: then emails use the portal's language and the pages the browser's.
    language = models.CharField(
        _("language"), max_length=10, choices=language_choices, default="", blank=True
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, choices=user_time_zone_choices, default=default_time_zone
    )
    is_facilitator = models.BooleanField(_("facilitator"), default=False)
    is_reviewer = models.BooleanField(_("reviewer"), default=False)
    is_programme_admin = models.BooleanField(
        _("programme admin"),
        default=False,
        help_text=_("Programme admins may do everything, including the Django admin."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    # Decision: a program that calls the API for the programme (a partner's nightly import)
    # acts as an account of its own, not as a person, so it outlives anyone's job and its
    # roles are chosen for it. It has no password (password-based authentication disabled in
    # the admin): nobody signs in with it, and programme admins make its API tokens on its
    # tokens page (accounts.rules: `accounts.create_api_token`).
    is_script_account = models.BooleanField(
        _("script account"),
        default=False,
        help_text=_(
            "An account for a program, not a person. Give it no password (password-based "
            "authentication disabled): nobody signs in with it, and programme admins make its "
            "API tokens on its API tokens page."
        ),
    )
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    # Set by set_unusable_password() until the next save(): see save().
    _password_removed = False
    # is_active as last read from or written to the database (None: not known): see save().
    _stored_is_active = None

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]

    def __str__(self):
        return self.full_name or self.email

    @classmethod
    def from_db(cls, db, field_names, values):
        user = super().from_db(db, field_names, values)
        # A deferred is_active is not in __dict__; reading the attribute would query for it.
        user._stored_is_active = user.__dict__.get("is_active")
        return user

    def refresh_from_db(self, using=None, fields=None, from_queryset=None):
        super().refresh_from_db(using=using, fields=fields, from_queryset=from_queryset)
        if fields is None or "is_active" in fields:
            self._stored_is_active = self.__dict__.get("is_active")

    def save(self, *args, **kwargs):
        self.email = self.email.lower()
        # set_password() keeps the new raw password in _password until the row is saved. Every
        # way of changing a password ends here (allauth's change and reset pages, the admin's
        # form, `manage.py changepassword`), so this is where the change is announced; a new
        # account has nothing to react to. A hash upgrade at sign-in (check_password) clears
        # _password before saving: it is not a change.
        password_changed = (
            self._password is not None or self._password_removed
        ) and not self._state.adding
        # Deactivating (the admin's "active" box, or any save of is_active=False) is announced
        # the same way. A row whose earlier state is not known counts as active: announcing
        # once too often revokes tokens that no inactive person may use anyway.
        update_fields = kwargs.get("update_fields")
        # A deferred is_active (not in __dict__) is not saved either.
        is_active_saved = "is_active" in self.__dict__ and (
            update_fields is None or "is_active" in update_fields
        )
        deactivated = (
            is_active_saved
            and not self._state.adding
            and not self.is_active
            and self._stored_is_active is not False
        )
        super().save(*args, **kwargs)
        self._password_removed = False
        if is_active_saved:
            self._stored_is_active = self.is_active
        if password_changed:
            signals.password_changed.send(sender=type(self), user=self)
        if deactivated:
            signals.deactivated.send(sender=type(self), user=self)

    def set_unusable_password(self):
        super().set_unusable_password()
        # Taking the password away (the admin's "password-based authentication: disabled") is
        # a change too; set_unusable_password() leaves _password alone, so save() is told here.
        self._password_removed = True

    @property
    def has_admin_role(self) -> bool:
        """The one definition of "is a programme admin": the flag, or a superuser (made by
        `createsuperuser`). Rules ask it through `accounts.rules.is_programme_admin`."""
        return self.is_programme_admin or self.is_superuser

    @property
    def is_staff(self) -> bool:
        """Let programme admins (and superusers) into the Django admin."""
        return self.is_active and self.has_admin_role

    def has_perm(self, perm, obj=None):
        """Ask the backends for everyone, superusers included.

        Decision: Django answers True to every question for an active superuser before asking
        the backends; here a superuser is a programme admin like any other, so the rules and
        their states (a started session, a submitted roadmap) hold for them too. The Django
        admin's model permissions come from accounts.backends.ProgrammeAdminBackend.
        """
        return self.is_active and _user_has_perm(self, perm, obj=obj)

    def has_module_perms(self, app_label):
        return self.is_active and _user_has_module_perms(self, app_label)

    def get_full_name(self):
        return self.full_name or self.email

    def get_short_name(self):
        return (self.full_name or self.email).split(" ")[0]

    @property
    def roles(self) -> list[str]:
        """The roles this person holds, in the order of `Role`."""
        held = {
            Role.CITY_OFFICER: self.city_memberships.exists() if self.pk else False,
            Role.FACILITATOR: self.is_facilitator,
            Role.REVIEWER: self.is_reviewer,
            Role.PROGRAMME_ADMIN: self.has_admin_role,
        }
        return [role.value for role in Role if held[role]]


class ApiToken(AbstractAuthToken):
    """A named API token of one person, valid until it expires or is revoked.

    django-rest-knox stores only a SHA-512 hash of the token (`digest`) and its first 15
    characters (`token_key`, to find the row); the token itself is shown once, when it is made
    (accounts.services.api_token_create). `KNOX_TOKEN_MODEL` makes knox use this model.

    Decision: knox's model uses `digest` as its primary key, which would put a hash of the
    secret in every revoke link and admin address; here `digest` is only unique and the rows
    get the usual numeric id. Every token expires: `expiry` is required.
    """

    digest = models.CharField(max_length=KNOX.DIGEST_LENGTH, unique=True, editable=False)
    name = models.CharField(
        _("name"), max_length=100, help_text=_("What the token is for, to recognise it later.")
    )
    created = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    expiry = models.DateTimeField(_("expires at"))

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created", "-pk"]

    def __str__(self):
        return f"{self.name} ({self.user})"

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expiry
