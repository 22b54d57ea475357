"""The exports of a survey's responses (issue 11): CSV and XLSX, one row per submitted response and
one column per answer part.

Columns, in the survey's order (section, then position), each headed "Q<n>. <question>":
- single choice: the label chosen; "Other, please specify" adds a column for its text;
- multiple choice: a column per option holding 1 when chosen (empty otherwise), and the
  "Other" text in its own column;
- ranking: a column per option holding its rank (1 first);
- matrix: a column per row holding the point chosen;
- rating, 0-10 and extent scales: the point ("Not applicable" written out);
- short and long text: the text.
Named surveys begin with the respondent's name, city and country (the city a response speaks
for; for a response begun before answering recorded it, the writer's city among those asked, as
answering chooses it). Anonymous
surveys carry no identity, no id and no time.

Decisions (README):
- The rows are read in ONE query whatever the number of responses (the submitted responses
  LEFT JOINed to their answers, so a response with no answer still has its row), read with
  `.iterator(chunk_size=...)` and turned into rows one response at a time: memory holds one
  response, never the survey. The CSV is streamed as it is written; the XLSX is written with
  openpyxl's write-only workbook (rows go to a temporary file as they come) and then sent from
  that file. openpyxl rather than XlsxWriter: the tests read the files back with it anyway,
  so one library does both, and its write-only mode is its documented streaming one.
- On PostgreSQL the CSV reads one statement of a row per response instead, whose fields the
  database has already written as CSV ("The CSV's cells written by PostgreSQL", below): a row
  per answer cost the driver more than the database's COPY of those rows. The same bytes as
  the rows' path, held so by a test on PostgreSQL.
- Anonymous surveys' rows are in an order that says nothing of when anyone answered: by a
  number computed in the database from each response's answers alone (a sum of squares of what
  each answer chose, wrote and how long its text is), then by id only among responses whose
  numbers are equal. Two responses of the same answers give the same row, so their order tells
  nothing; responses that differ only in a text of the same length and first letter may tie
  (a rare case, and their relative order is then the order they were begun).
- Named surveys' rows are in the order the responses were begun (their id), the cheapest order
  to read (the answers' index).
- The results page's rules hold: the same filters (named surveys only), the same threshold for
  anonymous surveys (refused below it, with the page's message), and a question the page
  withholds (an anonymous survey's question answered by fewer than its threshold) is left out.
- The XLSX's dates (of its parts and its properties) are a fixed one, not the clock's: the same
  responses give the same file, byte for byte.
- A text that begins with =, +, -, @ or a tab would be run as a formula by a spreadsheet
  (CSV injection): the CSV writes a ' before it; the XLSX stores every text as text. The
  writing of both files (the guard, the CSV's lines, the workbook with fixed dates) is the
  foundation's, portal/spreadsheets.py, shared with the Group Study Visits' exports.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial

from django.db import connection, transaction
from django.db.models import (
    BigIntegerField,
    Count,
    F,
    OuterRef,
    Subquery,
    Sum,
    TextField,
    Value,
    Window,
)
from django.db.models.functions import Cast, Coalesce, Length, Mod, NullIf, Ord, Substr
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cities.models import CityMembership
from feedback.enums import QuestionKind
from feedback.models import Answer, Survey
from feedback.results import ResultFilters, asked_cities, responses_counted, survey_questions
from portal import spreadsheets
from portal.spreadsheets import FORMULA_STARTS, csv_field, guarded

# Rows fetched from the database at a time: enough to keep the round trips few, small enough
# that memory does not follow the survey's size.
CHUNK_SIZE = 5000
# The same for PostgreSQL's CSV statement, whose rows are whole responses (about 20 answers).
RESPONSES_PER_CHUNK = 500
# The modulus of the anonymous rows' order (a prime under 2**31: a square of a residue stays
# within a 64-bit integer in both databases).
ORDER_PRIME = 2_147_483_629

# How a cell is filled from an answer row.
FIXED, NUMBER, TEXT = 0, 1, 2


class ExportRefused(Exception):
    """The export cannot be made (an anonymous survey under its threshold): `message` says why,
    in the words of the results page."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class ResponseTable:
    """The header, an iterator of the rows (lists of str, int or None), and the columns that
    may hold a text someone typed (a name, a label, an answer): the CSV guards only those."""

    header: list[str]
    rows: Iterator[list]
    text_columns: tuple[int, ...] = ()
    # PostgreSQL: the CSV's lines after the header, written by the database (_database_lines);
    # None elsewhere, and csv_lines writes `rows`.
    database_lines: Callable[[], Iterator[str]] | None = None


