"""Roadmap PDFs rendered once per version and kept in the default storage.

WeasyPrint takes about half a second per roadmap; the file it prints depends only on what the
PDF shows (roadmaps/pdf.py: the same roadmap version in the same language gives the same
bytes). So the file is stored under a name made from everything it shows, and a download or a
cohort ZIP of an unchanged roadmap reads the stored file instead of printing it again.

The name is a keyed hash (HMAC with SECRET_KEY) of:
- the roadmap's printed fields: status, last change (`updated_at`), city and country names,
  cohort name, and every saved field value (so a value written by any path counts, not only
  through the services that move `updated_at`);
- what the values point to: the chosen climate action's title and its city's name, the chosen
  NetZeroCities services' names, in the order printed;
- the language and the time zone it is printed in (the "Last change" date is local time);
- the layout: the PDF template, the modules that hold the printed labels (sections, enabling
  factors, desirability choices), the translation files, the fonts, and the versions of Django
  and WeasyPrint. These change only with a deployment, so they are read once per process.

Working out the name costs the queries of the PDF's data (the saved fields, the action, the
services), not the rendering: a repeat download is a few queries and one file read.

Files live in `roadmap-pdfs/<roadmap id>/<language>_<time zone>.<hash>.pdf`. Storing a new file
deletes the older files of the same roadmap, language and time zone, so each roadmap keeps one
file per language and time zone that someone printed it in (the portal has three languages, and
people use a handful of time zones); deleting a roadmap deletes its files (roadmaps.receivers).
The hash cannot be guessed without the roadmap's text and the SECRET_KEY, should MEDIA ever be
served by a web server; the files are only served by the views, after their permission checks.

Decision: a stored file, not the cache: issue 14 moves files to S3 through the storage API, the
files are large for a cache (30-100 KB), and a cache flush would make every ZIP slow again.
"""

import functools
import hashlib
import logging
import re
from importlib import metadata
from pathlib import Path

import django
from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.template.loader import get_template
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import get_language

from portal.fragments import TIMEOUT_SECONDS
from roadmaps import enums as roadmap_enums
from roadmaps import pdf as roadmap_pdf_module
from roadmaps import template as roadmap_template
from roadmaps.models import Roadmap
from roadmaps.pdf import (
    FONT_FILES,
    PDF_TEMPLATE,
    RoadmapPdfData,
    roadmap_pdf_data,
    roadmap_pdf_from_data,
)
from roadmaps.scopes import roadmap_versions
from taxonomy import reference as taxonomy_reference

logger = logging.getLogger(__name__)

FOLDER = "roadmap-pdfs"
# A stored PDF ends with this line (and a newline): a file cut short (a write still going on in
# another process, a disk that filled up) does not, and is printed again rather than served.
PDF_END = b"%%EOF"
KEY_SALT = "roadmaps.pdf_files"
# The modules whose constants the PDF prints (section titles, enabling factors, choices).
LABEL_MODULES = (roadmap_template, roadmap_enums, taxonomy_reference, roadmap_pdf_module)


@functools.cache
def layout_version() -> str:
    """A digest of what the PDF's look and labels come from besides the database: read once per
    process, as these files change only with a deployment."""
    digest = hashlib.sha256()
    digest.update(f"django {django.__version__}\n".encode())
    # The installed version, without importing WeasyPrint (it loads Pango) on a download.
    digest.update(f"weasyprint {metadata.version('weasyprint')}\n".encode())
    digest.update(get_template(PDF_TEMPLATE).template.source.encode())
    paths = [Path(module.__file__) for module in LABEL_MODULES]
    for locale_path in settings.LOCALE_PATHS:
        paths.extend(sorted(Path(locale_path).glob("*/LC_MESSAGES/*.mo")))
    paths.extend(Path(settings.BASE_DIR) / font for font in FONT_FILES.values())
    for path in paths:
        digest.update(str(path).encode() + b"\n")
        digest.update(path.read_bytes() if path.is_file() else b"-")
    return digest.hexdigest()


def _variant() -> str:
    """The language and time zone as a file-name part: letters, digits and underscores."""
    return re.sub(r"[^A-Za-z0-9]+", "_", f"{get_language()}_{timezone.get_current_timezone_name()}")


