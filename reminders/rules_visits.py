"""Rules of visits: see reminders.catalogue (written next)."""
