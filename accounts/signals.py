"""What happens to accounts, announced for whoever must react (accounts/receivers.py)."""

from django.dispatch import Signal

# A person's password was changed and saved (not set for a new account). Sent with `user`.
password_changed = Signal()
