"""Demo data from the core seed document (shared/seeds/000, D1.14): Online Discussion Groups
cohort 1, its cities, sessions and facilitators. `manage.py seed_demo` loads it.

Cities are `(name, ISO 3166-1 alpha-2 code)`. The documents give no populations: POPULATIONS
holds public figures of the national statistical offices (see there), and leaves out the cities
whose figure is not known reliably.

Annex 1 as printed has 68 rows; after the merges below it has 67 cities:

- "Gent" and "Ghent" (Belgium) are one city, loaded once as "Ghent" (the spelling 004 uses).
- "Umea" (Annex 1) is the Mission City "Umeå" of §3.2, loaded once as "Umeå" with both flags.

Other cells are corrected, not merged (see ANNEX_1_SPELLINGS): the country cell "Provence France"
is the tail of the name "Aix-Marseille-Provence Metropolis" split into the wrong column; the
diacritics the document dropped are restored (Bucuresti, Chisinau, Lorqui, Sanliurfa, Truseni,
Uskudar, Usti nad Labem); "Saray Municipality /Tekirdağ" and "Uskudar, Istanbul" keep their
province or city in brackets. Districts listed beside their city (Üsküdar and Istanbul, Nilüfer
and Bursa, Karatay and Konya, Ermesinde and Valongo) are separate municipalities and stay
separate rows. The document's names are otherwise kept, English or local as printed.
"""

import datetime

# 000 §3.2: the eight labelled Mission Cities that presented in cohort 1.
MISSION_CITIES = [
    ("Guimarães", "PT"),
    ("Mannheim", "DE"),
    ("Valencia", "ES"),
    ("Aachen", "DE"),
    ("Umeå", "SE"),
    ("Stockholm", "SE"),
    ("Lahti", "FI"),
    ("Leuven", "BE"),
]

# 000 Annex 1 after the merges and corrections in the module docstring, in the Annex's order.
ANNEX_1_CITIES = [
    ("Adana", "TR"),
    ("Aix-Marseille-Provence Metropolis", "FR"),
    ("Braga", "PT"),
    ("Bratislava", "SK"),
    ("Bruges", "BE"),
    ("Brussels", "BE"),
    ("Bursa", "TR"),
    ("București", "RO"),
    ("Chișinău", "MD"),
    ("Čačak", "RS"),
    ("Clermont-Ferrand", "FR"),
    ("Coimbra", "PT"),
    ("Debrecen", "HU"),
    ("Denizli", "TR"),
    ("Enschede", "NL"),
    ("Ermesinde", "PT"),
    ("Eskişehir", "TR"),
    ("Essen", "DE"),
    ("Erzurum", "TR"),
    ("Gabrovo", "BG"),
    ("Gaziantep", "TR"),
    ("Ghent", "BE"),
    ("Guimarães", "PT"),
    ("Helsinki", "FI"),
    ("Istanbul", "TR"),
    ("Järfälla", "SE"),
    ("Karaman", "TR"),
    ("Karatay", "TR"),
    ("Konya", "TR"),
    ("Lahti", "FI"),
    ("L'Aquila", "IT"),
    ("Leuven", "BE"),
    ("Liepāja", "LV"),
    ("Limerick", "IE"),
    ("Lisboa", "PT"),
    ("Ljubljana", "SI"),
    ("Lorquí", "ES"),
    ("Lviv", "UA"),
    ("Maia", "PT"),
    ("Mannheim", "DE"),
    ("Merzifon", "TR"),
    ("Mersin", "TR"),
    ("Munich", "DE"),
    ("Nilüfer", "TR"),
    ("Nuremberg", "DE"),
    ("Pisa", "IT"),
    ("Porto", "PT"),
    ("Prague", "CZ"),
    ("Şanlıurfa", "TR"),  # noqa: RUF001 - Turkish dotless i, the real spelling
    ("Saray (Tekirdağ)", "TR"),
    ("Sintra", "PT"),
    ("Strasbourg", "FR"),
    ("Sunderland", "GB"),
    ("Torres Vedras", "PT"),
    ("Trușeni", "MD"),
    ("Umeå", "SE"),
    ("União das Freguesias de A dos Cunhados e Maceira", "PT"),
    ("Üsküdar (Istanbul)", "TR"),
    ("Ústí nad Labem", "CZ"),
    ("Vaasa", "FI"),
    ("Valongo", "PT"),
    ("Vantaa", "FI"),
    ("Velenje", "SI"),
    ("Viana do Castelo", "PT"),
    ("Vienna", "AT"),
    ("Vila Franca de Xira", "PT"),
    ("Waterford", "IE"),
]

