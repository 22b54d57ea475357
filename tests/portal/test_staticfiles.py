"""The production storage of static files: hashed names, our ES module imports included."""

import re
from pathlib import Path

from django.contrib.staticfiles import finders
from django.core.files.storage import FileSystemStorage

from portal.staticfiles import ManifestStaticFilesStorage

ROADMAP_MODULES = [
    "js/roadmap/conflict-panel.js",
    "js/roadmap/drafts.js",
    "js/roadmap/fields.js",
    "js/roadmap/main.js",
    "js/roadmap/messages.js",
    "js/roadmap/save-queue.js",
]
SEARCH_SELECT_MODULES = [
    "js/search-select/choices.js",
    "js/search-select/format.js",
    "js/search-select/keys.js",
    "js/search-select/main.js",
    "js/search-select/search.js",
    "js/search-select/widget.js",
]
# A third-party script whose comments mention `import("../htmx")`, not a file of ours.
THIRD_PARTY = "django_htmx/ext/hx-sse-2.js"


def collect(paths, root):
    """Do what collectstatic does for these paths only (all of static/ takes minutes)."""
    storage = ManifestStaticFilesStorage(location=root, base_url="/static/")
    sources = {}
    for path in paths:
        found = Path(finders.find(path))
        source = FileSystemStorage(location=found.parents[len(Path(path).parts) - 1])
        with source.open(path) as content:
            storage.save(path, content)
        sources[path] = (source, path)
    results = storage.post_process(sources)
    problems = [error for _, _, error in results if isinstance(error, Exception)]
    storage.save_manifest()
    return storage, problems


def test_roadmap_modules_import_one_another_by_their_hashed_names(tmp_path):
    storage, problems = collect(ROADMAP_MODULES, tmp_path)

    main = (tmp_path / storage.stored_name("js/roadmap/main.js")).read_text()
    imported = re.findall(r'^import .* from "\./([^"]+)";$', main, re.M)
    assert problems == []
    assert imported == [
        Path(storage.stored_name(path)).name
        for path in ROADMAP_MODULES
        if path != "js/roadmap/main.js"
    ]
    assert all(re.fullmatch(r"[a-z-]+\.[0-9a-f]{12}\.js", name) for name in imported)
    assert all((tmp_path / "js/roadmap" / name).is_file() for name in imported)


def test_search_select_modules_import_one_another_by_their_hashed_names(tmp_path):
    storage, problems = collect(SEARCH_SELECT_MODULES, tmp_path)

    def imported_by(path):
        stored = (tmp_path / storage.stored_name(path)).read_text()
        return re.findall(r'^import .* from "\./([^"]+)";$', stored, re.M)

    def hashed(path):
        return Path(storage.stored_name(path)).name

    assert problems == []
    assert imported_by("js/search-select/main.js") == [hashed("js/search-select/widget.js")]
    assert imported_by("js/search-select/widget.js") == [
        hashed(path)
        for path in SEARCH_SELECT_MODULES
        if path not in ("js/search-select/main.js", "js/search-select/widget.js")
    ]
    # The pure modules import nothing, and every name imported is a file collectstatic wrote.
    pure = ["choices.js", "format.js", "keys.js", "search.js"]
    assert [imported_by(f"js/search-select/{name}") for name in pure] == [[], [], [], []]
    imported = imported_by("js/search-select/main.js") + imported_by("js/search-select/widget.js")
    assert all(re.fullmatch(r"[a-z]+\.[0-9a-f]{12}\.js", name) for name in imported)
    assert all((tmp_path / "js/search-select" / name).is_file() for name in imported)


def test_third_party_scripts_are_stored_unchanged(tmp_path):
    storage, problems = collect([THIRD_PARTY], tmp_path)

    stored = (tmp_path / storage.stored_name(THIRD_PARTY)).read_bytes()
    assert problems == []
    assert stored == Path(finders.find(THIRD_PARTY)).read_bytes()
