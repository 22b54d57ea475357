"""Demo data of cohort 1's needs assessment (issue 11): the needs-assessment questionnaire of
004 Annex 2 (feedback.survey_templates NEEDS_ASSESSMENT), answered once per city by eight
cities of cohort 1, so that "Needs by enabling theme" (feedback/needs.py) and the reuse of a
city's answers (feedback/needs_prefill.py) have something to show on a first run.

004 is the needs assessment NetZeroCities ran with cities before any cohort: a stock-taking
survey sent to the cities of each focus group before it met (004 §2.1.2). The demo puts it where
the portal asks a cohort's cities: a survey of cohort 1, named, one response per city, open
from the day the cities enrolled (2 September 2024) until before the first session
(24 September 2024), and closed since. A programme survey would ask every cohort's cities and
be built by programme admins only; the cohort's facilitators (the demo facilitator among them)
read a cohort survey's results.

Where the figures come from. 004 prints the questionnaire's results option by option, with a
denominator, in one place only: Annex 1, Focus Group 8 ("Circular economy and strategic
planning", 26 January 2022), section 7 "Results from Pre-Meeting Survey", whose shares are of
8 answers (37.50%, 62.5%, 12.50%; Q14 of 6, Q16 of 7, Q43 of 6). The demo's eight respondents
give those shares back exactly:

- Q3 governance: "Climate Department" 5 of 8 (62.5%) and "Climate responsibilities shared
  across different departments" 5 of 8 (62.5%).
- Q7 target: "Yes, with a timeline range of 2040 - 2050" 3 of 8 (37.5%).
- Q8 priority sectors: Mobility and transport 6 (75%), Energy systems 4 (50%), Built environment
  3 (37.5%), Industry 1 (12.5%) of 8.
- Q9 barriers: Insufficient administrative and operational capacity 4 (50%), Very high
  investment costs 4 (50%), Limited technological interventions 2 (25%), Lack of support from
  the relevant industries 2 (25%; 004 prints that line twice, counted once), Lack of circularity
  2 (25%) of 8.
- Q10 DNSH: Yes 5 of 8 (62.5%).
- Q11 co-benefits: Improved public health and quality of life 4 (50%), Increased participation
  and awareness among citizens 3 (37.5%), Economic growth and boosted local businesses 3 (37.5%)
  of 8.
- Q14 reporting tools: Yes 5 of 6 (83.33%).
- Q16 engagement: Consultation 5 (71.43%), Co-design 4 (57.14%), Reciprocal commitments 3
  (42.86%), Neighbourhood information events 3 (42.86%) of 7.
- Q21 engagement barriers: Lack of on-ground partners 3 (37.5%), Resistance/ fear 3 (37.5%)
  of 8.
- Q22 funding gaps: project preparation 4 (50%), operation & maintenance 4 (50%), identifying
  the right type of funding 3 (37.5%) of 8.
- Q24 budgets: Circular economy budget 4 of 8 (50%).
- Q43 circular economy sectors: Material & construction 6 (100%), Water systems 5 (83.33%),
  Solid waste & recycling 5 (83.33%), Food systems 3 (50%), Industrial waste 2 (33.33%) of 6;
  none chose "None of the above" or "My city does not ...".
- Q6 departments: three of Focus Group 8's printed answers (the fourth names Porto, not a
  respondent here).

The themes page rounds shares to whole percentages (feedback.results.percent): 62.5% shows as
63%, 37.5% as 38%, 83.33% as 83%, 71.43% as 71%.

Approximations, from 004 §3's figures over the 44 cities of all focus groups' surveys, which 8
cities can only come near: "61% of respondent cities have climate responsibilities shared
across different departments" (§3.1) is Q3's 5 of 8 (63%); "more than 50% of the cities
indicated that they would access it for informational content and member networking"
(Spotlight 2) is 5 of 8 (63%) for "Informative content" and "Networking/ member space"; "over 70%
of cities indicated that they engage business owners, researchers, public institutions ...,
associations, residents and civil society groups" (§3.3.1) is 6 of 8 (75%) for each of those
six groups; "just 18% of cities that responded to the survey indicated that peer-to-peer
learning is part of their national programme" (§3.5) is "National programme" 1 of 6 (17%).

Decision: where 004 gives a share but not what the rest answered, the rest is the demo's own,
the fewest answers that keep the documented shares and their denominator: Q7's other five
cities (2 up to 2030, 2 in 2030 - 2040, 1 intending to commit), Q10's three "No", Q21's two
"Lack of awareness ..." (the main barrier Focus Group 7 reports beside resistance), Q24's other
four (2 "Climate mitigation budget", 2 "Climate adaptation budget"), the peer-learning
motivations besides the national programme (4 voluntary, 1 research project). Nothing else is
answered: the questions 004 reports no figure for are left unanswered.

The respondents are eight cities the demo enrols in cohort 1, each answering through its
officer: Braga (the demo officer), Coimbra and Ljubljana (whose officers the demo already has)
and five cities given an officer login without a password here (it only names who answered,
like the officers of cohort 2's requests). 004 does not say which city answered what: the
answers are spread over the eight in a fixed order.
"""

