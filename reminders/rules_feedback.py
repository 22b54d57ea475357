"""Rules of feedback: see reminders.catalogue (written next)."""
