"""Who may do what with reminders: the one place that says it (issue 13).

- Programme admins read the outbox (every email the portal sends or plans: service messages
  and reminders) and change the reminder rules (on/off, timing, limits). Cancelling an email or
  sending a failed one again is `notifications.services.emails_cancel` / `emails_send_again`,
  which ask the Django admin's permission on the outbox (`notifications.change_outboundemail`,
  admins only: accounts.backends.ProgrammeAdminBackend).
- Every signed-in person chooses which kinds of reminder they get by email (their own
  address's, never someone else's).
- An unsubscribe link needs no sign-in: the signed address in the link is the credential
  (reminders.planning.unsubscribe_token), and it only ever turns one kind off for one address.
"""

import rules

from accounts.rules import is_programme_admin

rules.add_perm("reminders.view_outbox", is_programme_admin)
rules.add_perm("reminders.change_rules", is_programme_admin)
rules.add_perm("reminders.choose_reminders", rules.is_authenticated)
