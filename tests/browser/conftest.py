"""Debian's chromium driven by Playwright's sync API against pytest-django's live server.

One browser for the whole session, a fresh context (cookies, storage) for each test. The browser
is never downloaded (`playwright install` is not used): CHROMIUM_PATH or /usr/bin/chromium.
"""

import os
import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from devdata.demo_accounts import DEMO_LOGINS, DEMO_PASSWORD
from tests.conftest import require

# Playwright's sync API runs an asyncio loop in this thread; Django refuses ORM calls from a
# thread with a running loop unless told that this is deliberate.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


# The home page of the live server, where a successful sign-in lands.
HOME_URL = re.compile(r"^http://[^/]+/$")


def chromium_path() -> Path:
    return Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    require(
        path.is_file() and os.access(path, os.X_OK),
        f"chromium is not installed at {path} (set CHROMIUM_PATH)",
    )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(path), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class ConsoleLog(list):
    """The console messages of one page, as text."""

    def csp_violations(self) -> list[str]:
        return [text for text in self if "Content Security Policy" in text]


@pytest.fixture
def page(browser, live_server):
    """A page in a fresh browser context, its console recorded in `page.console_log`."""
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.console_log = ConsoleLog()
    page.on("console", lambda message: page.console_log.append(message.text))
    yield page
    context.close()


@pytest.fixture
def demo(transactional_db):
    """The demo data of `make demo` (reference taxonomies, cohort 1, demo logins), by role.

    live_server needs a transactional database, which is emptied after each test, so each test
    seeds again (about a second).
    """
    call_command("seed_demo", verbosity=0)
    users = {user.email: user for user in get_user_model().objects.all()}
    return {role: users[email] for email, role in DEMO_LOGINS}


def sign_in(page, role) -> None:
    """Sign in through the real sign-in form with the demo login of `role`."""
    email = next(email for email, login_role in DEMO_LOGINS if login_role == role)
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(HOME_URL)


@pytest.fixture
def new_page(browser, live_server):
    """Open further pages, each in its own browser context: one per person signed in at the
    same time (a facilitator and a city officer taking turns)."""
    contexts = []

    def open_page():
        context = browser.new_context(base_url=live_server.url, locale="en-GB")
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.console_log = ConsoleLog()
        page.on("console", lambda message: page.console_log.append(message.text))
        return page

    yield open_page
    for context in contexts:
        context.close()


def sign_in_as(page, user, password: str) -> None:
    """Sign in through the real sign-in form as any user (not only the demo logins)."""
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(HOME_URL)
