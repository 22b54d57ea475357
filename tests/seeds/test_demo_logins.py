import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from devdata.demo_accounts import DEMO_PASSWORD


def test_demo_logins_prints_a_header_then_email_password_role(db):
    out = io.StringIO()

    call_command("demo_logins", stdout=out)

    assert out.getvalue() == (
        "# Demo logins (created by manage.py seed_demo): email password role\n"
        "officer@example.org peer-learning-demo city_officer\n"
        "facilitator@example.org peer-learning-demo facilitator\n"
        "reviewer@example.org peer-learning-demo reviewer\n"
        "admin@example.org peer-learning-demo programme_admin\n"
    )


# The section heading each role sees on the home page (templates/home/home.html), and a piece
# of seeded data the section shows.
HEADINGS = {
    "city_officer": "Your cities",
    "facilitator": "Cohorts you facilitate",
    "reviewer": "Applications to score",
    "programme_admin": "Programme overview",
}


@pytest.mark.parametrize(
    ("email", "role", "content"),
    [
        ("officer@example.org", "city_officer", "Braga"),
        ("facilitator@example.org", "facilitator", "Online Discussion Groups cohort 1"),
        ("reviewer@example.org", "reviewer", None),
        ("admin@example.org", "programme_admin", None),
    ],
)
def test_demo_login_signs_in_and_sees_its_role_section(client, demo_data, email, role, content):
    response = client.post(reverse("account_login"), {"login": email, "password": DEMO_PASSWORD})

    assert (response.status_code, response["Location"]) == (302, "/")
    home = client.get("/")
    assert home.status_code == 200
    html = home.content.decode()
    shown = {other: f">{heading}</h2>" in html for other, heading in HEADINGS.items()}
    assert shown == {other: other == role for other in HEADINGS}
    if content is not None:
        assert content in html
