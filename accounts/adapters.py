from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    """People join by invitation, not by signing up: city officers are invited to a city, and
    facilitators, reviewers and admins are created by a programme admin."""

    def is_open_for_signup(self, request):
        return False
