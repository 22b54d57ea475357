"""The analysts' data sets (reports/dataset_*.py): each one's exact rows on the small world of
tests/reports/datasets_world.py, as a programme admin reads them with no filter."""

from decimal import Decimal

from reports.datasets import DATASETS
from tests.reports.conftest import rows

F, T = False, True


def test_data_sets_are_registered_in_the_dictionarys_order():
    assert list(DATASETS) == [
        "cities",
        "cohorts",
        "enrolments",
        "sessions",
        "registrations",
        "roadmaps",
        "roadmap-answers",
        "survey-responses",
        "survey-answers",
        "visit-applications",
        "application-scores",
    ]


def test_column_names_are_snake_case_unique_and_described():
    for dataset in DATASETS.values():
        names = [column.name for column in dataset.columns]
        assert len(names) == len(set(names)), dataset.key
        for column in dataset.columns:
            assert column.name.isidentifier() and column.name == column.name.lower()
            assert str(column.description).strip()
            assert column.kind in {"text", "integer", "decimal", "date", "datetime", "boolean"}
            # Personal data is an address or a name.
            assert column.personal == (
                column.name.endswith("email")
                or column.name == "full_name"
                or column.name.startswith("representative_")
            ), column.name


def test_cities(w):
    pt, de = w.portugal.pk, w.germany.pk
    assert rows(w.admin, "cities") == [
        [w.berlin.pk, "Berlin", de, "DE", "Germany", 3_700_000, F, T, F, F, ""],
        [w.lisbon.pk, "Lisbon", pt, "PT", "Portugal", 545_000, F, T, F, F, ""],
        [w.porto.pk, "Porto", pt, "PT", "Portugal", None, T, F, T, F, "submitted"],
    ]


def test_cohorts(w):
    import datetime

    assert rows(w.admin, "cohorts") == [
        [
            w.cohort_a.pk,
            "odg",
            1,
            "Cohort A",
            datetime.date(2024, 9, 1),
            datetime.date(2025, 2, 28),
            2,
            1,
        ],
        [
            w.cohort_b.pk,
            "odg",
            2,
            "Cohort B",
            datetime.date(2025, 3, 1),
            datetime.date(2025, 8, 31),
            1,
            1,
        ],
    ]


def test_enrolments(w):
    a, b = w.cohort_a.pk, w.cohort_b.pk
    created = "2024-08-01T10:00:00Z"
    assert rows(w.admin, "enrolments") == [
        [w.lisbon_a.pk, a, w.lisbon.pk, "accepted", created, "2024-08-02T10:00:00Z", None],
        [w.porto_a.pk, a, w.porto.pk, "accepted", created, "2024-08-03T10:00:00Z", None],
        [w.berlin_b.pk, b, w.berlin.pk, "accepted", created, "2025-02-01T10:00:00Z", None],
        [w.porto_b.pk, b, w.porto.pk, "requested", created, None, "officer@lisbon.example.org"],
    ]


def test_sessions_with_attendance_counts(w):
    assert rows(w.admin, "sessions") == [
        [
            w.s1.pk,
            w.cohort_a.pk,
            w.energy_a.pk,
            "energy",
            "thematic",
            "Energy communities",
            "scheduled",
            "2024-10-01T10:00:00Z",
            "2024-10-01T12:00:00Z",
            3,  # registered, the walk-in included
            2,  # attended
            1,  # no-show
            1,  # walk-in
            None,
        ],
        [
            w.s2.pk,
            w.cohort_a.pk,
            None,
            None,
            "thematic",
            "Recap",
            "scheduled",
            "2024-11-05T10:00:00Z",
            "2024-11-05T12:00:00Z",
            0,
            0,
            0,
            0,
            31,
        ],
        [
            w.s3.pk,
            w.cohort_b.pk,
            w.mobility_b.pk,
            "mobility",
            "thematic",
            "Mobility hubs",
            "scheduled",
            "2025-04-01T10:00:00Z",
            "2025-04-01T12:00:00Z",
            1,
            0,
            0,
            0,
            None,
        ],
    ]


