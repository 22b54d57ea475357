from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination


class PagePagination(PageNumberPagination):
    """Pages of 50 rows; `?page_size=` from 1 to 200.

    DRF silently falls back to the default for a `page_size` it cannot read and cuts a larger
    one to the maximum, so a client never learns its mistake. A `page_size` that is not a whole
    number from 1 to 200 answers 400 with the range named, and the schema states the range.
    """

    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        # Only a few ASCII digits: int() would read "٣" or "1_0", and refuses (500) a number
        # over 4,300 digits long.
        short_number = raw.isascii() and raw.isdigit() and len(raw) <= 4
        size = int(raw) if short_number else 0
        if not 1 <= size <= self.max_page_size:
            raise ValidationError(
                {
                    self.page_size_query_param: [
                        _("Give a whole number from 1 to %(maximum)d.")
                        % {"maximum": self.max_page_size}
                    ]
                }
            )
        return size

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"]["minimum"] = 1
            elif parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(minimum=1, maximum=self.max_page_size)
        return parameters


class ShortFirstPageRows:
    """A list's rows as DRF's paginator takes them (`count()`, then a slice), counted without
    a count query when the first page holds them all.

    The paginator counts before it reads the page. When the first page is asked for
    (`first_page`: its size), `count()` reads that page first and keeps it; if it is shorter
    than a page it holds every row and its length is the count. A person's lists are mostly
    short: the count otherwise planned and ran the list's visibility query a second time
    (issue 12's profiles of `GET /visit-calls/` and `GET /visit-applications/`: planning took
    longer than running). A full first page and later pages are counted as before.

    `read(window)`: the rows of a slice (a subclass reads them as values, say); by default
    the queryset's objects.
    """

    def __init__(self, queryset, *, first_page: int | None):
        self._queryset = queryset
        self.ordered = queryset.ordered
        self._first_page = first_page
        self._kept: list | None = None

    @classmethod
    def for_request(cls, queryset, *, paginator, request):
        """The rows, with `first_page` set when the request asks for the first page."""
        first = request.query_params.get(paginator.page_query_param, "1") == "1"
        return cls(queryset, first_page=paginator.get_page_size(request) if first else None)

    def count(self) -> int:
        if self._first_page is not None:
            self._kept = self.read(slice(0, self._first_page))
            if len(self._kept) < self._first_page:
                return len(self._kept)
        return self._queryset.count()

    def __getitem__(self, window: slice) -> list:
        if self._kept is not None and window.start == 0 and window.stop <= len(self._kept):
            return self._kept[: window.stop]
        return self.read(window)

    def read(self, window: slice) -> list:
        return list(self._queryset[window])