def threshold_message(survey: Survey) -> str:
    """The results page's words for an anonymous survey under its threshold."""
    n = survey.min_responses
    return ngettext(
        "The results of this anonymous survey appear once %(n)s person has answered.",
        "The results of this anonymous survey appear once %(n)s people have answered.",
        n,
    ) % {"n": n}


def _withheld_questions(survey: Survey, responses) -> set[int]:
    """The questions the results page withholds: an anonymous survey's questions answered by
    fewer than its threshold (feedback.results.survey_results)."""
    if not survey.is_anonymous:
        return set()
    answered = dict(
        Answer.objects.filter(response__in=responses.values("pk"))
        .values_list("question_id")
        .annotate(n=Count("response_id", distinct=True))
        .order_by()
    )
    # A question nobody answered is not withheld: its column is simply empty.
    return {q for q, n in answered.items() if n < survey.min_responses}


def _layout(survey: Survey, questions, withheld: set) -> tuple[list[str], dict, tuple]:
    """The header, where each (question, option) answer part goes: (column, how, value, the
    column of its "Other" text or None), and the columns of texts (ResponseTable)."""
    header = [_("Respondent"), _("City"), _("Country")] if not survey.is_anonymous else []
    texts = list(range(len(header)))
    places: dict[tuple[int, int | None], tuple[int, int, object, int | None]] = {}
    not_applicable = _("Not applicable")
    for number, question in enumerate(questions, start=1):
        title = f"Q{number}. {question.text}"
        if question.pk in withheld:
            continue
        kind = question.kind
        options = getattr(question, "option_list", [])
        if kind == QuestionKind.SINGLE_CHOICE:
            column = len(header)
            texts.append(column)
            header.append(title)
            other_column = None
            if any(option.is_other for option in options):
                other_column = len(header)
                texts.append(other_column)
                header.append(f"{title} ({_('other, please specify')})")
            for option in options:
                places[(question.pk, option.pk)] = (
                    column,
                    FIXED,
                    option.label,
                    other_column if option.is_other else None,
                )
        elif kind == QuestionKind.MULTIPLE_CHOICE:
            columns = {}
            for option in options:
                columns[option.pk] = len(header)
                header.append(f"{title}: {option.label}")
            for option in options:
                other_column = None
                if option.is_other:
                    other_column = len(header)
                    texts.append(other_column)
                    header.append(f"{title}: {option.label} ({_('text')})")
                places[(question.pk, option.pk)] = (columns[option.pk], FIXED, 1, other_column)
        elif kind in (QuestionKind.RANKING, QuestionKind.MATRIX):
            for option in options:
                places[(question.pk, option.pk)] = (len(header), NUMBER, not_applicable, None)
                header.append(f"{title}: {option.label}")
        elif kind in (QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT):
            places[(question.pk, None)] = (len(header), TEXT, None, None)
            texts.append(len(header))
            header.append(title)
        else:
            places[(question.pk, None)] = (len(header), NUMBER, not_applicable, None)
            header.append(title)
    return header, places, tuple(texts)


def _content_order():
    """A number per response computed from its answers alone (module docstring): the sum over
    its answers of the square, modulo a prime, of a mix of what each answer holds ("Not
    applicable" is the one answer row without a number or an option, so it needs no term)."""
    big = BigIntegerField()
    mix = (
        Cast(Coalesce("answers__question_id", 0), big) * 1_000_003
        + Cast(Coalesce("answers__option_id", 0), big) * 10_007
        + Cast(Coalesce("answers__number", -1), big) * 101
        + Cast(Coalesce(Length("answers__text"), 0), big) * 1_009
        + Cast(Coalesce(Ord(Substr("answers__text", 1, 1)), 0), big)
    )
    residue = Mod(mix, ORDER_PRIME)
    return Window(
        Sum(Mod(residue * residue, ORDER_PRIME), output_field=big),
        partition_by=[F("pk")],
    )


