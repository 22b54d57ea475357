"""config/release.py: the code's fingerprint in the shared cache's key prefix, and the
development server's emptied cache when a template changes (portal/apps.py)."""

from pathlib import Path

from django.core.cache import cache

from config.release import code_fingerprint
from portal.apps import forget_pages_drawn_by_changed_templates


def _project(root: Path) -> Path:
    (root / "templates").mkdir()
    (root / "templates" / "page.html").write_text("<p>{{ name }}</p>")
    (root / "visits").mkdir()
    (root / "visits" / "views.py").write_text("VIEW = 1\n")
    (root / "tests").mkdir()
    (root / "tests" / "test_x.py").write_text("x = 1\n")
    return root


def test_a_changed_template_or_module_changes_the_fingerprint(tmp_path):
    root = _project(tmp_path)
    first = code_fingerprint(root)

    assert code_fingerprint(root) == first
    (root / "templates" / "page.html").write_text("<p>{{ name }}!</p>")
    second = code_fingerprint(root)
    (root / "visits" / "views.py").write_text("VIEW = 2\n")
    third = code_fingerprint(root)

    assert len({first, second, third}) == 3
    assert len(first) == 16


def test_the_fingerprint_is_of_contents_not_dates_and_skips_tests(tmp_path):
    root = _project(tmp_path)
    first = code_fingerprint(root)

    (root / "tests" / "test_x.py").write_text("x = 2\n")
    (root / "templates" / "page.html").touch()

    assert code_fingerprint(root) == first


def test_the_fingerprint_of_a_copy_is_the_same(tmp_path):
    # Every machine running one release shares its keys.
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()

    first = code_fingerprint(_project(tmp_path / "one"))
    second = code_fingerprint(_project(tmp_path / "two"))

    assert first == second


def test_a_changed_template_empties_the_cache_in_development():
    cache.set("fragment", "old markup")

    forget_pages_drawn_by_changed_templates(sender=None, file_path=Path("visits/views.py"))
    assert cache.get("fragment") == "old markup"

    forget_pages_drawn_by_changed_templates(sender=None, file_path=Path("templates/x.html"))
    assert cache.get("fragment") is None
