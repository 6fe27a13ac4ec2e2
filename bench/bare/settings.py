"""Settings of the bare baseline: no middleware, no contrib apps, DEBUG off, the same database server as Tabwise.

Database settings match Tabwise's production ones (persistent connections with health checks), so the only
difference left between the two servers is what Tabwise itself does per request.
"""

from __future__ import annotations

import os

import dj_database_url

DEBUG = False
SECRET_KEY = os.environ.get("SECRET_KEY", "bench-bare-baseline-not-a-secret")
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

INSTALLED_APPS = ["bench.bare"]
MIDDLEWARE: list[str] = []
ROOT_URLCONF = "bench.bare.urls"
WSGI_APPLICATION = "bench.bare.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": []},
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ["DATABASE_URL"], conn_max_age=int(os.environ.get("CONN_MAX_AGE", "600")), conn_health_checks=True
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

USE_TZ = True
TIME_ZONE = "UTC"

NINJA_PAGINATION_PER_PAGE = 50