# Resident population of each city, rounded to the nearest thousand, from the national
# statistical offices (censuses and population registers of 2021 to 2023; the source and year are
# beside each figure). A Turkish metropolitan municipality (büyükşehir belediyesi) is the whole
# province, as TÜİK's address-based register (ADNKS) reports it. These are the figures as the
# demo's author knew them, not re-read from the sources: check them before quoting them.
#
# Left out (the profile says "Not known"), 21 cities: the figure depends on which body the
# document means (Brussels: the City or the Region; Chișinău: the city or the municipality;
# Aix-Marseille-Provence Metropolis; Karaman: the town or the province), or it is not known
# reliably (Ermesinde, Essen after the 2022 census revision, Gabrovo, Järfälla, Karatay,
# Liepāja, Lorquí, Maia, Merzifon, Nilüfer, Saray (Tekirdağ), Torres Vedras, Trușeni, União das
# Freguesias de A dos Cunhados e Maceira, Üsküdar (Istanbul), Vantaa, Velenje).
POPULATIONS = {
    # Statistik Austria, 1 January 2023
    ("Vienna", "AT"): 1_982_000,
    # Statbel, 1 January 2023
    ("Bruges", "BE"): 119_000,
    ("Ghent", "BE"): 265_000,
    ("Leuven", "BE"): 102_000,
    # Czech Statistical Office, 1 January 2023
    ("Prague", "CZ"): 1_357_000,
    ("Ústí nad Labem", "CZ"): 92_000,
    # Destatis, 31 December 2022
    ("Aachen", "DE"): 249_000,
    ("Mannheim", "DE"): 315_000,
    ("Munich", "DE"): 1_512_000,
    ("Nuremberg", "DE"): 523_000,
    # INE (Spain), 1 January 2022
    ("Valencia", "ES"): 792_000,
    # Statistics Finland, 31 December 2022
    ("Helsinki", "FI"): 658_000,
    ("Lahti", "FI"): 120_000,
    ("Vaasa", "FI"): 68_000,
    # INSEE, legal population 2021
    ("Clermont-Ferrand", "FR"): 147_000,
    ("Strasbourg", "FR"): 291_000,
    # ONS, 2021 census (the City of Sunderland)
    ("Sunderland", "GB"): 274_000,
    # Hungarian Central Statistical Office, 2022 census
    ("Debrecen", "HU"): 200_000,
    # CSO Ireland, 2022 census (city and suburbs)
    ("Limerick", "IE"): 102_000,
    ("Waterford", "IE"): 60_000,
    # ISTAT, 1 January 2023
    ("L'Aquila", "IT"): 69_000,
    ("Pisa", "IT"): 90_000,
    # CBS, 1 January 2023
    ("Enschede", "NL"): 161_000,
    # INE (Portugal), 2021 census (the municipality)
    ("Braga", "PT"): 193_000,
    ("Coimbra", "PT"): 141_000,
    ("Guimarães", "PT"): 157_000,
    ("Lisboa", "PT"): 546_000,
    ("Porto", "PT"): 232_000,
    ("Sintra", "PT"): 386_000,
    ("Valongo", "PT"): 95_000,
    ("Viana do Castelo", "PT"): 86_000,
    ("Vila Franca de Xira", "PT"): 138_000,
    # National Institute of Statistics (Romania), 2021 census
    ("București", "RO"): 1_717_000,
    # Statistical Office of Serbia, 2022 census (the City of Čačak)
    ("Čačak", "RS"): 106_000,
    # Statistics Sweden, 31 December 2023
    ("Stockholm", "SE"): 985_000,
    ("Umeå", "SE"): 131_000,
    # Statistical Office of Slovenia, 1 January 2023
    ("Ljubljana", "SI"): 295_000,
    # Statistical Office of the Slovak Republic, 2021 census
    ("Bratislava", "SK"): 476_000,
    # TÜİK, address-based register, 31 December 2023 (metropolitan municipalities)
    ("Adana", "TR"): 2_270_000,
    ("Bursa", "TR"): 3_215_000,
    ("Denizli", "TR"): 1_059_000,
    ("Erzurum", "TR"): 750_000,
    ("Eskişehir", "TR"): 907_000,
    ("Gaziantep", "TR"): 2_164_000,
    ("Istanbul", "TR"): 15_656_000,
    ("Konya", "TR"): 2_320_000,
    ("Mersin", "TR"): 1_916_000,
    ("Şanlıurfa", "TR"): 2_170_000,  # noqa: RUF001 - Turkish dotless i, the real spelling
    # State Statistics Service of Ukraine, 1 January 2022 (before the full-scale invasion)
    ("Lviv", "UA"): 717_000,
}

# The Annex's own spelling -> the name loaded, for every row whose name changed.
ANNEX_1_SPELLINGS = {
    "Gent": "Ghent",
    "Umea": "Umeå",
    "Aix-Marseille Metropolis": "Aix-Marseille-Provence Metropolis",
    "Bucuresti": "București",
    "Chisinau": "Chișinău",
    "Lorqui": "Lorquí",
    "Sanliurfa": "Şanlıurfa",  # noqa: RUF001 - Turkish dotless i, the real spelling
    "Saray Municipality /Tekirdağ": "Saray (Tekirdağ)",
    "Truseni": "Trușeni",
    "Uskudar, Istanbul": "Üsküdar (Istanbul)",
    "Usti nad Labem": "Ústí nad Labem",
}

