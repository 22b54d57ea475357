import datetime
import re

# Inside cohort 1 (1 Sep 2024 - 28 Feb 2025): officers may still ask to join it.
TODAY = datetime.date(2024, 10, 1)


def group(cohort, slug):
    return cohort.thematic_groups.get(sector__slug=slug)


def text(html: str) -> str:
    """The visible text of an HTML fragment, whitespace collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def table_rows(html: str, table: str) -> list[str]:
    """The text of each body row of the table marked data-table="<table>"."""
    match = re.search(rf'<table[^>]*data-table="{table}"[^>]*>(.*?)</table>', html, re.S)
    assert match, f"no {table} table in the page"
    body = re.search(r"<tbody>(.*?)</tbody>", match.group(1), re.S).group(1)
    return [text(row) for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)]


def field_errors(html: str, field: str) -> list[str]:
    """The error messages shown with a form field (Django's as_field_group markup)."""
    match = re.search(rf'<ul class="errorlist" id="id_{field}_error">(.*?)</ul>', html, re.S)
    return re.findall(r"<li>(.*?)</li>", match.group(1)) if match else []
