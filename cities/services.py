"""Writes for cities: the climate actions Mission Cities present to their peers (000 Table 3)."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from cities.enums import ImplementationStage
from cities.models import City, ClimateAction, ClimateActionLever
from portal.errors import ApplicationError
from taxonomy.models import EnablingFactor, ThematicSector


@dataclass(frozen=True)
class LeverInput:
    """A lever of change (enabling factor) involved in an action, with its drivers and
    barriers."""

    factor: EnablingFactor
    key_drivers: str = ""
    key_barriers: str = ""


def _clean_title(*, title: str) -> str:
    title = (title or "").strip()
    if not title:
        raise ApplicationError(_("Give the climate action a title."), field="title")
    max_length = ClimateAction._meta.get_field("title").max_length
    if len(title) > max_length:
        raise ApplicationError(
            _("The title can be at most %(max)d characters long.") % {"max": max_length},
            field="title",
        )
    return title


def _check_title_free(*, city: City, title: str, action: ClimateAction | None = None) -> None:
    # Case-insensitive, so "Solar roofs" and "solar roofs" cannot both exist for one city.
    taken = ClimateAction.objects.filter(city=city, title__iexact=title)
    if action is not None:
        taken = taken.exclude(pk=action.pk)
    if taken.exists():
        raise ApplicationError(_title_taken_message(city=city, title=title), field="title")


def _title_taken_message(*, city: City, title: str) -> str:
    return _("%(city)s already has a climate action called “%(title)s”.") % {
        "city": city.name,
        "title": title,
    }


def _clean_recommendations(*, recommendations: Iterable[str]) -> list[str]:
    """Drop blank recommendations and refuse more than the programme's five."""
    cleaned = [text.strip() for text in recommendations if text and text.strip()]
    if len(cleaned) > ClimateAction.MAX_RECOMMENDATIONS:
        raise ApplicationError(
            _("A climate action has at most %(max)d recommendations; you gave %(count)d.")
            % {"max": ClimateAction.MAX_RECOMMENDATIONS, "count": len(cleaned)},
            field="recommendations",
        )
    return cleaned


def _clean_stage(*, implementation_stage: str) -> str:
    if implementation_stage not in ImplementationStage.values:
        raise ApplicationError(
            _("Choose an implementation stage from the list."), field="implementation_stage"
        )
    return implementation_stage


def _check_levers(*, levers: Sequence[LeverInput]) -> None:
    factors = [lever.factor.pk for lever in levers]
    if len(factors) != len(set(factors)):
        raise ApplicationError(_("Give each lever of change only once."), field="levers")


def _levers_replace(*, action: ClimateAction, levers: Sequence[LeverInput]) -> None:
    action.levers.all().delete()
    ClimateActionLever.objects.bulk_create(
        ClimateActionLever(
            action=action,
            factor=lever.factor,
            key_drivers=lever.key_drivers.strip(),
            key_barriers=lever.key_barriers.strip(),
        )
        for lever in levers
    )


def _save(*, action: ClimateAction) -> None:
    # The title check above answers nearly always; the constraint catches two people saving
    # the same title at the same moment, and gets the same message.
    try:
        with transaction.atomic():
            action.save()
    except IntegrityError as error:
        # PostgreSQL names the constraint, SQLite the columns: both mention the title.
        if "title" not in str(error):
            raise
        raise ApplicationError(
            _title_taken_message(city=action.city, title=action.title), field="title"
        ) from error


@transaction.atomic
def climate_action_create(
    *,
    city: City,
    title: str,
    sector: ThematicSector,
    context: str = "",
    description: str = "",
    implementation_stage: str = ImplementationStage.IMPLEMENTING,
    lessons_learned: str = "",
    recommendations: Iterable[str] = (),
    levers: Sequence[LeverInput] = (),
) -> ClimateAction:
    """Record a climate action a Mission City can present to its peers."""
    if not city.is_mission_city:
        raise ApplicationError(
            _("Only Mission Cities present climate actions; %(city)s is not a Mission City.")
            % {"city": city.name},
            field="city",
            code="not_mission_city",
        )
    title = _clean_title(title=title)
    _check_title_free(city=city, title=title)
    action = ClimateAction(
        city=city,
        title=title,
        sector=sector,
        context=context.strip(),
        description=description.strip(),
        implementation_stage=_clean_stage(implementation_stage=implementation_stage),
        lessons_learned=lessons_learned.strip(),
        recommendations=_clean_recommendations(recommendations=recommendations),
    )
    _check_levers(levers=levers)
    _save(action=action)
    _levers_replace(action=action, levers=levers)
    return action


@transaction.atomic
def climate_action_update(
    *,
    action: ClimateAction,
    title: str,
    sector: ThematicSector,
    context: str,
    description: str,
    implementation_stage: str,
    lessons_learned: str,
    recommendations: Iterable[str],
    levers: Sequence[LeverInput],
) -> ClimateAction:
    """Change a climate action; its levers of change become exactly `levers`.

    An action stays editable if its city later loses the Mission City label: the case study
    was presented and peers may still read it.
    """
    # Everything is checked before the action changes, so a refused update leaves the object
    # the caller holds (and shows again with the error) as it was.
    title = _clean_title(title=title)
    _check_title_free(city=action.city, title=title, action=action)
    implementation_stage = _clean_stage(implementation_stage=implementation_stage)
    recommendations = _clean_recommendations(recommendations=recommendations)
    _check_levers(levers=levers)
    action.title = title
    action.sector = sector
    action.context = context.strip()
    action.description = description.strip()
    action.implementation_stage = implementation_stage
    action.lessons_learned = lessons_learned.strip()
    action.recommendations = recommendations
    _save(action=action)
    _levers_replace(action=action, levers=levers)
    return action