COHORT = {
    "programme": "odg",
    "number": 1,
    "name": "Online Discussion Groups cohort 1",
    "starts_on": datetime.date(2024, 9, 1),
    "ends_on": datetime.date(2025, 4, 30),
}

# The four phases of 000 §3, keyed by cohorts.enums.PhaseKind value, in order, with the months
# §3 gives: Group Study Visit preparation runs March-April 2025. The Conclusion and §4 date the
# learning phases "September 2024 to February 2025"; the cohort runs to the end of its last
# phase (30 April 2025), which also holds the final recap event of 13 March 2025 (§4.1).
PHASES = [
    ("onboarding", "Onboarding", datetime.date(2024, 9, 1), datetime.date(2024, 10, 31)),
    (
        "thematic",
        "Thematic online discussions",
        datetime.date(2024, 11, 1),
        datetime.date(2024, 12, 31),
    ),
    ("technical", "Technical support", datetime.date(2025, 1, 1), datetime.date(2025, 2, 28)),
    (
        "study_visit",
        "Group Study Visit preparation",
        datetime.date(2025, 3, 1),
        datetime.date(2025, 4, 30),
    ),
]

# 000 Table 2: the facilitators of each thematic group, one per group but two for Circular
# Economy. Named after the group (numbered when there are two), never after the person the
# document names; the organisation is the consortium member of Table 2.
THEMATIC_GROUPS = [
    {
        "sector": "energy",
        "facilitators": [("energy.facilitator@example.org", "Energy facilitator", "Eurocities")],
    },
    {
        "sector": "buildings",
        "facilitators": [
            (
                "buildings.facilitator@example.org",
                "Built Environment facilitator",
                "Eurocities",
            )
        ],
    },
    {
        "sector": "sustainable-mobility",
        "facilitators": [
            (
                "mobility.facilitator@example.org",
                "Sustainable mobility facilitator",
                "Demos Helsinki",
            )
        ],
    },
    {
        "sector": "circular-economy",
        "facilitators": [
            (
                "circular-economy.facilitator@example.org",
                "Circular economy facilitator 1",
                "Eurocities",
            ),
            (
                "circular-economy.facilitator-2@example.org",
                "Circular economy facilitator 2",
                "Eurocities",
            ),
        ],
    },
    {
        "sector": "nature-based-solutions",
        "facilitators": [
            (
                "nature-based-solutions.facilitator@example.org",
                "Nature-based solutions facilitator",
                "Demos Helsinki",
            )
        ],
    },
]

# 000 §2.3 and §3.3: Tecnalia and CARTIF ran the technical sessions. The document does not say
# which partner ran which session, so both facilitate every technical session, and nobody else
# does (the thematic groups' facilitators ran the thematic sessions only).
TECHNICAL_FACILITATORS = [
    ("tecnalia.facilitator@example.org", "Technical facilitator, Tecnalia", "Tecnalia"),
    ("cartif.facilitator@example.org", "Technical facilitator, CARTIF", "CARTIF"),
]

# The documents give session dates but no times. Every session is 90 minutes (the "1h30" format
# of §4.1) from 10:00 Brussels time. Sessions never overlap (§1.2.1), so where two sessions share
# a day (11 December 2024, 18 February 2025) the one listed second in its table starts at 14:00.
SESSION_TIMEZONE = "Europe/Brussels"
SESSION_DURATION = datetime.timedelta(minutes=90)
MORNING = datetime.time(10, 0)
AFTERNOON = datetime.time(14, 0)

# 000 §3.1: one session in September and one in October 2024; the days are not given, so each
# is on a Tuesday late in its month. No headcount is reported.
ONBOARDING_SESSIONS = [
    {
        "title": "Onboarding: the programme and thematic breakout groups",
        "date": datetime.date(2024, 9, 24),
        "time": MORNING,
        "summary": (
            "The structure and objectives of the programme within the NetZeroCities Mission "
            "Platform, its support framework, insights from the needs assessment survey and the "
            "four-phase peer learning approach, then thematic breakout groups on each city's "
            "focus areas, challenges and expectations."
        ),
    },
    {
        "title": "Onboarding: Mission Cities and the Climate Transition Map",
        "date": datetime.date(2024, 10, 22),
        "time": MORNING,
        "summary": (
            "The EU Cities Mission, NetZeroCities and the climate neutrality efforts of Mission "
            "Cities; an introduction to the Climate Transition Map, the NZC Portal and its online "
            "tools."
        ),
    },
]

