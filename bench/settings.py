"""The product's settings, served with the bench's URLs (the product itself has no bench route).

`bench.run` sets the environment (DEBUG off, dedicated database and var dir) before Django loads this.
"""

from relance.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"

# Hashed names as in production, without WhiteNoise's gzip and Brotli copies: the pages render
# the same `{% static %}` URLs, and collecting takes seconds instead of most of a quick run.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"}}  # noqa: F405