def _city_and_country(survey: Survey) -> dict:
    """The names of the city a named response speaks for and of its country, as annotations.
    A person's response begun before answering recorded the city it speaks for has none: its
    writer's city among those the survey asks stands in (the first by name, as
    feedback.answering._city_spoken_for). COALESCE reads the subquery only for such rows."""
    writers_city = CityMembership.objects.filter(
        user=OuterRef("user"), city__in=asked_cities(survey)
    ).order_by("city__name", "city_id")
    return {
        "city_name": Coalesce("city__name", Subquery(writers_city.values("city__name")[:1])),
        "country_name": Coalesce(
            "city__country__name", Subquery(writers_city.values("city__country__name")[:1])
        ),
    }


def response_rows_queryset(survey: Survey, filters: ResultFilters | None = None):
    """The one query the export reads: a row per answer of each submitted response counted
    (a response with none: one row of NULLs), with what identifies a named response first,
    in the order the rows are written."""
    responses = responses_counted(survey, filters)
    answer_parts = (
        "answers__question_id",
        "answers__option_id",
        "answers__number",
        "answers__not_applicable",
        "answers__text",
    )
    if survey.is_anonymous:
        return (
            responses.annotate(content_order=_content_order())
            .values_list("pk", *answer_parts)
            .order_by("content_order", "pk")
        )
    return (
        responses.annotate(**_city_and_country(survey))
        .values_list(
            "pk", "user__full_name", "user__email", "city_name", "country_name", *answer_parts
        )
        .order_by("pk")
    )


def response_table(*, survey: Survey, filters: ResultFilters | None = None) -> ResponseTable:
    """The header and rows of the export (module docstring), or ExportRefused. Reads, whatever
    the number of responses: for an anonymous survey the count and each question's count of
    answers, then the questions, their options and the rows (one query, iterated)."""
    responses = responses_counted(survey, filters)
    withheld: set = set()
    if survey.is_anonymous:
        if responses.count() < survey.min_responses:
            raise ExportRefused(threshold_message(survey))
        withheld = _withheld_questions(survey, responses)
    questions = survey_questions(survey)
    header, places, texts = _layout(survey, questions, withheld)
    queryset = response_rows_queryset(survey, filters)
    database_lines = None
    # One column or none: csv.writer's own quoting of an empty row ("" alone on its line) is
    # not worth copying in SQL; such surveys are small.
    if connection.vendor == "postgresql" and len(header) > 1:
        statement = _lines_statement(survey, filters, places, len(header))
        database_lines = partial(_database_lines, statement)
    return ResponseTable(
        header=header,
        rows=_rows(spreadsheets.rows_read(queryset, CHUNK_SIZE), len(header), places, survey),
        text_columns=texts,
        database_lines=database_lines,
    )


def _rows(records, width: int, places: dict, survey: Survey) -> Iterator[list]:
    """Turn the answer rows, grouped by response, into one list per response. (The loop runs
    once per answer: it unpacks each row once and looks its place up once.)"""
    named = not survey.is_anonymous
    current = None
    cells: list = []
    for record in records:
        if named:
            response_id, full_name, email, city, country, question_id, option_id = record[:7]
            number, not_applicable, text = record[7:]
        else:
            response_id, question_id, option_id, number, not_applicable, text = record
        if response_id != current:
            if current is not None:
                yield cells
            current = response_id
            cells = [None] * width
            if named:
                cells[0], cells[1], cells[2] = full_name or email or "", city or "", country or ""
        place = places.get((question_id, option_id))
        if place is None:
            # No answer (a response with none keeps its empty row), a withheld question, or an
            # option removed since.
            continue
        column, how, value, other_column = place
        if how == FIXED:
            cells[column] = value
            if other_column is not None and text:
                cells[other_column] = text
        elif how == NUMBER:
            cells[column] = value if not_applicable or number is None else number
        else:
            cells[column] = text
    if current is not None:
        yield cells


