"""Demo data of cohort 1's feedback surveys (issue 11): the final recap survey of 13 March 2025
with the answers 000 §4.1 and Annex 2 report, and the post-session surveys of the five thematic
sessions, whose chosen sub-topics are the ones the technical sessions took up (Table 5).

The recap survey was run with Mentimeter during the final recap event; 000 reports 18
respondents. The demo gives each response to one city enrolled in cohort 1 (a named survey, one
response per city): the officer's city, Braga, and the first 17 other cities the demo enrols
(demo_cities.cohort_1_enrolled_cities). A response names the officer who wrote it where the
demo has a login for the city's officer (Braga, Coimbra, Ljubljana, and the five cities whose
officers answer the needs assessment, devdata/demo_needs.py) and nobody otherwise: no other
city's officer speaks for them.

Decision: every figure §4.1 gives is reproduced by the answers below, and nothing else is
invented as a figure. "How possible is it to become climate neutral?" has no reported answer,
so nobody answers it. "What did your city gain ...?" has no printed answers (Annex 2's slides
are images): the five demo answers below use §4.1's own summary of them.
"""

import datetime

# (name, ISO code) of the 18 respondents' cities, in the order of RECAP_ANSWERS.
RECAP_CITIES = [
    ("Braga", "PT"),
    ("Adana", "TR"),
    ("Bruges", "BE"),
    ("Bursa", "TR"),
    ("Coimbra", "PT"),
    ("Enschede", "NL"),
    ("Eskişehir", "TR"),
    ("Gaziantep", "TR"),
    ("Istanbul", "TR"),
    ("Karatay", "TR"),
    ("Liepāja", "LV"),
    ("Ljubljana", "SI"),
    ("Maia", "PT"),
    ("Munich", "DE"),
    ("Pisa", "IT"),
    ("Saray (Tekirdağ)", "TR"),
    ("Sunderland", "GB"),
    ("União das Freguesias de A dos Cunhados e Maceira", "PT"),
]

# §4.1: "15 out of 18 respondents indicated satisfaction with the structure and content balance.
# However, two cities expressed interest in learning more about systemic approaches rather than
# sector-specific strategies, and one city suggested extending the exchange time with Mission
# Cities." Positions of feedback.survey_templates.THEMATIC_FORMAT_OPTIONS.
SATISFIED = 1
SYSTEMIC = 2
LONGER_EXCHANGE = 3
# §4.1: "9 out of 18 cities would have preferred receiving direct technical support ... Six
# cities expressed satisfaction with the format, while two would have liked to hear more from
# other cities instead of the NZC consortium members, and one suggested incorporating more
# problem-solving exercises." Positions of TECHNICAL_FORMAT_OPTIONS.
DIRECT_SUPPORT = 1
TECHNICAL_SATISFIED = 2
OTHER_CITIES = 3
PROBLEM_SOLVING = 4

# Annex 2, "Describe in one sentence a support service you would need to support your climate
# neutrality goal.", as printed (typos kept): the slide under "MISSION CITIES", then the one
# under "COMMISSION".
SUPPORT_SERVICES = [
    "Tailored peer-to-peer exchange with cities sharing similar challenges",
    "tips & guidance on financing measures (funding...)",
    "Technical expertise and A road map could be better",
    "Support to monitor the progress in climate path (technical expertise)",
    "finance and law",
    "On mobility, how to engage -Citizens' to change behaviour",
    "Funding opportunities for projects so important for us.",
    "Funding opportunities and peer exchangees",
    "directly technical expertise",
    "funding new mobility projects",
    "WE need to prepare for each city a climate and energy decision support tool for planninf "
    "the future and implementing the plan",
    "Reducing energy poverty.",
    "Financial support and technical support",
    "Web would like to receive a guidance for practical support from the NET ZERO CITIES",
]

# §4.1's summary of the answers to "What did your city gain from the thematic and technical
# sessions?" (not individual answers: the slide is an image).
GAINED = [
    "Valuable knowledge from practical examples shared by Mission Cities",
    "Knowledge from practical examples shared by Mission Cities",
    "Practical ideas related to circularity",
    "Practical ideas related to energy management",
    "Practical ideas related to emission reduction",
]


def _recap_answers() -> list[dict]:
    thematic = [SATISFIED] * 15 + [SYSTEMIC] * 2 + [LONGER_EXCHANGE]
    technical = [DIRECT_SUPPORT] * 9 + [TECHNICAL_SATISFIED] * 6 + [OTHER_CITIES] * 2
    technical += [PROBLEM_SOLVING]
    support = SUPPORT_SERVICES + [""] * (len(RECAP_CITIES) - len(SUPPORT_SERVICES))
    gained = GAINED + [""] * (len(RECAP_CITIES) - len(GAINED))
    return [
        {
            "thematic_format": thematic[index],
            "technical_format": technical[index],
            "support_service": support[index],
            "gained": gained[index],
        }
        for index in range(len(RECAP_CITIES))
    ]


# One dict per response, in the order of RECAP_CITIES: the option position chosen for the two
# satisfaction questions and the texts ("" where the city wrote nothing).
RECAP_ANSWERS = _recap_answers()

# The recap survey ran during the event (10:00-11:30 Brussels time): the responses came in
# from an hour after it started, a minute apart.
RECAP_FIRST_ANSWER_AFTER = datetime.timedelta(minutes=60)
RECAP_ANSWER_INTERVAL = datetime.timedelta(minutes=1)

# The post-session surveys opened when their session ended and closed two weeks later; the
# responses came in an hour apart from the end of the session.
POST_SESSION_OPEN_FOR = datetime.timedelta(days=14)
POST_SESSION_ANSWER_INTERVAL = datetime.timedelta(hours=1)
# Each thematic session's survey is answered by the first cities of its group, in the order the
# demo enrols them (Braga first where it joined). 000 gives no count: this is the demo's.
POST_SESSION_RESPONDENTS = 6


def post_session_choices(index: int, options: int) -> list[int]:
    """The option positions the `index`-th respondent of a post-session survey chose among
    `options` sub-topics: the one its technical session took up (the first, 000 Table 5), and,
    every second respondent, one of the sector's other sub-topics in turn. So the technical
    session's sub-topic is the one every respondent asked for."""
    chosen = [1]
    if index % 2 == 1:
        chosen.append(2 + (index // 2) % (options - 1))
    return chosen
