"""Rules of roadmaps: see reminders.catalogue (written next)."""
