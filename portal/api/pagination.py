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
