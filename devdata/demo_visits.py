"""Demo data of Group Study Visits (issue 12): the call of 2025 modelled on the real one, and an
illustrative call open around the day the demo is first loaded. `manage.py seed_demo` loads it
(devdata/visits_load.py), on a line of its own.

The real call (003 "Group Study visits", "Scale and momentum"): three Mission Cities hosted
visits, Mannheim, Guimarães and Bucharest, and "30 city delegates joined Group Study Visits
across three Mission cities" in 2025. 000 adds that Peer Cities (Mission-minded cities of the
Online Discussion Groups) were "selected and paired with a Mission City to participate in Group
Study Visits from May to October 2025", prepared in March-April 2025, and that a completed
Reflection Roadmap gave one additional point (§2.2).

Decisions, where the documents are silent:
- Dates. 003 prints no date of any visit and 000 only the window (May to October 2025): the
  visits' days below are the demo's, two weekdays each inside that window; the call opens after
  cohort 1's final recap (13 March 2025) and closes within its Group Study Visit preparation
  phase (March-April 2025).
- 30 delegates: three delegates per city, three cities in Mannheim and in Bucharest and four in
  Guimarães (3x3 + 4x3 + 3x3 = 30). Ten places in all.
- Sectors: Mannheim and Guimarães host the sectors they presented in cohort 1 (000 Table 4:
  district heating, energy; NZEB public buildings, buildings). Nothing says what Bucharest
  showed: the demo gives it sustainable mobility, so the three visits cover three groups.
- Bucharest is "București" of 000 Annex 1 (the same city, enrolled in cohort 1). It is one of
  the EU Cities Mission's 112 cities, so the demo gives it the Mission City flag beside its
  Mission-minded one (a city can be several types) and it does not apply to its own call.
- Applicants: the officer's city Braga and the first 24 other cities the demo enrolls in cohort
  1 (demo_cities.cohort_1_enrolled_cities), Bucharest left out: 22 submitted (10 selected, 10 on
  the waitlist, which is as long as the call's room, and 2 not selected), one withdrawn before
  the call closed, and two drafts never submitted. 003 gives no number of applicants.
- Reviewers: the demo reviewer and two reviewers without a login, named after their role. The
  two score every submitted application but the six the demo reviewer scored with one of them;
  the demo reviewer recused from one (a conflict declared) and a reviewer took their place.
- Scores are the demo's, chosen so that the ranking reads well: Braga, whose first choice is
  Guimarães, ranks first; one application shows high disagreement.
- The open call (for cohort 2, around the anchor day of devdata.demo_cities' Cohort 2 section)
  lets the officer apply from the browser: Braga has no application to it; Coimbra's is
  submitted and waits for the demo reviewer's scores; Ljubljana's is a draft.
"""

import datetime
import unicodedata

# --- The call of 2025 ----------------------------------------------------------------------

CALL_2025 = {
    "title": "Group Study Visits 2025",
    "description": (
        "Two-day visits to three Mission Cities for the Mission-minded cities of the Online "
        "Discussion Groups cohort 1: see on the ground how the host city implements its "
        "climate actions, and write your city's action plan after the visit."
    ),
}
# (day, hour) in Brussels time.
CALL_2025_OPENS = (datetime.date(2025, 3, 17), datetime.time(9, 0))
CALL_2025_CLOSES = (datetime.date(2025, 4, 14), datetime.time(18, 0))
CALL_2025_REVIEWS_DUE = (datetime.date(2025, 4, 28), datetime.time(18, 0))
CALL_2025_PUBLISHED = (datetime.date(2025, 5, 5), datetime.time(10, 0))
# The cities apply one after the other from the call's second day, a day apart at 11:00 (the
# order of CALL_2025_APPLICANTS); reviews were submitted from the day after the call closed.
CALL_2025_FIRST_REVIEW = (datetime.date(2025, 4, 15), datetime.time(9, 0))

# (host city key, sector slug, first day, cities, delegates per city): 30 delegates in all.
VISITS_2025 = [
    (("Guimarães", "PT"), "buildings", datetime.date(2025, 5, 22), 4, 3),
    (("Mannheim", "DE"), "energy", datetime.date(2025, 6, 25), 3, 3),
    (("București", "RO"), "sustainable-mobility", datetime.date(2025, 9, 24), 3, 3),
]
HOST_CITIES = [host for host, *_rest in VISITS_2025]

# --- Criteria (both calls) --------------------------------------------------------------------