# 000 Table 4 (December 2024) with the presenting Mission Cities and their topics (Table 2 and
# Table 4). "Built Environment December 2024" has no day: it is the first row of a table whose
# other rows run in date order, so it is put on Tuesday 3 December, before the Energy session and
# on a day no other session uses.
THEMATIC_SESSIONS = [
    {
        "sector": "buildings",
        "title": "Thematic discussion: Built Environment",
        "date": datetime.date(2024, 12, 3),
        "time": MORNING,
        "participants": 48,
        "presentations": [
            (
                "Guimarães",
                "PT",
                "NZEB procurement for public buildings, heritage decarbonisation, modular "
                "housing, energy communities",
            ),
        ],
        "summary": (
            "Guimarães presented its nearly-zero energy procurement for public buildings and the "
            "challenge of integrating renewable energy into the historic buildings of a UNESCO "
            "World Heritage site, with photovoltaic installations, Renewable Energy Communities "
            "and modular construction for a students' residence."
        ),
    },
    {
        "sector": "energy",
        "title": "Thematic discussion: Energy",
        "date": datetime.date(2024, 12, 4),
        "time": MORNING,
        "participants": 41,
        "presentations": [
            (
                "Mannheim",
                "DE",
                "Decarbonising the district heating network and installing heat pumps",
            ),
            ("Valencia", "ES", "One-stop-shops for energy communities"),
        ],
        "summary": (
            "Mannheim, with 60% of its residents connected to district heating, presented its "
            "Climate Neutral Heat Plan for 2040. Valencia shared how it deploys energy "
            "communities and one-stop-shops to support the transition."
        ),
    },
    {
        "sector": "nature-based-solutions",
        "title": "Thematic discussion: Nature-Based Solutions",
        "date": datetime.date(2024, 12, 10),
        "time": MORNING,
        "participants": 67,
        "presentations": [
            (
                "Lahti",
                "FI",
                "Urban carbon sinks: inventory of forests and restoration of city-owned peatlands",
            ),
            ("Leuven", "BE", "JUSTNature depavement case and the LIFE Pact project"),
        ],
        "summary": (
            "Lahti showed how levers of change such as internal governance and capacity building "
            "helped it inventory forests as carbon sinks and restore peatlands. Leuven presented "
            "JUSTNature and LIFE Pact, which reintroduce nature into the city against stormwater "
            "runoff and urban heat, with citizens involved throughout."
        ),
    },
    {
        "sector": "circular-economy",
        "title": "Thematic discussion: Circular Economy",
        "date": datetime.date(2024, 12, 11),
        "time": MORNING,
        "participants": 36,
        "presentations": [
            (
                "Aachen",
                "DE",
                "Circular City Aachen and collaboration with local business (Urban Mining Hub)",
            ),
            ("Umeå", "SE", "Local marketplace for circular construction (Market Hub)"),
        ],
        "summary": (
            "Aachen presented its network of local partners committed to circularity, including "
            "the Urban Mining Hub. Umeå presented its Market Hub, a three-year pilot where the "
            "construction sector upcycles waste."
        ),
    },
    {
        "sector": "sustainable-mobility",
        "title": "Thematic discussion: Mobility",
        "date": datetime.date(2024, 12, 11),
        "time": AFTERNOON,
        "participants": 60,
        "presentations": [
            (
                "Stockholm",
                "SE",
                "Congestion charges and low-emission zones to improve air quality",
            ),
            ("Aachen", "DE", "Electromobility"),
        ],
        "summary": (
            "Stockholm shared its experience with congestion charges, piloted in 2006 and "
            "permanent since 2007, and its planned clean air zone. Aachen tackles traffic "
            "emissions by promoting electric mobility."
        ),
    },
]

# 000 Table 5 (February 2025): one technical session per theme, on the sub-topic cities chose.
TECHNICAL_SESSIONS = [
    {
        "sector": "buildings",
        "title": (
            "Built Environment: Dealing with the retrofitting of historical areas by integrating "
            "renewable energy sources"
        ),
        "date": datetime.date(2025, 2, 6),
        "time": MORNING,
        "participants": 39,
        "summary": (
            "Strategies for integrating renewable energy such as solar and geothermal while "
            "preserving architectural heritage, with the 3enCult, GEO4CIVHIC and FASUDIR cases."
        ),
    },
    {
        "sector": "energy",
        "title": "Energy: Exploring energy poverty reduction at the city scale",
        "date": datetime.date(2025, 2, 13),
        "time": MORNING,
        "participants": 35,
        "summary": (
            "Energy poverty, its causes and how to assess it, with the EPIU and CoolToRise "
            "initiatives; participants mapped stakeholders and prioritised actions."
        ),
    },
    {
        "sector": "sustainable-mobility",
        "title": "Mobility: Reducing private mobility by changing modal split",
        "date": datetime.date(2025, 2, 18),
        "time": MORNING,
        "participants": 24,
        "summary": (
            "Reducing private vehicle use through public transport incentives, congestion "
            "charges and multimodal mobility; participants co-created a portfolio of actions."
        ),
    },
    {
        "sector": "nature-based-solutions",
        "title": (
            "Nature-based solutions: Heat Island reduction through green and blue urban "
            "infrastructure"
        ),
        "date": datetime.date(2025, 2, 18),
        "time": AFTERNOON,
        "participants": 26,
        "summary": (
            "How green and blue infrastructure reduces heat stress, cools urban areas and lowers "
            "energy demand, with concrete examples of nature-based solutions."
        ),
    },
    {
        "sector": "circular-economy",
        "title": "Circular economy: Extending the lifecycle of building materials",
        "date": datetime.date(2025, 2, 28),
        "time": MORNING,
        "participants": 39,
        "summary": (
            "Extending the lifespan of building materials: waste reduction, material reuse, "
            "adaptive design and urban mining, with examples from Portland and London."
        ),
    },
]

