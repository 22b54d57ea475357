# European Portuguese usage: "de" around the month and "às" before the time, as Django's own
# Portuguese writes them, with its capitalised month names (portal/formats/__init__.py gives
# the decision).
DATE_FORMAT = r"j \d\e F \d\e Y"  # 1 de Dezembro de 2026
DATETIME_FORMAT = r"j \d\e F \d\e Y à\s H:i"  # 1 de Dezembro de 2026 às 13:57
TIME_FORMAT = "H:i"  # 13:57
YEAR_MONTH_FORMAT = r"F \d\e Y"  # Dezembro de 2026
MONTH_DAY_FORMAT = r"j \d\e F"  # 1 de Dezembro
SHORT_DATE_FORMAT = DATE_FORMAT
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
