"""The NetZeroCities services a city can pick for its suitable journey (Reflection Roadmap,
Phase 3), as reference data; a data migration (roadmaps 0006, from a frozen copy) and
`manage.py seed_reference` load them into NetZeroCitiesService, by name, in this order (which
becomes `position`). Admins keep the list up to date afterwards.

Sources are the seed documents in shared/seeds/: 000 (the Online Discussion Groups: Climate
Transition Map and its Discovery Tour, the NZC Portal group, Group Study Visits, the Twinning
Learning Programme), 001 (the Pilot Cities Programme, the Capital Hub, the City Advisors) and 002
(City Support Groups, Climate City Contract development).
"""

NETZEROCITIES_SERVICES = [
    {
        "name": "Climate Transition Map",
        "description": (
            "The NetZeroCities framework for planning a city's transition, with its Discovery "
            "Tour for cities starting out."
        ),
    },
    {
        "name": "NetZeroCities Portal knowledge repository",
        "description": (
            "Guidance, case studies and tools on the NetZeroCities Portal, with a group per "
            "programme for sharing material and questions."
        ),
    },
    {
        "name": "Climate City Contract guidance",
        "description": (
            "Support to prepare the Climate City Contract: commitments, action plan and "
            "investment plan."
        ),
    },
    {
        "name": "City Support Groups",
        "description": "Support services for cities organised into groups with shared needs.",
    },
    {
        "name": "City Advisors",
        "description": "A NetZeroCities City Advisor who accompanies the city's transition team.",
    },
    {
        "name": "Capital Hub / financing advisory",
        "description": (
            "Guidance on fund structuring, public-private partnerships and blended finance, and "
            "matchmaking with investors."
        ),
    },
    {
        "name": "Pilot Cities Programme",
        "description": "Funded pilot activities testing systemic approaches to climate neutrality.",
    },
    {
        "name": "Twinning Learning Programme",
        "description": "Longer peer learning between a Pilot City and its Twin Cities.",
    },
    {
        "name": "Peer Learning Online Discussion Groups",
        "description": (
            "Online thematic sessions where Mission Cities present climate actions to "
            "Mission-minded cities, followed by technical support."
        ),
    },
    {
        "name": "Group Study Visits",
        "description": "Two-day in-person visits to a Mission City ending with an action plan.",
    },
]