def _fingerprint(roadmap: Roadmap, data: RoadmapPdfData) -> str:
    action = data.action
    parts = [
        layout_version(),
        get_language(),
        timezone.get_current_timezone_name(),
        roadmap.pk,
        roadmap.status,
        roadmap.updated_at.isoformat(),
        roadmap.city.name,
        roadmap.city.country.name,
        roadmap.cohort.name,
        sorted(data.values.items()),
        (action.pk, action.title, action.city.name) if action is not None else None,
        [(service.pk, service.name) for service in data.services],
    ]
    return salted_hmac(KEY_SALT, repr(parts), algorithm="sha256").hexdigest()[:40]


def stored_name(*, roadmap: Roadmap, data: RoadmapPdfData) -> str:
    """Where the PDF of this roadmap, as it is now, in this language and time zone, is kept."""
    return f"{FOLDER}/{roadmap.pk}/{_variant()}.{_fingerprint(roadmap, data)}.pdf"


def _read(name: str) -> bytes | None:
    """The stored file; None when there is none, or none whole (a broken one is deleted)."""
    try:
        with default_storage.open(name, "rb") as stored:
            pdf = stored.read()
    except OSError:  # FileNotFoundError: not printed yet (or deleted meanwhile)
        return None
    if not pdf.rstrip().endswith(PDF_END):
        default_storage.delete(name)
        return None
    return pdf


def _store(*, roadmap: Roadmap, name: str, pdf: bytes) -> None:
    """Keep `pdf` under `name` and delete the roadmap's older files of the same language and
    time zone. Two processes printing the same version at once both store it: the second is
    given another name by the storage, and deletes its copy."""
    saved = default_storage.save(name, ContentFile(pdf))
    if saved != name:
        default_storage.delete(saved)
        return
    folder, file_name = name.rsplit("/", 1)
    variant = file_name.split(".", 1)[0]
    try:
        _folders, files = default_storage.listdir(folder)
    except OSError:
        return
    for other in files:
        if other != file_name and other.split(".", 1)[0] == variant:
            default_storage.delete(f"{folder}/{other}")


def roadmap_pdf_file(*, roadmap: Roadmap) -> bytes:
    """The roadmap as a PDF file: the stored one when this version was printed before in this
    language and time zone, else printed now (WeasyPrint) and stored.

    `roadmap` needs its city (with country) and cohort; `roadmap.values.all()` uses a prefetch
    when the caller made one (the ZIP export does).
    """
    data = roadmap_pdf_data(roadmap=roadmap)
    name = stored_name(roadmap=roadmap, data=data)
    pdf = _read(name)
    if pdf is None:
        pdf = roadmap_pdf_from_data(roadmap=roadmap, data=data)
        try:
            _store(roadmap=roadmap, name=name, pdf=pdf)
        except OSError:
            # A full or read-only disk must not refuse the download: it is printed next time.
            logger.exception("Roadmap %s: the PDF could not be stored", roadmap.pk)
    return pdf


def _remembered_key(roadmap: Roadmap) -> str:
    return (
        f"roadmaps:pdf-name:{roadmap.pk}:{_variant()}:{roadmap_versions(roadmap)}:"
        f"{layout_version()}"
    )


def roadmap_pdf_file_remembered(*, roadmap: Roadmap) -> bytes:
    """As roadmap_pdf_file, for a download: the stored file's name is remembered in the cache
    under the data versions of everything the PDF shows (roadmaps.scopes: the roadmap's row and
    fields, the names of its city, country and cohort, of the climate actions and the services)
    with the language, the time zone and the layout. A repeat download of an unchanged roadmap
    is then one query (the versions) and a file read, not the PDF's data queries; a changed
    one has new versions, and its name is worked out from the data as before.

    The ZIP export does not use it: it reads every roadmap's data with prefetches anyway.
    """
    key = _remembered_key(roadmap)
    name = cache.get(key)
    if name is not None:
        pdf = _read(name)
        if pdf is not None:
            return pdf
    data = roadmap_pdf_data(roadmap=roadmap)
    name = stored_name(roadmap=roadmap, data=data)
    pdf = _read(name)
    if pdf is None:
        pdf = roadmap_pdf_from_data(roadmap=roadmap, data=data)
        try:
            _store(roadmap=roadmap, name=name, pdf=pdf)
        except OSError:
            logger.exception("Roadmap %s: the PDF could not be stored", roadmap.pk)
            return pdf
    cache.set(key, name, TIMEOUT_SECONDS)
    return pdf


def roadmap_pdf_files_delete(*, roadmap_id: int) -> None:
    """Delete every stored PDF of a roadmap (it was deleted)."""
    folder = f"{FOLDER}/{roadmap_id}"
    try:
        _folders, files = default_storage.listdir(folder)
    except OSError:
        return
    for file_name in files:
        default_storage.delete(f"{folder}/{file_name}")
