"""What happens to accounts, announced for whoever must react (accounts/receivers.py)."""

from django.dispatch import Signal

# A person's password was changed and saved (not set for a new account). Sent with `user`.
password_changed = Signal()

# A person's account was made inactive and saved (is_active from True to False; a bulk
# queryset.update() is not announced). Sent with `user`.
deactivated = Signal()
