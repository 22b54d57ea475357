"""The session pages' script modules (static/js/sessions/) load one another by their hashed
names in production, like the roadmap's (tests/portal/test_staticfiles.py)."""

import re
from pathlib import Path

from tests.portal.test_staticfiles import collect

SESSION_MODULES = [
    "js/sessions/confirm.js",
    "js/sessions/main.js",
    "js/sessions/presentations.js",
    "js/sessions/walk-ins.js",
]


def test_session_modules_import_one_another_by_their_hashed_names(tmp_path):
    storage, problems = collect(SESSION_MODULES, tmp_path)

    main = (tmp_path / storage.stored_name("js/sessions/main.js")).read_text()
    imported = re.findall(r'^import .* from "\./([^"]+)";$', main, re.M)
    assert problems == []
    assert imported == [
        Path(storage.stored_name(path)).name
        for path in SESSION_MODULES
        if path != "js/sessions/main.js"
    ]
    assert all(re.fullmatch(r"[a-z-]+\.[0-9a-f]{12}\.js", name) for name in imported)