import datetime

# (name, ISO code) of the respondents, in the order the answers below number them (0-7).
NEEDS_CITIES = [
    ("Braga", "PT"),
    ("Coimbra", "PT"),
    ("Ljubljana", "SI"),
    ("Bruges", "BE"),
    ("Enschede", "NL"),
    ("Liepāja", "LV"),
    ("Munich", "DE"),
    ("Pisa", "IT"),
]

# Officer logins (email, full name, organisation) the demo adds for respondents without one.
NEEDS_OFFICERS = {
    ("Bruges", "BE"): ("bruges.officer@example.org", "Bruges city officer", "City of Bruges"),
    ("Enschede", "NL"): (
        "enschede.officer@example.org",
        "Enschede city officer",
        "City of Enschede",
    ),
    ("Liepāja", "LV"): ("liepaja.officer@example.org", "Liepāja city officer", "City of Liepāja"),
    ("Munich", "DE"): ("munich.officer@example.org", "Munich city officer", "City of Munich"),
    ("Pisa", "IT"): ("pisa.officer@example.org", "Pisa city officer", "City of Pisa"),
}

# Open from the day cohort 1's cities enrolled until the Friday before its first session
# (Europe/Brussels); each city answered on its own day, at 11:00, from the day after it opened.
NEEDS_OPENS = (datetime.date(2024, 9, 2), datetime.time(10, 0))
NEEDS_CLOSES = (datetime.date(2024, 9, 20), datetime.time(17, 0))
NEEDS_FIRST_ANSWER = (datetime.date(2024, 9, 3), datetime.time(11, 0))
NEEDS_ANSWER_INTERVAL = datetime.timedelta(days=1)

ALL = range(8)

