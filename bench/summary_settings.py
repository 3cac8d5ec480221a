"""Settings for bench_summary's throwaway worker: the project's settings, with the embedded
filesystem broker polled every 50 ms instead of every second. Redis (production) delivers
at once; a one-second poll per task would measure the embedded broker, not the compile."""

from emulation.settings import *  # noqa: F403
from emulation.settings import CELERY_BROKER_TRANSPORT_OPTIONS

CELERY_BROKER_TRANSPORT_OPTIONS = {**CELERY_BROKER_TRANSPORT_OPTIONS, "polling_interval": 0.05}
