"""Keys of the roadmap pages' cached parts (portal.fragments, `{% fragment %}`).

Decision: the roadmap pages key their cached parts by their content, not by data versions.
What they show comes from five apps (roadmaps, cohorts' enrolments, cities' names, sessions'
presentations, climate actions, people's names), and a version bumped by every one of those
changes is easy to miss in one path (a bulk update, the admin, a data migration). A content key
is the rows the part shows, as read now: the queries still run, the rendering (most of these
pages' time: a row per city, a field per template question, two SVG charts) does not, and a
part is rendered again exactly when what it shows has changed, whatever changed it. Whatever
about the person changes the part (may they edit, may they comment) is in the key too.
"""

import hashlib

from django.utils import timezone


def content_key(*parts) -> str:
    """A digest of everything a cached part shows: its rows as read now, and the time zone its
    dates are shown in (the language, the path and the script prefix are added by the tag)."""
    text = repr((timezone.get_current_timezone_name(), parts))
    return hashlib.sha256(text.encode()).hexdigest()