# 000 §4.1: the online final recap event, in the Group Study Visit preparation phase, run by the
# cohort's lead facilitator.
RECAP_SESSION = {
    "title": "Final recap event",
    "date": datetime.date(2025, 3, 13),
    "time": MORNING,
    "participants": 45,
    "summary": (
        "Feedback from cities on the thematic and technical sessions, gathered with a "
        "Mentimeter survey: the practical examples shared by Mission Cities were the most "
        "valued; 15 of 18 respondents were satisfied with the format, 9 of 18 would have "
        "preferred direct technical support; cities asked for tailored peer exchange, technical "
        "expertise, financing guidance and support on governance and regulation."
    ),
}

# The demo logins of devdata/demo_accounts.py. The officer represents one Mission-minded city of
# Annex 1 and holds no other role; the facilitator leads the cohort and facilitates one
# thematic group.
DEMO_OFFICER_CITY = ("Braga", "PT")
DEMO_FACILITATOR_SECTOR = "energy"
DEMO_USERS = {
    "officer@example.org": {"full_name": "Demo city officer", "organisation": "City of Braga"},
    "facilitator@example.org": {"full_name": "Demo facilitator", "organisation": "Eurocities"},
    "reviewer@example.org": {"full_name": "Demo reviewer", "organisation": "NetZeroCities"},
    "admin@example.org": {"full_name": "Demo programme admin", "organisation": "NetZeroCities"},
}

# --- Climate actions (000 Table 2 and Table 4) ---------------------------------------------

# The success factors both cities of the Mobility session named (Table 4): the levers of
# Stockholm's and Aachen's mobility actions.
MOBILITY_LEVERS = [
    ("internal-governance", "Strong political will and supportive governance.", ""),
    ("stakeholder-engagement", "Stakeholder engagement.", ""),
    ("citizen-engagement", "Communication that builds public support.", ""),
    ("procurement-practices", "Procurement as a powerful tool for driving change.", ""),
    ("funding-financing", "Effective financing schemes.", ""),
]

