"""The programme's reference data, as plain constants.

Data migrations load it (taxonomy 0003, cities 0005), each from a frozen copy, so `migrate` alone
gives a working install; `manage.py seed_reference` applies this module again. A change here needs
a new data migration too: tests/seeds/test_reference_migrations.py fails until there is one.

Sources are the seed documents in shared/seeds/: 000 (D1.14, Online Discussion Groups cohort 1)
for the sectors (§1.2) and the enabling factors (the Reflection Roadmap, Figure 4); 004 (D1.1,
city needs) for the five enabling themes. Each list is in the documents' order, which becomes
`position`; a slug never changes once loaded, so code and other rows may refer to it.
"""

# 000 §1.2: the sectors offered in the June 2024 survey. Industry was offered but no group ran on
# it in cohort 1 (the five sectors that ran are listed in §1.2.1 and Table 2).
THEMATIC_SECTORS = [
    {
        "slug": "energy",
        "name": "Energy",
        "description": (
            "Increasing the use of renewable energy in the city, cleaner production and "
            "incentives that limit industrial emissions; district heating and energy communities."
        ),
        "offered_only": False,
    },
    {
        "slug": "buildings",
        "name": "Buildings (Built Environment)",
        "description": (
            "Improving the energy efficiency of buildings, especially heritage and historical "
            "buildings, and attracting public funding and private investment for renovation."
        ),
        "offered_only": False,
    },
    {
        "slug": "sustainable-mobility",
        "name": "Sustainable mobility",
        "description": (
            "Better public transport, electric-vehicle infrastructure, walking and cycling, and "
            "less traffic congestion, so that residents rely less on private cars."
        ),
        "offered_only": False,
    },
    {
        "slug": "circular-economy",
        "name": "Circular economy",
        "description": (
            "Waste management and recycling (also in peak tourist seasons), waste-water "
            "treatment and circular construction."
        ),
        "offered_only": False,
    },
    {
        "slug": "nature-based-solutions",
        "name": "Nature-based solutions",
        "description": (
            "More green space and protected ecosystems for climate resilience: water scarcity, "
            "habitat loss, erosion, forest fires, flooding and heat waves."
        ),
        "offered_only": False,
    },
    {
        "slug": "industry",
        "name": "Industry",
        "description": (
            "Cleaner industrial production and lower industrial emissions. Offered in the "
            "programme design survey; no thematic group ran on it in cohort 1."
        ),
        "offered_only": True,
    },
]

# 000 Figure 4, Phase 2.2: the levers of change a city scores from 1 (weak) to 5 (strong), in the
# template's order.
ENABLING_FACTORS = [
    {
        "slug": "internal-governance",
        "name": "Internal governance and regulatory framework",
        "description": (
            "How the city administration is organised for the action, and the regulatory "
            "framework at national, regional and local level."
        ),
    },
    {
        "slug": "stakeholder-engagement",
        "name": "Stakeholder engagement",
        "description": (
            "Involving the stakeholders whose support the action needs, such as energy "
            "suppliers, local businesses and civil society."
        ),
    },
    {
        "slug": "citizen-engagement",
        "name": "Citizen engagement",
        "description": (
            "Informing and involving residents so that they understand, accept and take part "
            "in the action."
        ),
    },
    {
        "slug": "knowledge-capacities",
        "name": "Knowledge/capacities",
        "description": (
            "The skills, technical expertise and dedicated staff the city has or builds to "
            "carry out the action."
        ),
    },
    {
        "slug": "procurement-practices",
        "name": "Procurement practices",
        "description": (
            "Using public procurement as a lever, e.g. procuring nearly-zero energy public "
            "buildings."
        ),
    },
    {
        "slug": "data-digitalisation",
        "name": "Data and digitalisation",
        "description": (
            "Data, monitoring and digital tools that inform decisions and track progress."
        ),
    },
    {
        "slug": "technology-industry",
        "name": "Technology and industry",
        "description": (
            "The technologies, infrastructure and local industry available to deliver the action."
        ),
    },
    {
        "slug": "funding-financing",
        "name": "Funding and financing",
        "description": (
            "Public funding programmes, advisory services and private finance that pay for "
            "the action."
        ),
    },
]

# 004 §3: the five themes under which cities' needs, drivers and barriers are grouped.
ENABLING_THEMES = [
    {
        "slug": "policy-governance",
        "name": "Policy and governance",
        "description": (
            "Political commitment, multi-level governance, enabling national frameworks and "
            "breaking the silos between municipal departments."
        ),
    },
    {
        "slug": "implementation-practices",
        "name": "Implementation practices",
        "description": (
            "Closing the gap between strategy and implementation, scaling up existing actions "
            "and moving from projects to a portfolio approach."
        ),
    },
    {
        "slug": "culture-social-innovation-participation",
        "name": "Culture, social innovation and participation",
        "description": (
            "A culture of inclusive participation: engaging citizens and stakeholders in the "
            "societal change that climate neutrality needs."
        ),
    },
    {
        "slug": "finance-business-models",
        "name": "Finance and business models",
        "description": (
            "Funding and financing schemes, investment planning and business models that "
            "attract private finance."
        ),
    },
    {
        "slug": "strategic-learning",
        "name": "Strategic learning",
        "description": (
            "Peer-to-peer learning between cities: sharing tools, technologies and pilots, and "
            "how to replicate and scale them up."
        ),
    },
]

# Every country a city of the documents belongs to, as (ISO 3166-1 alpha-2, English short name).
# 000 (Annex 1 and §3.2) gives 23 of them. 001-004 add the countries of the other cities they
# name: Mission Cities per City Support Group (002 §2.1) and focus-group cities (004), e.g.
# Kozani (GR), Limassol (CY), Aarhus (DK), Wiltz (LU), Reykjavik (IS), Tallinn (EE), Vilnius
# (LT), Kraków (PL), Zagreb (HR), Sarajevo (BA), Elbasan (AL); 002 also counts Mission Cities in
# Montenegro, Malta, Norway and Israel. The documents' "Czech Republic" is Czechia and their
# "Turkey" is Türkiye (the ISO short names); the United Kingdom is GB, not UK.
COUNTRIES = [
    ("AL", "Albania"),
    ("AT", "Austria"),
    ("BA", "Bosnia and Herzegovina"),
    ("BE", "Belgium"),
    ("BG", "Bulgaria"),
    ("CY", "Cyprus"),
    ("CZ", "Czechia"),
    ("DE", "Germany"),
    ("DK", "Denmark"),
    ("EE", "Estonia"),
    ("ES", "Spain"),
    ("FI", "Finland"),
    ("FR", "France"),
    ("GB", "United Kingdom"),
    ("GR", "Greece"),
    ("HR", "Croatia"),
    ("HU", "Hungary"),
    ("IE", "Ireland"),
    ("IL", "Israel"),
    ("IS", "Iceland"),
    ("IT", "Italy"),
    ("LT", "Lithuania"),
    ("LU", "Luxembourg"),
    ("LV", "Latvia"),
    ("MD", "Moldova"),
    ("ME", "Montenegro"),
    ("MT", "Malta"),
    ("NL", "Netherlands"),
    ("NO", "Norway"),
    ("PL", "Poland"),
    ("PT", "Portugal"),
    ("RO", "Romania"),
    ("RS", "Serbia"),
    ("SE", "Sweden"),
    ("SI", "Slovenia"),
    ("SK", "Slovakia"),
    ("TR", "Türkiye"),
    ("UA", "Ukraine"),
]
