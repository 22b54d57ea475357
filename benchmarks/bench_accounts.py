"""A person's own account pages: profile (name, language, time zone) and API tokens."""

from accounts.models import ApiToken
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