# One entry per climate action a Mission City presented in cohort 1: the title is Table 2's
# wording, the context and description paraphrase Table 4, and the recommendations are the ones
# Table 4 gives (Mannheim and Valencia list theirs; in the Circular Economy session both cities
# made the same recommendations). Where Table 4 gives none, the list stays empty rather than
# invented. `levers` are the levers of change (taxonomy enabling factor slugs) that Table 4 names
# for the action or its session, each with the drivers or barriers the text gives. Each action
# was presented in the cohort 1 session of its sector (Aachen presented in two).
CLIMATE_ACTIONS = [
    {
        "city": ("Guimarães", "PT"),
        "sector": "buildings",
        "title": "NZEB procurement for public buildings",
        "stage": "implementing",
        "context": (
            "A UNESCO World Heritage site whose energy consumption still relies heavily on "
            "non-renewable sources; integrating renewable energy into historic buildings needs "
            "careful planning to preserve their historical authenticity."
        ),
        "description": (
            "Nearly-zero energy (NZEB) and zero-emission criteria in the procurement of public "
            "buildings, with an emphasis on refurbishment. Related actions: photovoltaic "
            "installations and Renewable Energy Communities, including in heritage areas, and "
            "modular construction for the Guimarães Future Students Residence."
        ),
        "lessons_learned": (
            "Implementation strategies: meeting funding criteria, pilot projects and phased "
            "rollouts, and Life Cycle Assessment (LCA) as a weighting factor."
        ),
        "recommendations": [],
        "levers": [
            (
                "procurement-practices",
                "Life Cycle Assessment (LCA) used as a weighting factor in procurement.",
                "",
            ),
            ("funding-financing", "Projects designed to meet funding criteria.", ""),
        ],
    },
    {
        "city": ("Mannheim", "DE"),
        "sector": "energy",
        "title": "Decarbonising the district heating network and installing heat pumps",
        "stage": "implementing",
        "context": (
            "60% of Mannheim's residents are already connected to the district heating system."
        ),
        "description": (
            "The Climate Neutral Heat Plan: a climate-neutral heat supply by 2040, by "
            "decarbonising the district heating network and installing heat pumps."
        ),
        "lessons_learned": "",
        "recommendations": [
            "Collaborate closely with energy suppliers.",
            "Communicate effectively with residents.",
            "Plan the city's heating supply in detail, street by street.",
            "Use funding programmes and advisory services.",
            "Seek an enabling legal framework at the federal level to ensure citizen acceptance.",
        ],
        "levers": [
            (
                "internal-governance",
                "An enabling legal framework at the federal level.",
                "",
            ),
            ("stakeholder-engagement", "Close collaboration with energy suppliers.", ""),
            ("citizen-engagement", "Effective communication with residents.", ""),
            ("funding-financing", "Funding programmes and advisory services.", ""),
        ],
    },
    {
        "city": ("Valencia", "ES"),
        "sector": "energy",
        "title": "One-stop-shops for energy communities",
        "stage": "implementing",
        "context": "",
        "description": (
            "The deployment of energy communities, with one-stop-shops that support citizens "
            "in the transition."
        ),
        "lessons_learned": "",
        "recommendations": [
            "Use the recent national and EU legal frameworks.",
            "Secure financial resources.",
            "Raise citizen awareness through targeted campaigns.",
            "Dedicate local staff with technical expertise and the motivation to drive these "
            "initiatives.",
        ],
        "levers": [
            ("internal-governance", "Recent national and EU legal frameworks.", ""),
            ("citizen-engagement", "Targeted campaigns that raise citizen awareness.", ""),
            (
                "knowledge-capacities",
                "Dedicated local staff with technical expertise and motivation.",
                "",
            ),
            ("funding-financing", "Secured financial resources.", ""),
        ],
    },
    {
        "city": ("Lahti", "FI"),
        "sector": "nature-based-solutions",
        "title": "Urban carbon sinks",
        "stage": "implementing",
        "context": "",
        "description": (
            "An inventory of the city's forests to understand their potential as carbon sinks, "
            "and the restoration of city-owned peatlands."
        ),
        "lessons_learned": "",
        "recommendations": [],
        "levers": [
            ("internal-governance", "Internal governance of the work on carbon sinks.", ""),
            ("knowledge-capacities", "Capacity building.", ""),
        ],
    },
    {
        "city": ("Leuven", "BE"),
        "sector": "nature-based-solutions",
        "title": "JUSTNature depavement case",
        "stage": "implementing",
        "context": (
            "Stormwater runoff and the urban heat island effect in the city; the related LIFE "
            "Pact project takes the same integrated approach to climate change adaptation."
        ),
        "description": (
            "JUSTNature reintroduces nature into urban areas by removing pavement, as an "
            "integrated approach to climate change adaptation."
        ),
        "lessons_learned": (
            "Engaging with citizens was crucial to the project's success: citizens were "
            "involved in reintroducing nature to the city, despite the need to displace road "
            "infrastructure. Reintroducing nature means managing different interests and "
            "expectations."
        ),
        "recommendations": [],
        "levers": [
            (
                "citizen-engagement",
                "Citizens involved throughout the process of reintroducing nature.",
                "Different interests and expectations; road infrastructure had to be displaced.",
            ),
        ],
    },
    {
        "city": ("Aachen", "DE"),
        "sector": "circular-economy",
        "title": "Circular City Aachen and collaboration with local business",
        "stage": "implementing",
        "context": "",
        "description": (
            "An extensive network of local partners committed to the principles of circularity, "
            "including the Urban Mining Hub, a centre that helps citizens and businesses "
            "recycle urban waste."
        ),
        "lessons_learned": "",
        "recommendations": [
            "Engage with a diverse range of stakeholders.",
            "Approach each conversation with strategic ambition and commitment.",
        ],
        "levers": [
            ("stakeholder-engagement", "A diverse range of engaged stakeholders.", ""),
        ],
    },
    {
        "city": ("Umeå", "SE"),
        "sector": "circular-economy",
        "title": "Local marketplace for circular construction",
        "stage": "piloting",
        "context": "",
        "description": (
            "The Market Hub, a three-year pilot that serves as a hub for the construction "
            "sector to upcycle waste; the medium-term goal is a sustainable business model for "
            "the service after the pilot."
        ),
        "lessons_learned": "",
        "recommendations": [
            "Engage with a diverse range of stakeholders.",
            "Approach each conversation with strategic ambition and commitment.",
        ],
        "levers": [
            ("stakeholder-engagement", "A diverse range of engaged stakeholders.", ""),
        ],
    },
    {
        "city": ("Stockholm", "SE"),
        "sector": "sustainable-mobility",
        "title": "Congestion charges and low-emission zones to improve air quality",
        "stage": "implementing",
        "context": "",
        "description": (
            "Congestion charges, piloted in 2006 and permanent since 2007; the city is preparing "
            "a clean air zone in the city centre."
        ),
        "lessons_learned": (
            "Success factors: strong political will, stakeholder engagement, supportive "
            "governance and effective financing schemes; procurement is a powerful tool for "
            "change, and communication is critical to build public support."
        ),
        "recommendations": [],
        "levers": MOBILITY_LEVERS,
    },
    {
        "city": ("Aachen", "DE"),
        "sector": "sustainable-mobility",
        "title": "Electromobility",
        "stage": "implementing",
        "context": "",
        "description": "Tackling traffic-related emissions by promoting electric mobility.",
        "lessons_learned": (
            "Success factors: strong political will, stakeholder engagement, supportive "
            "governance and effective financing schemes; procurement is a powerful tool for "
            "change, and communication is critical to build public support."
        ),
        "recommendations": [],
        "levers": MOBILITY_LEVERS,
    },
]

