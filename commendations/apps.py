from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommendationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "commendations"
    verbose_name = _("Khen thưởng")

    def ready(self):
        # The stale-job sweep (reports.tasks.sweep_stale_jobs) requeues the commendation
        # prints a dead worker left running, like the unit prints and the summaries.
        from reports.prints import PRINT_JOB_MODELS
        from reports.tasks import JOB_TASKS

        from .models import CommendationPrint
        from .tasks import render_commendation_print

        JOB_TASKS[CommendationPrint] = render_commendation_print
        # A Tờ trình or a certificate run counts towards the person's print rate, as a unit's print does.
        PRINT_JOB_MODELS.append(CommendationPrint)