# Each choice question's key, and per option label the respondents (indexes of NEEDS_CITIES)
# who chose it. A question nobody below answers is left unanswered by everyone.
NEEDS_CHOICES: dict[str, dict[str, tuple[int, ...]]] = {
    # Focus Group 8, Q3.
    "governance_arrangements": {
        "Climate Department (or equivalent)": (0, 1, 2, 3, 4),
        "Climate responsibilities shared across different departments": (3, 4, 5, 6, 7),
    },
    # Q7: 3 of 8 in 2040 - 2050 (004); the other five, the demo's.
    "neutrality_target": {
        "Yes, with a timeline range of up to 2030": (0, 1),
        "Yes, with a timeline range of 2030 - 2040": (2, 3),
        "Yes, with a timeline range of 2040 - 2050": (4, 5, 6),
        "No, but we have an intention of committing": (7,),
    },
    # Q8.
    "priority_sectors": {
        "Energy systems": (0, 1, 6, 7),
        "Built environment": (2, 3, 6),
        "Mobility and transport": (0, 1, 2, 3, 4, 5),
        "Industry": (7,),
    },
    # Q9.
    "barriers": {
        "Insufficient administrative and operational capacity": (0, 1, 2, 3),
        "Limited technological interventions that reduce/ eliminate emissions": (0, 4),
        "Lack of circularity": (2, 6),
        "Very high investment costs": (4, 5, 6, 7),
        "Lack of support from the relevant industries": (1, 5),
    },
    # Q10: Yes 5 of 8 (004); No, the demo's.
    "dnsh": {"Yes": (0, 1, 2, 3, 4), "No": (5, 6, 7)},
    # Q11.
    "co_benefits": {
        "Improved public health and quality of life": (0, 1, 2, 3),
        "Increased participation and awareness among citizens": (4, 5, 6),
        "Economic growth and boosted local businesses": (0, 4, 7),
    },
    # §3.3.2 Spotlight 2: "more than 50%".
    "platforms_liked": {
        "Informative content": (0, 1, 2, 3, 4),
        "Networking/ member space": (3, 4, 5, 6, 7),
    },
    # Q14: 5 of 6.
    "platform_tools": {"Yes": (0, 1, 2, 3, 4), "No": (5,)},
    # Q16: of 7.
    "engagement_ways": {
        "Consultation on strategies & policies": (0, 1, 2, 3, 4),
        "Co-design of strategies with stakeholders & citizens": (0, 1, 5, 6),
        "Reciprocal climate commitments by stakeholders": (1, 3, 5),
        "Neighbourhood information events/ sessions": (2, 4, 6),
    },
    # §3.3.1: "over 70%" engage these six groups.
    "groups_engaged": dict.fromkeys(
        (
            "Civil society groups",
            "Residents",
            "Associations",
            "Public institutions like schools, cultural organisations",
            "Researchers",
            "Entrepreneurs & business owners",
        ),
        (0, 1, 2, 3, 4, 5),
    ),
    # Q21: 3 and 3 of 8 (004); the other two, the demo's.
    "engagement_barriers": {
        "Lack of on-ground partners": (0, 1, 2),
        "Resistance/ fear from communities to change business as usual": (3, 4, 5),
        "Lack of awareness on the content and issues of climate change": (6, 7),
    },
    # Q22.
    "funding_gaps": {
        "Lack of funding for project preparation": (0, 1, 2, 3),
        "Lack of funding for operation & maintenance costs": (4, 5, 6, 7),
        "Difficulty in identifying right type of funding": (0, 4, 7),
    },
    # Q24: 4 of 8 (004); the other four, the demo's.
    "budget_allocations": {
        "Circular economy budget": (0, 1, 2, 3),
        "Climate mitigation budget": (4, 5),
        "Climate adaptation budget": (6, 7),
    },
    # §3.5: 18% of survey respondents: here 1 of 6; the other motivations, the demo's.
    "motivation": {
        "National programme": (0,),
        "Voluntary knowledge participation": (1, 2, 3, 4),
        "Research Project": (5,),
    },
    # Q43: of 6.
    "circular_sectors": {
        "Food systems": (0, 2, 4),
        "Water systems": (0, 1, 2, 3, 4),
        "Solid waste & recycling": (1, 2, 3, 4, 5),
        "Industrial waste": (1, 3),
        "Material & construction": (0, 1, 2, 3, 4, 5),
    },
}

# Focus Group 8, Q6, as printed: the respondent (index) and the text.
NEEDS_TEXTS: dict[str, dict[int, str]] = {
    "climate_department": {
        0: "Spatial planning",
        1: "Environmental Planning and Management Department",
        2: "Urban Planning Department",
    },
}


def needs_answers(index: int) -> dict[str, list[str] | str]:
    """The `index`-th respondent's answers: per question key, the option labels chosen (in
    the table's order) or the text written."""
    answers: dict[str, list[str] | str] = {}
    for key, options in NEEDS_CHOICES.items():
        chosen = [label for label, who in options.items() if index in who]
        if chosen:
            answers[key] = chosen
    for key, texts in NEEDS_TEXTS.items():
        if index in texts:
            answers[key] = texts[index]
    return answers
