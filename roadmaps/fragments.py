"""Keys of the roadmap pages' cached parts (portal.fragments, `{% fragment %}`).

Decision: the roadmap pages key their cached parts by data versions (roadmaps.scopes): the
roadmap's own scope, its cohort's, and one scope for what they show from the lower apps, raised
by receivers on every model the parts show. A hit then skips the parts' queries as well as their
rendering. (The first version keyed them by a digest of the rows read on each request: it
needed no receivers, but every request still ran the queries.)

One case keeps a content key: the edit page re-shown after a refused save, whose fields hold
what the person typed and the messages, not what is stored.
"""

import hashlib

from django.utils import timezone


def content_key(*parts) -> str:
    """A digest of everything a cached part shows: its rows as read now, and the time zone its
    dates are shown in (the language, the path and the script prefix are added by the tag)."""
    text = repr((timezone.get_current_timezone_name(), parts))
    return hashlib.sha256(text.encode()).hexdigest()
