"""The analysts' read-only export (issue 14): the programme's data as CSV files with their data
dictionary, under /api/v1/datasets/ (docs/analysts.md).

- `GET /api/v1/datasets/`: the data sets with their columns (the data dictionary, as JSON).
- `GET /api/v1/datasets/dictionary.csv`: the same dictionary as a CSV file.
- `GET /api/v1/datasets/<key>/`: a data set's CSV file, streamed, with the report filters as
  query parameters (reports/filters.py).

Decisions (README, "The analysts' data sets"):
- Who: `reports.export_data` (programme admins and facilitators); anyone else signed in gets
  403, nobody signed in 401. A facilitator's files hold only the cohorts they facilitate, and
  no personal column (`reports.view_personal_data`): the dictionary they read leaves those
  columns out too, so it describes the files they get.
- The filters are the pages' form (ReportFilterForm), but where the page leaves an invalid
  value out, the API refuses it: a 400 in the API's error shape naming each field, so a
  script never gets a file it did not ask for (a cohort the caller may not report on is such a
  value: "not one of the available choices").
- The dictionary and the column names are in English whatever the caller's language: they are
  what scripts read.
"""

from __future__ import annotations

from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from cities.enums import CityType
from cohorts.enums import Programme
from portal import spreadsheets
from reports.datasets import DATASETS, Dataset
from reports.filters import ReportFilterForm

PERMISSION = "reports.export_data"
KINDS = ["text", "integer", "decimal", "date", "datetime", "boolean"]


class DatasetColumnSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="The column's header: snake_case, stable.")
    type = serializers.ChoiceField(choices=KINDS, help_text="What its cells hold.")
    description = serializers.CharField()
    personal = serializers.BooleanField(
        help_text="Personal data (an email address or a name): only programme admins get it."
    )


class DatasetSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="The data set's name, as in its address.")
    title = serializers.CharField()
    description = serializers.CharField(help_text="What one row is.")
    url = serializers.CharField(help_text="The address of its CSV file.")
    columns = DatasetColumnSerializer(many=True)


def _dictionary(dataset: Dataset, user) -> dict:
    return {
        "key": dataset.key,
        "title": str(dataset.title),
        "description": str(dataset.description),
        "url": reverse("api-dataset", kwargs={"key": dataset.key}),
        "columns": [
            {
                "name": dataset.columns[index].name,
                "type": dataset.columns[index].kind,
                "description": str(dataset.columns[index].description),
                "personal": dataset.columns[index].personal,
            }
            for index in dataset.visible_columns(user=user)
        ],
    }


class _DatasetView(APIView):
    permission_required = PERMISSION
    pagination_class = None
    filter_backends: list = []

    def perform_content_negotiation(self, request, force=False):
        # The files are CSV whatever the Accept header says; refusals are JSON.
        return super().perform_content_negotiation(request, force=True)


class DatasetListView(_DatasetView):
    """The data sets and their columns: the data dictionary."""

    @extend_schema(
        operation_id="datasets_list",
        summary="The data sets and their columns (the data dictionary)",
        responses={200: DatasetSerializer(many=True)},
    )
    def get(self, request):
        return Response([_dictionary(dataset, request.user) for dataset in DATASETS.values()])


CSV_MEDIA_TYPE = "text/csv"


class DatasetDictionaryView(_DatasetView):
    """The data dictionary as a CSV file."""

    @extend_schema(
        operation_id="datasets_dictionary_csv",
        summary="The data dictionary as CSV: data set, column, type, description, personal",
        responses={
            (200, CSV_MEDIA_TYPE): OpenApiResponse(
                OpenApiTypes.STR,
                description="A CSV file (UTF-8 with a byte order mark): a row per column of "
                "each data set the caller may read.",
            )
        },
    )
    def get(self, request):
        rows = (
            [dataset.key, column["name"], column["type"], column["description"], column["personal"]]
            for dataset in DATASETS.values()
            for column in _dictionary(dataset, request.user)["columns"]
        )
        header = ["dataset", "column", "type", "description", "personal"]
        return spreadsheets.csv_response(
            spreadsheets.csv_lines(header, rows), "data-dictionary.csv"
        )


FILTER_PARAMETERS = [
    OpenApiParameter(
        "programme", str, enum=list(Programme.values), description="Only this programme's cohorts."
    ),
    OpenApiParameter(
        "cohort",
        int,
        many=True,
        explode=True,
        description="A cohort's id, repeatable (`cohort=1&cohort=2`); one the caller may not "
        "report on is refused. None: every cohort the caller may report on.",
    ),
    OpenApiParameter("thematic_group", int, description="A thematic group's id."),
    OpenApiParameter("country", int, description="A country's id."),
    OpenApiParameter("city_type", str, enum=list(CityType.values), description="A city type."),
    OpenApiParameter(
        "date_from",
        OpenApiTypes.DATE,
        description="From this day (sessions by their start, responses and applications by "
        "their submission).",
    ),
    OpenApiParameter("date_to", OpenApiTypes.DATE, description="To this day, included."),
]


ENUM_PARAMETERS = {"programme": Programme.values, "city_type": CityType.values}


def _refuse_empty_or_unknown_enums(params) -> None:
    """An enum filter's empty or unknown value is refused, as everywhere in the API
    (portal.api.filters.FilterBackend); the pages' form reads "" as "all"."""
    for name, choices in ENUM_PARAMETERS.items():
        for value in params.getlist(name):
            if value not in choices:
                message = _("“%(value)s” is not one of the choices: %(choices)s.") % {
                    "value": value,
                    "choices": ", ".join(choices),
                }
                raise exceptions.ValidationError({name: [message]})


class DatasetView(_DatasetView):
    """One data set as a CSV file, streamed, with the filters asked for."""

    @extend_schema(
        operation_id="datasets_csv",
        summary="A data set as a CSV file, with the report filters",
        parameters=[
            OpenApiParameter(
                "key",
                str,
                OpenApiParameter.PATH,
                enum=list(DATASETS),
                description="The data set (GET /api/v1/datasets/ lists them).",
            ),
            *FILTER_PARAMETERS,
        ],
        responses={
            (200, CSV_MEDIA_TYPE): OpenApiResponse(
                OpenApiTypes.STR,
                description="A CSV file (UTF-8 with a byte order mark): a header of the "
                "columns the caller may read, then a row per record.",
            )
        },
    )
    def get(self, request, key: str):
        dataset = DATASETS.get(key)
        if dataset is None:
            raise Http404
        _refuse_empty_or_unknown_enums(request.query_params)
        form = ReportFilterForm(request.query_params, user=request.user)
        if not form.is_valid():
            raise exceptions.ValidationError(
                {
                    name: [str(message) for message in messages]
                    for name, messages in form.errors.items()
                }
            )
        lines = dataset.csv_lines(user=request.user, filters=form.report_filters())
        return spreadsheets.csv_response(lines, f"{dataset.key}.csv")
