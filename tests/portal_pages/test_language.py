"""The language switcher: French and Portuguese are full translations of the portal's own pages."""

import pytest

from tests import factories
from tests.portal_pages.helpers import sign_in


@pytest.mark.django_db
def test_language_switch_to_french_translates_home_page(client):
    lisbon = factories.CityFactory(name="Lisbon", country=factories.CountryFactory(iso_code="PT"))
    sign_in(client, factories.city_officer(city=lisbon, full_name="Ana Silva"))

    response = client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    assert response.status_code == 302
    assert response["Location"] == "/"
    html = client.get("/").content.decode()

    assert '<html lang="fr">' in html
    assert "<title>Accueil · Portail d'apprentissage entre villes</title>" in html
    assert "<h1>Bienvenue, Ana</h1>" in html
    assert '<h2 id="officer-heading">Vos villes</h2>' in html
    assert '<a class="skip-link" href="#main">Aller au contenu principal</a>' in html
    assert '<option value="fr" lang="fr" selected>français</option>' in html


@pytest.mark.django_db
def test_language_switch_to_portuguese_translates_home_page(client):
    lisbon = factories.CityFactory(name="Lisbon", country=factories.CountryFactory(iso_code="PT"))
    sign_in(client, factories.city_officer(city=lisbon, full_name="Ana Silva"))

    response = client.post("/i18n/setlang/", {"language": "pt", "next": "/"})
    assert response.status_code == 302
    assert response["Location"] == "/"
    html = client.get("/").content.decode()

    assert '<html lang="pt">' in html
    assert "<title>Início · Portal de aprendizagem entre cidades</title>" in html
    assert "<h1>Bem-vindo(a), Ana</h1>" in html
    assert '<h2 id="officer-heading">As suas cidades</h2>' in html
    assert '<a class="skip-link" href="#main">Saltar para o conteúdo principal</a>' in html
    assert '<option value="pt" lang="pt" selected>Português</option>' in html


@pytest.mark.django_db
def test_language_default_is_english(client):
    sign_in(client, factories.city_officer())

    html = client.get("/").content.decode()

    assert '<html lang="en">' in html
    assert '<h2 id="officer-heading">Your cities</h2>' in html


def test_language_french_500_page_needs_no_database():
    from django.test import RequestFactory
    from django.utils import translation

    from home.views import server_error

    with translation.override("fr"):
        html = server_error(RequestFactory().get("/")).content.decode()

    assert '<html lang="fr">' in html
    assert "<h1>Une erreur est survenue de notre côté</h1>" in html


def test_language_portuguese_500_page_needs_no_database():
    from django.test import RequestFactory
    from django.utils import translation

    from home.views import server_error

    with translation.override("pt"):
        html = server_error(RequestFactory().get("/")).content.decode()

    assert '<html lang="pt">' in html
    assert "<h1>Ocorreu um erro do nosso lado</h1>" in html
