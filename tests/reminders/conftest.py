# The fake mail server of the notifications tests: a reminder whose sending fails.
from tests.notifications.conftest import mail_server  # noqa: F401
