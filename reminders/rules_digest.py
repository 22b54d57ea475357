"""Rules of digest: see reminders.catalogue (written next)."""