# Manual criteria: (name, description, weight, independent, anchors from 0 points up).
MANUAL_CRITERIA = [
    (
        "Relevance of the challenge to the visit",
        "How closely the city's spotlight challenge matches what the host city shows.",
        "2",
        False,
        [
            "No link between the city's challenge and the visit.",
            "A loose link: the visit touches the challenge in passing.",
            "Some link: one part of the visit speaks to the challenge.",
            "A clear link: most of the visit speaks to the challenge.",
            "A strong link: the visit shows a solution to the challenge.",
            "An exact match: the host city solved the same challenge.",
        ],
    ),
    (
        "Transferability and commitment",
        "Whether the city can take what it learns home: mandate, resources, a plan for after.",
        "1",
        False,
        [
            "Nothing says what the city would do after the visit.",
            "A wish to learn, with no plan.",
            "An idea of what to try, without the means named.",
            "A plan with the people who would carry it out.",
            "A plan with people, budget and a timeline.",
            "A plan already approved, waiting for the visit's lessons.",
        ],
    ),
    (
        "Seniority of the delegation",
        "Shown beside the score for the discussion of close cases; not counted in the total.",
        "1",
        True,
        [
            "No delegate decides on the city's climate actions.",
            "Staff who prepare decisions.",
            "A head of department.",
            "An elected member or the city's director.",
        ],
    ),
]
# Automatic criteria: (rule, name, weight); their sentences are visits.scoring.RULE_SENTENCES.
AUTOMATIC_CRITERIA = [
    ("roadmap_completed", "Completed Reflection Roadmap", "1"),
    ("sessions_attended", "Sessions attended", "0.5"),
    ("sector_match", "Thematic group matching the first choice", "1"),
]

# --- Applicants, reviewers and scores of 2025 ----------------------------------------------------

# How many of cohort_1_enrolled_cities() (Bucharest left out) apply beside Braga.
OTHER_APPLICANTS = 24
# Positions in CALL_2025_APPLICANTS (Braga is 0) of the application withdrawn before the call
# closed, and of the two drafts never submitted.
WITHDRAWN = [18]
DRAFTS = [23, 24]
# Applicants whose cohort 1 roadmap is completed (submitted by their officer, accepted by the
# lead facilitator), by position: the automatic "roadmap" line gives them 1 point.
ROADMAPS_COMPLETED = [2, 5, 9, 13, 16, 20]

# The visits each city ranks, by host, first choice first: the visit of the sector of the
# first group the city joined in cohort 1 when there is one, then the others in the order of
# VISITS_2025; every third city ranks only its first two choices.
SECTOR_HOSTS = {sector: host for host, sector, *_rest in VISITS_2025}

REVIEWERS = [
    ("reviewer.eurocities@example.org", "Study visits reviewer, Eurocities", "Eurocities"),
    ("reviewer.iclei@example.org", "Study visits reviewer, ICLEI", "ICLEI Europe"),
]
# Positions (among the submitted applications, in CALL_2025_APPLICANTS order) the demo reviewer
# scored, and the one they recused from.
DEMO_REVIEWER_SCORES = [0, 1, 2, 3, 4]
DEMO_REVIEWER_RECUSES = 5
RECUSAL_REASON = (
    "I advised this city on its Climate City Contract application last year: another reviewer "
    "should score it."
)
# The submitted application (position among the submitted) whose reviewers disagree.
DISAGREEMENT = 7


def points_for(position: int, reviewer: int) -> tuple[int, int, int]:
    """The points the `reviewer`-th reviewer (0 or 1) of the `position`-th submitted application
    gives to the three manual criteria: higher for the first applications, a point apart
    between reviewers, far apart on DISAGREEMENT."""
    relevance = max(0, 5 - position // 4)
    transfer = max(0, 4 - (position * 3) % 5)
    if reviewer == 1:
        relevance = max(0, relevance - (position % 2))
        transfer = min(5, transfer + (position % 3 == 1))
    if position == DISAGREEMENT:
        relevance = 1 if reviewer == 0 else 4
    seniority = min(3, position % 3 + reviewer)
    return relevance, transfer, seniority


def delegates_of(city_name: str, count: int) -> list[tuple[str, str, str]]:
    """The delegates a city names: roles, not people (the documents name none)."""
    ascii_name = unicodedata.normalize("NFKD", city_name).encode("ascii", "ignore").decode()
    slug = "".join(ch for ch in ascii_name.lower() if ch.isalnum())[:20]
    roles = ["Climate officer", "Head of the energy department", "Deputy mayor"]
    return [
        (f"{city_name} delegate {n}", roles[n - 1], f"delegate{n}.{slug}@example.org")
        for n in range(1, count + 1)
    ]


MOTIVATION = (
    "{city} wants to see how the host city turned its plan into works on the ground, and to "
    "bring back a first project for its own Climate City Contract."
)

# --- The open call (cohort 2) ----------------------------------------------------------------

CALL_OPEN = {
    "title": "Group Study Visits for cohort 2",
    "description": (
        "Two-day visits for the cities of the Online Discussion Groups cohort 2. Illustrative: "
        "the documents give no second call; it is open while cohort 2 runs."
    ),
}
# In days from cohort 2's anchor (demo_cities' Cohort 2 section), at 09:00 / 18:00 Brussels
# time: open a week before it, closing at the end of its Group Study Visit preparation phase.
CALL_OPEN_DAYS = (-7, 90, 104)
# (host city key, sector slug, first day in days from the anchor, cities, delegates per city).
VISITS_OPEN = [
    (("Valencia", "ES"), "energy", 130, 5, 2),
    (("Stockholm", "SE"), "sustainable-mobility", 160, 5, 2),
]
# Coimbra's application is submitted and assigned to the demo reviewer, not scored yet;
# Ljubljana's is a draft. Their officers are cohort 2's (demo_cities.COHORT_2_ENROLLED).
OPEN_SUBMITTED = ("Coimbra", "PT")
OPEN_DRAFT = ("Ljubljana", "SI")
