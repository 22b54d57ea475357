# French usage: "à" between the date and the time (portal/formats/__init__.py gives the decision).
DATE_FORMAT = "j F Y"  # 1 décembre 2026
DATETIME_FORMAT = "j F Y à H:i"  # 1 décembre 2026 à 13:57
TIME_FORMAT = "H:i"  # 13:57
YEAR_MONTH_FORMAT = "F Y"  # décembre 2026
MONTH_DAY_FORMAT = "j F"  # 1 décembre
SHORT_DATE_FORMAT = DATE_FORMAT
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
