"""What the parts of Group Study Visits tell each other (issue 12). Sent by the service that
makes the change, inside its transaction; visits/receivers.py connects what reacts (scoring
queues a recomputation, the allocation promotes the next city on the waitlist)."""

from django.dispatch import Signal

# The call's criteria changed (added, edited, reweighted, removed): every score is recomputed.
criteria_changed = Signal()  # sent with `call`
# A reviewer submitted (or changed) their review, or recused: that application is recomputed.
review_changed = Signal()  # sent with `review`
# An application was submitted.
application_submitted = Signal()  # sent with `application`
# A city withdrew its application: a place it held goes to the next city on the waitlist.
application_withdrawn = Signal()  # sent with `application`
