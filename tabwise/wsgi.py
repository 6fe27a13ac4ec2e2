import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tabwise.settings")
application = get_wsgi_application()

# Load the URL patterns (and with them every view and API module) now, then move everything loaded at start-up out
# of the garbage collector's reach: full collections over it paused requests for up to 40 ms (BENCHMARKS.md).
get_resolver().url_patterns  # noqa: B018
gc.freeze()