# --- Enrolments in cohort 1 ----------------------------------------------------------------
#
# Annex 1 lists the cities participating in cohort 1: the demo enrols every one of them that is
# not a Mission City (62 with the officer's city, Braga). The five Mission Cities of Annex 1
# (Guimarães, Lahti, Leuven, Mannheim, Umeå) took part as presenters: they shared their actions
# and wrote no roadmap, so they are not enrolled. The documents do not say which city joined
# which thematic group, nor when. Braga joins two groups with its needs; the i-th other city
# joins one or two groups by its position (cohort_1_groups_of). Enrolments are dated before the
# first onboarding session.
DEMO_CITY_GROUPS = {
    "buildings": (
        "Renovating the heritage buildings of the historic centre towards nearly-zero energy "
        "without losing their character, and criteria for procuring the renovation of public "
        "buildings."
    ),
    "energy": (
        "Solar energy and energy communities on public and historic buildings, and how to "
        "finance them."
    ),
}
COHORT_1_ENROLLED_ON = (datetime.date(2024, 9, 2), datetime.time(9, 0))
SECTOR_ORDER = [
    "energy",
    "buildings",
    "sustainable-mobility",
    "circular-economy",
    "nature-based-solutions",
]


def cohort_1_enrolled_cities() -> list[tuple[str, str]]:
    """The Annex 1 cities the demo enrols in cohort 1 besides the officer's city.

    An earlier demo enrolled only a selection (every third city by name, the first 20). Those
    come first, in the same order, so that each keeps its position and so its groups: a demo
    database loaded before keeps the groups it has, and the loader, which never removes a
    group, adds none to them. The other cities follow by name.
    """
    pool = sorted(
        city for city in ANNEX_1_CITIES if city not in MISSION_CITIES and city != DEMO_OFFICER_CITY
    )
    first = pool[::3][:20]
    return first + [city for city in pool if city not in first]


def cohort_1_groups_of(index: int) -> list[str]:
    """The sector slugs of the groups the `index`-th enrolled city joined: one for an odd
    index, two for an even one, spread over the five groups."""
    groups = [SECTOR_ORDER[index % 5]]
    if index % 2 == 0:
        groups.append(SECTOR_ORDER[(index + 2) % 5])
    return groups


# --- Braga's Reflection Roadmap in cohort 1 ------------------------------------------------
#
# An illustrative draft written for the demo (the documents hold no city's roadmap): the
# representative, Phase 1 and Phase 2.1 filled in, the rest left for the officer. Phase 2.1
# picks Guimarães' action (BRAGA_ROADMAP_ACTION), whose id is only known once it is loaded.
BRAGA_ROADMAP = {
    "representative.first_name": "Demo",
    "representative.last_name": "Officer",
    "representative.role": "Climate and energy officer, City of Braga",
    "representative.email": "officer@example.org",
    "phase1.overview": (
        "Braga aims to become climate neutral, with planned actions in buildings (renovating "
        "municipal and historic buildings), energy (solar photovoltaics and energy "
        "communities) and mobility (public transport and cycling). The main levers are "
        "internal governance, procurement practices and funding."
    ),
    "phase1.challenge": (
        "Renovating the heritage buildings of the historic centre to cut their energy use "
        "and emissions while preserving their character."
    ),
    "phase1.cause_1": "Old building envelopes with poor insulation and single glazing.",
    "phase1.cause_2": "Heritage rules that limit changes to facades, roofs and windows.",
    "phase1.cause_3": "High renovation costs and fragmented ownership of the buildings.",
    "phase1.consequence_1": "High energy bills and energy poverty among residents.",
    "phase1.consequence_2": "High emissions from heating and cooling old buildings.",
    "phase1.consequence_3": "Buildings left empty and a historic centre losing residents.",
    "phase2_1.desirability": "high",
    "phase2_1.explanation": (
        "Guimarães faces the same challenge in a UNESCO World Heritage centre: nearly-zero "
        "energy criteria in the procurement of public building renovation would let Braga "
        "start with its own historic buildings and show owners what is possible."
    ),
}
BRAGA_ROADMAP_ACTION = (("Guimarães", "PT"), "NZEB procurement for public buildings")

