from urllib.parse import urlencode

import pytest
from django.http import QueryDict

from reports.datasets import DATASETS
from reports.filters import ReportFilterForm
from tests.reports.datasets_world import build


@pytest.fixture
def w(db):
    return build()


def filters_of(user, **chosen):
    """The report filters `user` gets for the query `chosen` (a list: a repeated parameter)."""
    data = QueryDict(urlencode(chosen, doseq=True))
    return ReportFilterForm(data, user=user).report_filters()


def rows(user, key: str, **chosen) -> list[list]:
    return list(DATASETS[key].rows_for(user=user, filters=filters_of(user, **chosen)))


def csv_text(user, key: str, **chosen) -> str:
    return "".join(DATASETS[key].csv_lines(user=user, filters=filters_of(user, **chosen)))