def test_registrations(w):
    a, b = w.cohort_a.pk, w.cohort_b.pk
    at = "2024-09-20T10:00:00Z"
    assert rows(w.admin, "registrations") == [
        [
            w.r1.pk,
            w.s1.pk,
            a,
            w.lisbon.pk,
            F,
            "attended",
            at,
            "Ana Silva",
            "ana@lisbon.example.org",
        ],
        [w.r2.pk, w.s1.pk, a, w.porto.pk, F, "no_show", at, "Rui Costa", "rui@porto.example.org"],
        [
            w.r3.pk,
            w.s1.pk,
            a,
            w.lisbon.pk,
            T,
            "attended",
            at,
            "Eva Lopes",
            "eva@lisbon.example.org",
        ],
        [w.r4.pk, w.s3.pk, b, w.berlin.pk, F, "", at, "Max Weber", "max@berlin.example.org"],
    ]


def test_roadmaps_with_status_dates_and_scores(w):
    none8 = [None] * 8
    scores_lisbon = [4, None, None, None, None, None, None, None]  # 6 is not a score
    scores_berlin = [None, None, None, None, None, None, None, 2]
    assert [column.name for column in DATASETS["roadmaps"].columns][12:20] == [
        "score_internal_governance",
        "score_stakeholder_engagement",
        "score_citizen_engagement",
        "score_knowledge_capacities",
        "score_procurement_practices",
        "score_data_digitalisation",
        "score_technology_industry",
        "score_funding_financing",
    ]
    assert rows(w.admin, "roadmaps") == [
        [
            w.roadmap_lisbon.pk,
            w.cohort_a.pk,
            w.lisbon.pk,
            "submitted",
            "submitted",
            100,
            "2024-08-02T10:00:00Z",
            "2024-12-01T10:00:00Z",
            "2024-12-01T10:00:00Z",
            None,
            17,
            "high",
            *scores_lisbon,
            "Ana",
            None,
            "rep@lisbon.example.org",
        ],
        [
            w.roadmap_porto.pk,
            w.cohort_a.pk,
            w.porto.pk,
            "draft",
            "not_started",
            0,
            "2024-08-03T10:00:00Z",
            "2024-08-03T10:00:00Z",
            None,
            None,
            None,
            None,
            *none8,
            None,
            None,
            None,
        ],
        [
            w.roadmap_berlin.pk,
            w.cohort_b.pk,
            w.berlin.pk,
            "accepted",
            "completed",
            100,
            "2025-02-01T10:00:00Z",
            "2025-06-01T10:00:00Z",
            "2025-05-01T10:00:00Z",
            "2025-06-01T10:00:00Z",
            None,
            None,
            *scores_berlin,
            None,
            None,
            None,
        ],
    ]


def test_roadmap_answers_leave_out_email_fields_and_empty_ones(w):
    lisbon = [w.roadmap_lisbon.pk, w.cohort_a.pk, w.lisbon.pk]
    saved = "2024-11-30T10:00:00Z"
    assert rows(w.admin, "roadmap-answers") == [
        [*lisbon, "phase1", "phase1.overview", "Net zero by 2030, with the port.", 1, saved],
        [*lisbon, "phase2_1", "phase2_1.climate_action", "17", 1, saved],
        [*lisbon, "phase2_1", "phase2_1.desirability", "high", 1, saved],
        [*lisbon, "phase2_2", "phase2_2.score.funding-financing", "6", 1, saved],
        [*lisbon, "phase2_2", "phase2_2.score.internal-governance", "4", 1, saved],
        [
            w.roadmap_berlin.pk,
            w.cohort_b.pk,
            w.berlin.pk,
            "phase2_2",
            "phase2_2.score.funding-financing",
            "2",
            1,
            saved,
        ],
    ]