# --- Cohort 2 ------------------------------------------------------------------------------
#
# 000 says only that further cohorts are planned (a second one "will launch in summer 2025"),
# with no dates, groups or cities. The demo's cohort 2 is illustrative and in progress on the
# day `seed_demo` first loads it (its "anchor" day): whenever a newcomer starts the demo, the
# officer's city has an open phase and an editable roadmap, sessions are ahead to register for
# and behind with attendance recorded, and the facilitator has a roadmap to review and requests
# to decide. Every date below is a number of days from the anchor; once the cohort exists its
# dates are kept (the anchor is read back from its start), so a later run moves nothing.
#
# The phase open on the anchor day is Technical support, not the thematic discussions: a roadmap
# can be submitted only with every required part filled, Phase 3's services included, and Phase 3
# opens with the technical phase (roadmaps.template.Section.opens_with). It runs the five groups
# of cohort 1, its phases take cohort 1's shape, and the same Mission Cities present the same
# actions.
COHORT_2 = {
    "programme": "odg",
    "number": 2,
    "name": "Online Discussion Groups cohort 2",
}
# (kind, name, first day, last day), in days from the anchor. The cohort runs from the first
# day of its first phase to the last day of its last one.
COHORT_2_PHASES = [
    ("onboarding", "Onboarding", -70, -43),
    ("thematic", "Thematic online discussions", -42, -8),
    ("technical", "Technical support", -7, 48),
    ("study_visit", "Group Study Visit preparation", 49, 90),
]
# The dates cohort 2 had when the demo fixed it in 2027. A database loaded then is anchored
# once on the day of its next run, as if cohort 2 were new (see devdata.demo).
COHORT_2_FIXED_DATES = (datetime.date(2027, 2, 1), datetime.date(2027, 7, 31))
# The day of each session of cohort 2, in days from the anchor, at 10:00 Brussels time. A day
# that falls on a weekend moves to the Monday after; the offsets leave room for that inside
# each phase, and a past session stays past (none is within two days before the anchor).
COHORT_2_ONBOARDING_DAYS = [-63, -49]
COHORT_2_THEMATIC_DAYS = {
    "buildings": -35,
    "energy": -28,
    "nature-based-solutions": -21,
    "circular-economy": -14,
    "sustainable-mobility": -10,
}
COHORT_2_TECHNICAL_DAYS = {
    "buildings": 6,
    "energy": 13,
    "sustainable-mobility": 20,
    "nature-based-solutions": 27,
    "circular-economy": 34,
}
COHORT_2_RECAP_DAY = 84
# Cities enrolled in cohort 2 besides the officer's, each with an officer (a login without a
# password) who has written the whole roadmap. The first submitted it, and it waits for the
# facilitator's review; the second's was returned by the demo facilitator with RETURN_NOTE.
COHORT_2_ENROLLED = [
    {
        "city": ("Coimbra", "PT"),
        "officer": ("coimbra.officer@example.org", "Coimbra city officer", "City of Coimbra"),
        "groups": {"energy": "Solar energy on municipal buildings."},
        "roadmap": "submitted",
    },
    {
        "city": ("Ljubljana", "SI"),
        "officer": (
            "ljubljana.officer@example.org",
            "Ljubljana city officer",
            "City of Ljubljana",
        ),
        "groups": {"energy": "Heat pumps in district heating."},
        "roadmap": "returned",
    },
]
COHORT_2_RETURN_NOTE = (
    "Thank you for the complete roadmap. In Phase 2.2, please say what your city already has in "
    "place for each enabling factor you scored 4 or 5, and in Phase 3 explain how the services "
    "you picked answer your spotlighted challenge. Then submit it again."
)
# The past sessions of cohort 2 have their attendance recorded for the officers of the enrolled
# cities, except the last one: its attendance is still for the facilitator to record.
# Cities that asked to join cohort 2 and wait for the facilitator's decision, each with an
# officer (a login without a password: it only names who asked).
COHORT_2_REQUESTS = [
    {
        "city": ("Porto", "PT"),
        "officer": ("porto.officer@example.org", "Porto city officer", "City of Porto"),
        "groups": {
            "energy": "Energy communities in social housing.",
            "sustainable-mobility": "Reducing car traffic in the city centre.",
        },
    },
    {
        "city": ("Strasbourg", "FR"),
        "officer": (
            "strasbourg.officer@example.org",
            "Strasbourg city officer",
            "City of Strasbourg",
        ),
        "groups": {"nature-based-solutions": "Depaving school yards and squares."},
    },
    {
        "city": ("Limerick", "IE"),
        "officer": ("limerick.officer@example.org", "Limerick city officer", "City of Limerick"),
        "groups": {
            "circular-economy": "Reusing construction materials.",
            "buildings": "Retrofitting Georgian terraces.",
        },
    },
]


# --- Thematic interests ----------------------------------------------------------------------


def thematic_interests() -> dict[tuple[str, str], list[str]]:
    """The sector slugs each demo city is interested in, in the order first met.

    A city that enrols is interested in the sectors of the groups it picked, in cohort 1 or 2;
    the cities still waiting in cohort 2 count too, since the officer chose those groups and a
    facilitator's decision does not change what the city wants to learn about. A Mission City
    is interested in the sectors of the climate actions it presents.
    """
    interests: dict[tuple[str, str], list[str]] = {}

    def add(city: tuple[str, str], slugs) -> None:
        known = interests.setdefault(city, [])
        known.extend(slug for slug in slugs if slug not in known)

    add(DEMO_OFFICER_CITY, DEMO_CITY_GROUPS)
    for index, city in enumerate(cohort_1_enrolled_cities()):
        add(city, cohort_1_groups_of(index))
    for entry in [*COHORT_2_ENROLLED, *COHORT_2_REQUESTS]:
        add(entry["city"], entry["groups"])
    for entry in CLIMATE_ACTIONS:
        add(entry["city"], [entry["sector"]])
    return interests
