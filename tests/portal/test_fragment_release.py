"""Kept markup is keyed by the release: a changed template or translation is never served
from markup the old one drew."""

from portal import fragments


def test_a_changed_template_translation_or_format_changes_every_fragment_key(settings, tmp_path):
    (tmp_path / "templates" / "home").mkdir(parents=True)
    (tmp_path / "locale" / "fr" / "LC_MESSAGES").mkdir(parents=True)
    (tmp_path / "portal" / "formats" / "fr").mkdir(parents=True)
    formats = tmp_path / "portal" / "formats" / "fr" / "formats.py"
    formats.write_text('DATE_FORMAT = "j F Y"\n')
    page = tmp_path / "templates" / "home" / "home.html"
    page.write_text("<p>{{ name }}</p>")
    catalogue = tmp_path / "locale" / "fr" / "LC_MESSAGES" / "django.mo"
    catalogue.write_bytes(b"first")
    settings.BASE_DIR = tmp_path
    keys = []
    try:
        for change in (
            lambda: None,
            lambda: page.write_text("<p><a href=''>{{ name }}</a></p>"),
            lambda: catalogue.write_bytes(b"second"),
            lambda: formats.write_text('DATE_FORMAT = "d/m/Y"\n'),
        ):
            change()
            fragments.release.cache_clear()
            keys.append(fragments.cache_key("home", ["same", "data"]))
    finally:
        fragments.release.cache_clear()

    assert len(set(keys)) == 4
    assert all(key.startswith("fragment:") and key.endswith(keys[0][-64:]) for key in keys)
    # Read once per process: the same key until the process starts again.
    try:
        page.write_text("<p>changed again</p>")
        first = fragments.cache_key("home", ["same", "data"])
        page.write_text("<p>and again</p>")
        assert fragments.cache_key("home", ["same", "data"]) == first
    finally:
        fragments.release.cache_clear()
