"""Settings for the benchmarks only: the product's settings plus a bench-only URLconf.

The bare reference view must never reach the product, so it lives in
``bench.urls_bench`` and only processes started with
``DJANGO_SETTINGS_MODULE=bench.settings_bench`` route to it.
"""

from buzon.settings import *  # noqa: F403 — the product's settings, unchanged

ROOT_URLCONF = "bench.urls_bench"
