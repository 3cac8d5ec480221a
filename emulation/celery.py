import gc
import os

from celery import Celery
from celery.signals import worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "emulation.settings")

app = Celery("emulation")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_process_init.connect
def freeze_startup_objects(**_kwargs):
    """A printed page is built from hundreds of thousands of short-lived objects, so the
    collector runs often, and each full collection rescanned everything Django and
    WeasyPrint loaded at start: a quarter of a render's time (bench/bench_summary.py).
    Each job process moves what it inherited out of the collector's sight."""
    gc.collect()
    gc.freeze()