# --- The CSV's cells written by PostgreSQL ----------------------------------------------------
#
# Reading a row per answer cost more than PostgreSQL's COPY of those rows: the driver makes a
# tuple of Python objects per answer (2,000,000 for 100,000 responses of 20 questions), and
# the first version, which read them so, took 2.87 times the COPY. On PostgreSQL the database
# therefore writes each answer's CSV field itself, from the same layout (_layout's places) and
# with the same rules as _rows and csv_lines: the formula guard on texts, csv.writer's quoting
# (a field holding a comma, a quote or a line break is quoted, its quotes doubled); the fixed
# texts (an option's label, "Not applicable") are guarded and quoted here, in Python, by
# csv.writer itself. It sends a row per response: its identity's fields (named surveys), the
# codes of its answers whose field the layout fixes (a label, a 1, a point, "Not applicable":
# _codes, an array of integers the process looks up), and the columns and fields of the
# others (texts, "Other" texts) as two arrays; the process puts each field in its column and
# joins the line. Tried and measured slower (2,000,000 answers): a line made whole in SQL with
# an aggregate per column (its FILTER is evaluated for every answer and column), or with gaps
# filled by a window over the sorted answers. Tried without a gain measured (on a loaded
# machine), so left out: a thread fetching the next rows while the process writes lines. The
# codes replaced every field sent as text (each label and point copied into each response's
# array and written out again); with the merge below and the text checks' ascii() and
# strpos, the export's backend time went from 2.55 s to 2.00 s on 2,000,000 answers (the two
# versions in one run, 3 December; the codes' own share was within the machine's noise).
# tests/feedback/test_exports_database_lines.py holds the two paths to the same bytes.


# FORMULA_STARTS as an SQL list of character codes, compared with ascii() of a text (the code
# of its first character; 0 for an empty text): an integer comparison, where left(text, 1) IN
# (...) made a text of each first character and compared it with each start.
_SQL_FORMULA_CODES = ", ".join(str(ord(start)) for start in FORMULA_STARTS)
# What makes csv.writer quote a field, each looked for with strpos (a byte search). A regular
# expression of the four converts each text to wide characters first: on the scale survey's
# 316,000 texts the fields cost 260 ms of backend time more than the bare texts with it, and
# 70 ms with strpos and ascii().
_SQL_QUOTED_BY = ("','", "'\"'", "chr(10)", "chr(13)")


def _sql_text_cell(expression: str) -> str:
    """SQL of the CSV field of a text someone typed: the formula guard, then the quoting."""
    checked = (
        f"CASE WHEN ascii({expression}) IN ({_SQL_FORMULA_CODES}) "
        f"THEN chr(39) || {expression} ELSE {expression} END"
    )
    quoted = " OR ".join(f"strpos({expression}, {each}) > 0" for each in _SQL_QUOTED_BY)
    return (
        f"CASE WHEN {quoted} "
        f"THEN '\"' || replace({checked}, '\"', '\"\"') || '\"' ELSE {checked} END"
    )


@dataclass(frozen=True)
class _LinesStatement:
    sql: str
    params: tuple
    # The columns after the identity (named surveys: the first three are the identity's).
    width: int
    named: bool
    # What each code the statement sends stands for: its column (after the identity) and its
    # field, as csv.writer writes it (_codes).
    code_columns: tuple[int, ...] = ()
    code_fields: tuple[str, ...] = ()


# The numbers that have a code of their own (_codes): every point of the scales and a ranking's
# ranks up to this; another number is sent as text.
CODED_NUMBERS = 20


def _codes(places: dict, first: int) -> tuple[list, list, list]:
    """The codes of the answers whose field the survey's layout fixes (module section above):
    an answer of a FIXED place is its place's code (its label, or 1); an answer of a NUMBER
    place is its place's code when "Not applicable" (or without a number), the code plus 1 +
    its number for a number from 0 to CODED_NUMBERS. Returns the VALUES rows of the places
    (question, option or 0, column after the identity, how, code, "Other" column) with their
    parameters, and for each code its column and field."""
    rows, params, columns, fields = [], [], [], []
    for (question_id, option_id), (column, how, value, other_column) in places.items():
        code = None
        if how == FIXED:
            code = len(columns)
            columns.append(column - first)
            fields.append(csv_field(guarded(value) if isinstance(value, str) else value))
        elif how == NUMBER:
            code = len(columns)
            columns += [column - first] * (CODED_NUMBERS + 2)
            fields += [csv_field(value), *(str(n) for n in range(CODED_NUMBERS + 1))]
        rows.append(
            "(%s::integer, %s::integer, %s::integer, %s::integer, %s::integer, %s::integer)"
        )
        other = None if other_column is None else other_column - first
        params += [question_id, option_id or 0, column - first, how, code, other]
    if not rows:
        rows.append("(" + ", ".join(["NULL::integer"] * 6) + ")")
    return [rows, params], columns, fields


