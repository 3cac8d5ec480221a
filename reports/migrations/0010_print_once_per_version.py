"""One queued, running or finished print per report version, and who last retried a summary.

Prints asked for again before this rule are kept; of those live for the same version, the
latest finished one (else the latest) stays, and the others are marked failed with a reason
that names it, so the constraint can be added and nothing that was printed is lost."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone

LIVE = ["queued", "running", "done"]


def fail_duplicate_prints(apps, schema_editor):
    ReportPrint = apps.get_model("reports", "ReportPrint")
    groups = {}
    for row in ReportPrint.objects.filter(status__in=LIVE).values("pk", "report_id", "report_version", "status"):
        groups.setdefault((row["report_id"], row["report_version"]), []).append(row)
    now = timezone.now()
    for rows in groups.values():
        if len(rows) < 2:
            continue
        kept = max(rows, key=lambda row: (row["status"] == "done", row["pk"]))
        others = [row["pk"] for row in rows if row["pk"] != kept["pk"]]
        ReportPrint.objects.filter(pk__in=others).update(
            status="failed",
            error=f"Bản in trùng với bản in số {kept['pk']} của cùng phiên bản báo cáo; dùng bản in đó.",
            finished_at=now,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0009_errorrecord"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="summary",
            name="retried_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="thử lại lúc"),
        ),
        migrations.AddField(
            model_name="summary",
            name="retried_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.RunPython(fail_duplicate_prints, migrations.RunPython.noop, elidable=True),
        migrations.AddConstraint(
            model_name="reportprint",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status__in", ("queued", "running", "done"))),
                fields=("report", "report_version"),
                name="one_live_print_per_report_version",
            ),
        ),
    ]
