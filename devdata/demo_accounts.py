"""The demo logins that `manage.py seed_demo` creates and `make run` prints.

Addresses are on example.org (never delivered); the password is for local demos only.
"""

from accounts.enums import Role

DEMO_PASSWORD = "peer-learning-demo"

# (email, role): one login per role.
DEMO_LOGINS = [
    ("officer@example.org", Role.CITY_OFFICER),
    ("facilitator@example.org", Role.FACILITATOR),
    ("reviewer@example.org", Role.REVIEWER),
    ("admin@example.org", Role.PROGRAMME_ADMIN),
]
