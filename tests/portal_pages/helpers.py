from django.test import Client

# The first entry of AUTHENTICATION_BACKENDS only answers permission checks (it has no
# get_user), so Client.force_login needs to be told which backend restores the session.
MODEL_BACKEND = "accounts.backends.UserBackend"


def sign_in(client: Client, user) -> None:
    client.force_login(user, backend=MODEL_BACKEND)
