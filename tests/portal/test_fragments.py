"""Cached page fragments (portal/fragments.py, {% fragment %}): keyed by what they show,
invalidated by a version bump in the changing transaction, CSRF tokens per request."""

import pytest
from django.db import connection, transaction
from django.middleware.csrf import _unmask_cipher_token, get_token
from django.template import RequestContext, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from portal.fragments import bump, bump_on_change, versions
from portal.models import DataVersion

pytestmark = pytest.mark.django_db

TEMPLATE = Template(
    "{% load portal_fragments %}"
    '{% fragment "rows" version who %}[{{ rows }}]{% csrf_token %}{% endfragment %}'
)


class Counter:
    """A context value that counts how often the template read it."""

    def __init__(self, text):
        self.text = text
        self.reads = 0

    def __str__(self):
        self.reads += 1
        return self.text


def render(rows, *, version="0", who="", path="/cities/", request=None):
    request = request or RequestFactory().get(path)
    return TEMPLATE.render(RequestContext(request, {"rows": rows, "version": version, "who": who}))


def csrf_value(html):
    return html.split('value="', 1)[1].split('"', 1)[0]


def test_versions_of_unknown_scopes_are_zero_and_bump_changes_each_named_scope():
    assert versions("cities", "cohort:1") == "0.0"

    bump("cohort:1")
    once = versions("cities", "cohort:1", "cohort:2").split(".")
    bump("cohort:1", "cities")
    twice = versions("cities", "cohort:1", "cohort:2").split(".")

    assert once[0] == "0" and once[1] != "0" and once[2] == "0"
    assert twice[0] != "0" and twice[1] not in ("0", once[1]) and twice[2] == "0"
    # Other scopes may hold rows already: emptying the reference countries before the tests
    # (tests/conftest.py) raised sessions:cities.
    assert DataVersion.objects.filter(scope__in=["cities", "cohort:1", "cohort:2"]).count() == 2


def test_a_bump_of_scopes_with_and_without_rows_is_one_statement():
    bump("cohort:1")
    before = versions("cohort:1")

    with CaptureQueriesContext(connection) as queries:
        bump("cohort:2", "cohort:1", "cohort:1")

    # One statement (an insert that updates the rows already there).
    statements = [q["sql"] for q in queries if "portal_dataversion" in q["sql"]]
    assert len(statements) == 1
    assert versions("cohort:1") != before
    assert "0" not in versions("cohort:1", "cohort:2").split(".")


def test_a_bump_in_a_rolled_back_transaction_is_undone_and_its_version_never_given_again():
    bump("cities")
    committed = versions("cities")
    with pytest.raises(RuntimeError), transaction.atomic():
        bump("cities")
        rolled_back = versions("cities")
        raise RuntimeError("the change failed")

    assert versions("cities") == committed
    bump("cities")
    # A fragment cached inside the rolled-back transaction is keyed by `rolled_back`: the next
    # real change must not land on the same key (an increment would: committed + 1 twice).
    assert versions("cities") not in (committed, rolled_back)


def test_a_fragment_is_rendered_once_for_the_same_keys():
    rows = Counter("Lyon")

    first = render(rows)
    second = render(rows)

    assert rows.reads == 1
    assert first.split("[")[1].split("]")[0] == second.split("[")[1].split("]")[0] == "Lyon"


@pytest.mark.parametrize(
    "change",
    [
        {"version": "1"},
        {"who": "officer:7"},
        {"path": "/cities/?country=FR"},
    ],
    ids=["new data version", "other person key", "other query"],
)
def test_a_fragment_renders_afresh_when_any_key_differs(change):
    render(Counter("old"))

    html = render(Counter("new"), **change)

    assert "[new]" in html


def test_the_language_is_part_of_the_key():
    render(Counter("English"))
    with translation.override("fr"):
        html = render(Counter("French"))

    assert "[French]" in html


def test_each_request_gets_its_own_csrf_token_from_a_cached_fragment():
    first_request = RequestFactory().get("/cities/")
    second_request = RequestFactory().get("/cities/")

    first = render(Counter("Lyon"), request=first_request)
    second = render(Counter("Lyon"), request=second_request)

    assert "\x00" not in first + second
    # A masked token differs per rendering; each must unmask to its own request's secret.
    assert _unmask_cipher_token(csrf_value(first)) == _unmask_cipher_token(get_token(first_request))
    assert _unmask_cipher_token(csrf_value(second)) == _unmask_cipher_token(
        get_token(second_request)
    )
    assert _unmask_cipher_token(csrf_value(first)) != _unmask_cipher_token(csrf_value(second))


def test_bump_on_change_raises_the_scopes_of_a_saved_or_deleted_instance():
    from taxonomy.models import ThematicSector

    disconnect = bump_on_change(
        ThematicSector, lambda sector: ["test-sectors", f"test-sector:{sector.pk}"]
    )
    seen = []
    try:
        sector = ThematicSector.objects.create(name="Test sector", slug="test-sector")
        pk = sector.pk
        seen.append(versions("test-sectors", f"test-sector:{pk}"))
        sector.name = "Renamed"
        sector.save()
        seen.append(versions("test-sectors", f"test-sector:{pk}"))
        sector.delete()
        seen.append(versions("test-sectors", f"test-sector:{pk}"))
    finally:
        disconnect()
    ThematicSector.objects.create(name="After", slug="after")

    assert "0" not in seen[0].split(".")
    assert len(set(seen)) == 3  # created, saved, deleted: a new version each time
    assert versions("test-sectors", f"test-sector:{pk}") == seen[-1]  # disconnected
