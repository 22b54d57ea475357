"""Absolute links to the portal's pages, for what is read outside a browser tab: emails and
calendar events. They start with the configured SITE_URL (which `make run PORT=N` sets to the
port it serves), never with the address of whatever request happened to cause them."""

from urllib.parse import urlsplit

from django.conf import settings


def site_url(path: str) -> str:
    """`path`, as reverse() gives it, on the site's address: "https://portal.eu/sessions/4/"."""
    return settings.SITE_URL.rstrip("/") + path


def site_domain() -> str:
    """The host name of SITE_URL, without port ("portal.eu"), as Message-IDs and calendar UIDs
    use it."""
    return urlsplit(settings.SITE_URL).hostname or "localhost"
