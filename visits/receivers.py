"""How Group Study Visits react to signals (their own parts' and lower apps') and answer lower
apps' hooks (ARCHITECTURE.md); each receiver calls one service."""

from django.dispatch import receiver

from roadmaps import signals as roadmap_signals
from visits import applying


@receiver(roadmap_signals.roadmap_visit_calls, dispatch_uid="visits.roadmap_visit_calls")
def roadmap_visit_calls(sender, roadmap, user, **kwargs):
    # The roadmap's Phase 4: the open calls the city may apply to (visits/applying.py).
    return applying.roadmap_visit_links(roadmap=roadmap, user=user)
