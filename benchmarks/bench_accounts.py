"""A person's own account pages: profile (name, language, time zone) and API tokens; and a
person's API tokens page for programme admins (issue 14), on a script account's tokens."""

from accounts.models import ApiToken, User
from accounts.services import api_token_create
from benchmarks.harness import benchmark, page, signed_in_client
from devdata.scale import scale_users


def _officer():
    return scale_users().filter(city_memberships__isnull=False).order_by("email").first()


@benchmark("account page: officer")
def account_profile():
    return page(signed_in_client(_officer()), "/accounts/profile/")


@benchmark("API tokens page: officer with 5 tokens")
def account_tokens():
    officer = _officer()
    # Made once: the benchmark database keeps them between runs.
    for number in range(5 - ApiToken.objects.filter(user=officer).count()):
        api_token_create(
            user=officer, name=f"bench {number}", lifetime_days=365, acting_user=officer
        )
    return page(signed_in_client(officer), "/accounts/tokens/")


SCRIPT_ACCOUNT = "benchmark-script@benchmarks.example.org"
SCRIPT_TOKENS = 10


def script_account_with_tokens():
    """A script account (not a generated person: outside scale_users()) holding SCRIPT_TOKENS
    tokens that a programme admin made, made on the first run and kept in the benchmark
    database."""
    admin = scale_users().filter(is_programme_admin=True).order_by("email").first()
    account, created = User.objects.get_or_create(
        email=SCRIPT_ACCOUNT,
        defaults={"full_name": "Benchmark nightly import", "is_script_account": True},
    )
    if created:
        account.set_unusable_password()
        account.save(update_fields=["password"])
    for number in range(SCRIPT_TOKENS - ApiToken.objects.filter(user=account).count()):
        api_token_create(
            user=account, name=f"bench script {number}", lifetime_days=365, acting_user=admin
        )
    return admin, account


@benchmark("person's API tokens page: programme admin, script account with 10 tokens")
def person_tokens():
    admin, account = script_account_with_tokens()
    return page(signed_in_client(admin), f"/accounts/people/{account.pk}/tokens/")
