"""`LazyRows`: a list a view hands to a template without reading it yet.

A page whose list sits in a cached fragment (`{% fragment %}`, portal/fragments.py) should not
read the list when the fragment comes from the cache. A queryset is lazy already; a list that
needs work after its query (rows a hook adds to, rows joined in Python) is wrapped in
`LazyRows(load)`: `load()` runs the first time the template (or a test) iterates, counts or
tests the list, and never on a cache hit.
"""

from collections.abc import Callable, Iterable


class LazyRows:
    def __init__(self, load: Callable[[], Iterable]):
        self._load = load
        self._rows: list | None = None

    @property
    def rows(self) -> list:
        if self._rows is None:
            self._rows = list(self._load())
        return self._rows

    def __iter__(self):
        return iter(self.rows)

    def __len__(self):
        return len(self.rows)

    def __bool__(self):
        return bool(self.rows)

    def __getitem__(self, index):
        return self.rows[index]
