"""The fingerprint of the code a process runs, for the key prefix of a cache shared by every
process (Redis).

Cached page fragments (portal/fragments.py) are keyed by the data they show, not by the
templates, code, translations and static file names that drew them. Without this, a release
that changes a template would go on serving the old markup from Redis until the data changed.
With it, a new release starts with a cache of its own; the old keys expire (sessions are
written through to the database, so nobody is signed out).

A hash of the files' contents, not of their dates: every machine running the same release
shares the same keys. Reading them takes about 40-160 ms per process start (measured on
this machine, quiet and loaded). The local-memory
cache (no REDIS_URL) dies with its process and needs none of this; in development a changed
template empties it (portal.apps).
"""

import hashlib
import os
from pathlib import Path

# What is not the running portal: tests, benchmarks, the virtualenv, version control.
SKIPPED = {".venv", "venv", "tests", "benchmarks", "node_modules", "media", ".git", "staticfiles"}
SUFFIXES = {".py", ".html", ".txt", ".mo", ".css", ".js", ".svg", ".json"}


def code_fingerprint(root: Path) -> str:
    """16 hex digits that change whenever a file the portal draws pages with changes."""
    digest = hashlib.blake2b(digest_size=8)
    for top in sorted(root.iterdir()):
        if top.name in SKIPPED or top.name.startswith("."):
            continue
        paths = [top] if top.is_file() else sorted(top.rglob("*"))
        for path in paths:
            if path.suffix in SUFFIXES and path.is_file():
                digest.update(os.fsencode(path.relative_to(root)))
                digest.update(b"\0")
                digest.update(path.read_bytes())
    return digest.hexdigest()
