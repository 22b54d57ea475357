"""Who may do what, for roles and accounts. Each app's rules.py builds on these predicates.

Programme admins are named in each rule: the admins' backend grants them only the Django
admin's model permissions (accounts/backends.py).
"""

import rules


@rules.predicate
def is_city_officer(user):
    return user.is_authenticated and user.city_memberships.exists()


@rules.predicate
def is_facilitator(user):
    return user.is_authenticated and user.is_facilitator


@rules.predicate
def is_reviewer(user):
    return user.is_authenticated and user.is_reviewer


@rules.predicate
def is_programme_admin(user):
    """The one "is an admin" question of the portal (rules, selectors, services, views)."""
    return bool(user is not None and user.is_authenticated and user.has_admin_role)


is_staff_member = is_facilitator | is_programme_admin


@rules.predicate
def is_self(user, person):
    return person is not None and user.is_authenticated and person.pk == user.pk


@rules.predicate
def is_token_owner(user, token):
    return token is not None and user.is_authenticated and token.user_id == user.pk


@rules.predicate
def is_script_account(user, person):
    """`person` is an account for a program (User.is_script_account) that nobody signs in to:
    it has no usable password."""
    return person is not None and person.is_script_account and not person.has_usable_password()


# Listing the facilitators (the search boxes that give people cohorts, groups and sessions).
rules.add_perm("accounts.list_facilitators", is_facilitator | is_programme_admin)
# The object is the person the token would act as: nobody makes a token that acts as another
# person, programme admins included; programme admins make the tokens of script accounts,
# which no person signs in to.
rules.add_perm("accounts.create_api_token", is_self | (is_programme_admin & is_script_account))
# The object is the token: its owner's, or anyone's for a programme admin (a leaked token, a
# person who left).
rules.add_perm("accounts.revoke_api_token", is_token_owner | is_programme_admin)
# The object is the person whose tokens all go.
rules.add_perm("accounts.revoke_api_tokens_of", is_self | is_programme_admin)
# The object is the person: each edits their own name, language and time zone on the account
# page; programme admins edit other people in the Django admin, not there.
rules.add_perm("accounts.change_own_account", is_self)
