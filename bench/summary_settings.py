"""Settings for bench_summary's throwaway worker: the project's settings, with the embedded
filesystem broker polled every 10 ms instead of every 100 ms. Redis (production) delivers a
task the moment a process is free; a 100 ms poll before each of some fifty parts would
measure the embedded broker, not the compile."""

from emulation.settings import *  # noqa: F403
from emulation.settings import CELERY_BROKER_TRANSPORT_OPTIONS

CELERY_BROKER_TRANSPORT_OPTIONS = {**CELERY_BROKER_TRANSPORT_OPTIONS, "polling_interval": 0.01}
