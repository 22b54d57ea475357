"""The storage of static files in production."""

from django.contrib.staticfiles.storage import ManifestStaticFilesStorage as DjangoManifestStorage
from whitenoise.storage import CompressedManifestStaticFilesStorage

# Django's rules that rename the paths of `import ... from "./drafts.js";` (and `export ... from`)
# to the hashed names. `support_js_module_import_aggregation` switches them on for every *.js,
# third-party files included, and fails on those (django_htmx's extensions import the bare
# name "htmx", which is no file), so they are applied here to the portal's own scripts only.
_MODULE_IMPORT_RULES = DjangoManifestStorage._js_module_import_aggregation_patterns[1]


class ManifestStaticFilesStorage(CompressedManifestStaticFilesStorage):
    """WhiteNoise's compressed, cache-busted storage that also renames our module imports.

    The roadmap script is a set of ES modules (static/js/roadmap/) that load one another by
    relative paths. Without renaming, main.<hash>.js would load the unhashed drafts.js, which a
    browser may have kept from before a deploy, and so run two versions together.
    """

    patterns = (*CompressedManifestStaticFilesStorage.patterns, ("js/*.js", _MODULE_IMPORT_RULES))
