"""Hooks of cities, answered by the apps above (ARCHITECTURE.md, "Telling a higher app").

cities never imports cohorts or sessions: a city's profile shows its cohorts and sessions
because those apps answer this hook from their own `receivers.py`.
"""

from django.dispatch import Signal

# Hook: a city's profile page is being shown. Sent with `city` and `user` (who looks); each
# receiver returns a dict of template variables for its part of the page (cohorts.receivers:
# `enrolments`; sessions.receivers: `sessions`).
city_profile = Signal()