def test_survey_responses(w):
    a, b = w.cohort_a.pk, w.cohort_b.pk
    named = [w.named.pk, "Mid-term survey", "cohort", None, a, "", F]
    anonymous = [w.anonymous.pk, "After the session", "session", w.s1.pk, a, "", T]
    assert rows(w.admin, "survey-responses") == [
        [
            *named,
            w.named_lisbon.pk,
            w.lisbon.pk,
            w.officer.pk,
            "2024-12-05T10:00:00Z",
            "officer@lisbon.example.org",
        ],
        [
            *named,
            w.named_porto.pk,
            w.porto.pk,
            w.named_porto.user_id,
            "2024-12-06T10:00:00Z",
            "officer@porto.example.org",
        ],
        # Anonymous: nobody, no id, no time.
        [*anonymous, None, None, None, None, None],
        [*anonymous, None, None, None, None, None],
        # The anonymous survey "Few" is under its threshold: left out.
        [
            w.named_b.pk,
            "Cohort B survey",
            "cohort",
            None,
            b,
            "",
            F,
            w.named_berlin.pk,
            w.berlin.pk,
            w.named_berlin.user_id,
            "2025-05-02T10:00:00Z",
            "officer@berlin.example.org",
        ],
    ]


def test_survey_answers(w):
    choice, comment, rating = w.choice.pk, w.comment.pk, w.rating.pk
    assert rows(w.admin, "survey-answers") == [
        [
            w.named.pk,
            w.named_lisbon.pk,
            choice,
            101,
            "single",
            "Was it useful?",
            w.yes.pk,
            "Yes",
            None,
            F,
            "",
        ],
        [
            w.named.pk,
            w.named_lisbon.pk,
            comment,
            102,
            "long_text",
            "Anything else?",
            None,
            None,
            None,
            F,
            '=1+1, "quoted"\nsecond line',
        ],
        [
            w.named.pk,
            w.named_porto.pk,
            choice,
            101,
            "single",
            "Was it useful?",
            w.no.pk,
            "No, rather not",
            None,
            F,
            "",
        ],
        # Anonymous: no response id, in the order of the content (3 before 5), and the
        # remark (answered by one person, under the threshold of 2) withheld.
        [w.anonymous.pk, None, rating, 101, "rating", "How useful?", None, None, 3, F, ""],
        [w.anonymous.pk, None, rating, 101, "rating", "How useful?", None, None, 5, F, ""],
        [
            w.named_b.pk,
            w.named_berlin.pk,
            w.named_berlin.answers.get().question_id,
            101,
            "scale_0_10",
            "How likely to recommend?",
            None,
            None,
            9,
            F,
            "",
        ],
    ]


def test_visit_applications(w):
    call = [w.call.pk, "Visits 2025"]
    assert rows(w.admin, "visit-applications") == [
        [
            w.app_lisbon.pk,
            *call,
            w.lisbon.pk,
            "submitted",
            "2025-01-10T10:00:00Z",
            None,
            Decimal("7.500"),
            1,
            "selected",
            w.visit.pk,
            w.porto.pk,
            None,
            F,
        ],
        [
            w.app_berlin.pk,
            *call,
            w.berlin.pk,
            "submitted",
            "2025-03-10T10:00:00Z",
            None,
            Decimal("3.000"),
            2,
            "waitlisted",
            None,
            None,
            1,
            F,
        ],
        [
            w.app_porto.pk,
            *call,
            w.porto.pk,
            "draft",
            None,
            None,
            None,
            None,
            "",
            None,
            None,
            None,
            F,
        ],
    ]


def test_application_scores_of_submitted_reviews_only(w):
    assert rows(w.admin, "application-scores") == [
        [
            w.app_lisbon.pk,
            w.call.pk,
            w.lisbon.pk,
            w.review_lisbon.pk,
            w.reviewer.pk,
            w.relevance.pk,
            "Relevance",
            Decimal("2.00"),
            5,
            F,
            4,
            "2025-01-20T10:00:00Z",
            "reviewer@example.org",
        ]
    ]