def _lines_statement(survey: Survey, filters, places: dict, width: int) -> _LinesStatement:
    """The statement whose rows make the CSV's lines, in the export's order (the module
    docstring): per response counted, its identity's fields joined (named surveys), then
    the codes of its answers (_codes), then the columns and fields of the others (texts,
    "Other" texts, numbers without a code)."""
    named = not survey.is_anonymous
    first = 3 if named else 0
    responses = responses_counted(survey, filters).order_by()
    if named:
        place = _city_and_country(survey)
        listed = responses.annotate(
            r_id=F("pk"),
            r_name=Coalesce(
                NullIf("user__full_name", Value("")),
                "user__email",
                Value(""),
                output_field=TextField(),
            ),
            r_city=place["city_name"],
            r_country=place["country_name"],
        ).values("r_id", "r_name", "r_city", "r_country")
    else:
        listed = responses.annotate(r_id=F("pk")).values("r_id")
    listed_sql, listed_params = listed.query.sql_with_params()
    counted = responses.annotate(c_id=F("pk")).values("c_id")
    counted_sql, counted_params = counted.query.sql_with_params()
    (rows, place_params), code_columns, code_fields = _codes(places, first)

    answer = connection.ops.quote_name(Answer._meta.db_table)
    # An answer of a NUMBER place whose field its code gives.
    coded_number = (
        f"(a.not_applicable OR a.number IS NULL OR a.number BETWEEN 0 AND {CODED_NUMBERS})"
    )
    code = (
        f"CASE WHEN m.how = {FIXED} OR a.not_applicable OR a.number IS NULL THEN m.code "
        f"ELSE m.code + 1 + a.number END"
    )
    coded = f"m.how = {FIXED} OR (m.how = {NUMBER} AND {coded_number})"
    # The others: a text, an "Other" text, a number without a code.
    other = "m.other_column IS NOT NULL AND a.text <> ''"
    written = f"m.how = {TEXT} OR (m.how = {NUMBER} AND NOT {coded_number}) OR ({other})"
    written_column = f"CASE WHEN m.how = {FIXED} THEN m.other_column ELSE m.col END"
    written_field = (
        f"CASE WHEN m.how = {NUMBER} THEN a.number::text ELSE {_sql_text_cell('a.text')} END"
    )
    # The anonymous rows' order: _content_order's number, summed by response over all its
    # answers (placed or not). A response without answers has one row of NULLs in
    # _content_order's join, whose mix is -1 * 101 (the number's COALESCE): its number is 101
    # squared.
    mix = (
        "COALESCE(a.question_id, 0)::bigint * 1000003"
        " + COALESCE(a.option_id, 0)::bigint * 10007"
        " + COALESCE(a.number, -1)::bigint * 101"
        " + COALESCE(length(a.text), 0)::bigint * 1009"
        " + COALESCE(ascii(substring(a.text, 1, 1)), 0)::bigint"
    )
    residue = f"mod({mix}, {ORDER_PRIME})"
    identity = "NULL"
    if named:
        identity = " || ',' || ".join(
            _sql_text_cell(f"r.{name}") for name in ("r_name", "r_city", "r_country")
        )
    order = "r.r_id" if named else f"COALESCE(g.content_order, {101 * 101 % ORDER_PRIME}), r.r_id"
    content_order = (
        "" if named else f", sum(mod({residue} * {residue}, {ORDER_PRIME})) AS content_order"
    )
    # The answers of the responses counted come in the order of their response: joined to the
    # responses and ordered behind OFFSET 0 (which keeps the planner from reordering the
    # joins), PostgreSQL merges the responses' primary key with the answers' index on their
    # response and groups them as they come (GroupAggregate), without sorting the answers
    # (grouped from a hash join, it sorted 2,000,000 answers on disk: 40% of the statement).
    # Each answer finds its place in a LATERAL subquery of the places, which a nested loop
    # runs in that order, and which PostgreSQL runs once per (question, option) and then
    # remembers (Memoize). The anonymous rows' order sorts the responses' rows at the end;
    # the named ones need no sort.
    sql = (
        f"SELECT {identity}, g.codes, g.written_columns, g.written_fields "
        f"FROM ({listed_sql}) r LEFT JOIN ("
        f"SELECT a.response_id, "
        f"array_agg({code}) FILTER (WHERE {coded}) AS codes, "
        f"array_agg({written_column}) FILTER (WHERE {written}) AS written_columns, "
        f"array_agg({written_field}) FILTER (WHERE {written}) AS written_fields"
        f"{content_order} "
        f"FROM (SELECT a.* FROM {answer} a "
        f"JOIN ({counted_sql}) counted ON counted.c_id = a.response_id "
        f"ORDER BY a.response_id OFFSET 0) a "
        f"LEFT JOIN LATERAL (SELECT * FROM (VALUES {', '.join(rows)}) "
        f"m(question_id, option_key, col, how, code, other_column) "
        f"WHERE m.question_id = a.question_id AND m.option_key = COALESCE(a.option_id, 0) "
        f"OFFSET 0) m ON true "
        f"GROUP BY a.response_id) g ON g.response_id = r.r_id "
        f"ORDER BY {order}"
    )
    params = (*listed_params, *counted_params, *place_params)
    return _LinesStatement(
        sql, params, width - first, named, tuple(code_columns), tuple(code_fields)
    )


