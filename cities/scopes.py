"""The data-version scopes of what the cities pages and API lists show (portal/fragments.py).

A cached directory page, API page or profile part is keyed by the versions of these scopes,
and every change to the rows it shows raises them in the changing transaction: saves and
deletes through the services, the Django admin and any other model save (post_save and
post_delete), and changes of a city's thematic interests (m2m_changed).

- DIRECTORY: cities, their countries and thematic interests (the sectors' names and slugs):
  the directory page, the API lists of cities and countries, a city's profile.
- CLIMATE_ACTIONS: climate actions and their levers, with what they show of their city
  (its name), sector and enabling factors.
"""

from django.db.models.signals import m2m_changed

from cities.models import City, ClimateAction, ClimateActionLever, Country
from portal.fragments import bump, bump_on_change
from taxonomy.models import EnablingFactor, ThematicSector

DIRECTORY = "cities:directory"
CLIMATE_ACTIONS = "cities:climate-actions"


def _directory_and_actions(instance):
    # A city's or a sector's name shows in the directory and on each action.
    return [DIRECTORY, CLIMATE_ACTIONS]


def _directory(instance):
    return [DIRECTORY]


def _climate_actions(instance):
    return [CLIMATE_ACTIONS]


def _thematic_interests_changed(sender, instance, action, **kwargs):
    if action in ("post_add", "post_remove", "post_clear"):
        bump(DIRECTORY)


def connect() -> None:
    """Bump the scopes on every change of their rows (CitiesConfig.ready)."""
    bump_on_change(City, _directory_and_actions)
    bump_on_change(Country, _directory)
    bump_on_change(ThematicSector, _directory_and_actions)
    bump_on_change(ClimateAction, _climate_actions)
    bump_on_change(ClimateActionLever, _climate_actions)
    bump_on_change(EnablingFactor, _climate_actions)
    m2m_changed.connect(
        _thematic_interests_changed,
        sender=City.thematic_interests.through,
        dispatch_uid="cities.scopes.thematic_interests",
    )
