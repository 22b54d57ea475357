"""The data-version scopes of what the cities pages and API lists show (portal/fragments.py).

A cached directory page, API page or profile part is keyed by the versions of these scopes,
and every change to the rows it shows raises them in the changing transaction: saves and
deletes through the services, the Django admin and any other model save (post_save and
post_delete), and changes of a city's thematic interests (m2m_changed).

- DIRECTORY: cities, their countries and thematic interests (the sectors' names and slugs),
  and who is an officer of which city: the directory page, the city search, the API lists of
  cities and countries, a city's profile; the cohort pages read it too (cohorts/versions.py
  `CITIES`). Decision: one scope for the cities' rows and their officers, rather than a second
  one that the cohorts app kept for the same saves: officers join a city rarely, and then the
  directory is drawn afresh once.
- OFFICER_NAMES: the names and addresses of people as a city's profile lists its officers.
- CLIMATE_ACTIONS: climate actions and their levers, with what they show of their city
  (its name), sector and enabling factors.
"""

from django.contrib.auth import get_user_model
from django.db.models.signals import m2m_changed, post_save

from cities.models import City, CityMembership, ClimateAction, ClimateActionLever, Country
from portal.fragments import bump, bump_on_change, versions
from taxonomy.models import EnablingFactor, ThematicSector

DIRECTORY = "cities:directory"
OFFICER_NAMES = "cities:officer-names"
CLIMATE_ACTIONS = "cities:climate-actions"

# What the officers' list shows of a person (`get_full_name()` and the address): a save of
# other fields only (signing in saves `last_login`) leaves it as it was.
OFFICER_FIELDS = frozenset({"full_name", "email"})


def versions_by_scope(*scopes: str) -> dict[str, str]:
    """The versions of `scopes` in one query, by scope, for a page whose fragments are each
    keyed by some of them (`key_of`)."""
    unique = list(dict.fromkeys(scopes))
    return dict(zip(unique, versions(*unique).split("."), strict=True))


def key_of(found: dict[str, str], *scopes: str) -> str:
    """The part of a fragment's key for `scopes`, from what `versions_by_scope` found."""
    return ".".join(found[scope] for scope in scopes)


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


def _person_saved(sender, instance, created=False, update_fields=None, raw=False, **kwargs):
    # A new person is no city's officer yet: their membership's own save raises DIRECTORY.
    if raw or created:
        return
    if update_fields is None or OFFICER_FIELDS & set(update_fields):
        bump(OFFICER_NAMES)


def connect() -> None:
    """Bump the scopes on every change of their rows (CitiesConfig.ready)."""
    bump_on_change(City, _directory_and_actions)
    bump_on_change(Country, _directory)
    bump_on_change(CityMembership, _directory)
    bump_on_change(ThematicSector, _directory_and_actions)
    bump_on_change(ClimateAction, _climate_actions)
    bump_on_change(ClimateActionLever, _climate_actions)
    bump_on_change(EnablingFactor, _climate_actions)
    m2m_changed.connect(
        _thematic_interests_changed,
        sender=City.thematic_interests.through,
        dispatch_uid="cities.scopes.thematic_interests",
    )
    # A person deleted leaves their cities' lists through their memberships' deletion.
    post_save.connect(
        _person_saved, sender=get_user_model(), dispatch_uid="cities.scopes.officer_names"
    )