def _without_jit(cursor) -> None:
    """No JIT compilation for this transaction's statements. The planner's estimate of a
    large survey's statement passes jit_above_cost, and compiling its expressions took 3 s of
    a 9.8 s run (EXPLAIN ANALYZE, 2,000,000 answers) where interpreting them takes less."""
    cursor.execute("SET LOCAL jit = off")


def _database_lines(statement: _LinesStatement) -> Iterator[str]:
    """The CSV's lines from `statement`'s rows, read RESPONSES_PER_CHUNK at a time through a
    server-side cursor inside a transaction (as _read, for the same reason); a chunk's lines
    as one string."""
    empty = [""] * statement.width
    code_columns, code_fields = statement.code_columns, statement.code_fields
    with transaction.atomic():
        with connection.cursor() as setting:
            _without_jit(setting)
        with connection.chunked_cursor() as cursor:
            cursor.execute(statement.sql, statement.params)
            while chunk := cursor.fetchmany(RESPONSES_PER_CHUNK):
                lines = []
                for identity, codes, written_columns, written_fields in chunk:
                    cells = empty.copy()
                    if codes:
                        for code in codes:
                            cells[code_columns[code]] = code_fields[code]
                    if written_columns:
                        for column, field in zip(written_columns, written_fields, strict=True):
                            cells[column] = field
                    if identity is None:
                        lines.append(",".join(cells))
                    elif cells:
                        lines.append(identity + "," + ",".join(cells))
                    else:
                        lines.append(identity)
                lines.append("")
                # Let go of the rows before the next fetch: two chunks are never held.
                chunk = None
                yield "\r\n".join(lines)


# --- CSV and XLSX (portal.spreadsheets) ---------------------------------------------------------


def csv_lines(table: ResponseTable) -> Iterator[str]:
    """The CSV file in chunks of lines (portal.spreadsheets.csv_lines): a byte order mark, the
    header, then a line per response, or the lines PostgreSQL wrote (`database_lines`)."""
    return spreadsheets.csv_lines(
        table.header, table.rows, text_columns=table.text_columns, body=table.database_lines
    )


def xlsx_write(table: ResponseTable, file, *, title: str) -> None:
    """Write the XLSX file to `file` (a path or a binary file), a row at a time
    (portal.spreadsheets.xlsx_write)."""
    spreadsheets.xlsx_write(table.header, table.rows, file, title=title, default_title="Responses")


def export_filename(survey: Survey, extension: str) -> str:
    """survey-<id>-responses.<extension>: ASCII, so every browser keeps it."""
    return f"survey-{survey.pk}-responses.{extension}"
