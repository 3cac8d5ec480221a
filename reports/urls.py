from django.urls import path

from . import edit_views, views

app_name = "reports"

urlpatterns = [
    path("my-unit/", views.my_unit, name="my_unit"),
    path("review/", views.review_queue, name="review_queue"),
]

urlpatterns += [
    path("my-unit/<slug:code>/start/", views.report_start, name="report_start"),
    path("reports/<int:pk>/", views.report_detail, name="report_detail"),
    path("reports/<int:pk>/edit/", edit_views.report_edit, name="report_edit"),
    path("reports/<int:pk>/submit/", views.report_submit, name="report_submit"),
    path("reports/<int:pk>/accept/", views.report_review, {"decision": "accept"}, name="report_accept"),
    path("reports/<int:pk>/return/", views.report_review, {"decision": "return"}, name="report_return"),
    path("reports/<int:pk>/reopen/", views.report_reopen, name="report_reopen"),
    path("reports/<int:pk>/recall/", views.report_recall, name="report_recall"),
    path("reports/<int:pk>/evidence/", edit_views.evidence_upload, name="evidence_upload"),
    path("reports/<int:pk>/evidence/<int:evidence_pk>/", views.evidence_download, name="evidence_download"),
    path("reports/<int:pk>/evidence/<int:evidence_pk>/delete/", edit_views.evidence_delete, name="evidence_delete"),
]

# The unit's Excel round-trip (reports/excel_views.py).
from . import excel_views  # noqa: E402

urlpatterns += [
    path("reports/<int:pk>/xlsx/", excel_views.report_xlsx, name="report_xlsx"),
    path("reports/<int:pk>/xlsx/upload/", excel_views.report_xlsx_upload, name="report_xlsx_upload"),
    path("reports/<int:pk>/xlsx/preview/", excel_views.report_xlsx_preview, name="report_xlsx_preview"),
    path("reports/<int:pk>/xlsx/confirm/", excel_views.report_xlsx_confirm, name="report_xlsx_confirm"),
    path("reports/<int:pk>/xlsx/discard/", excel_views.report_xlsx_discard, name="report_xlsx_discard"),
]

# Dashboards (reports/dashboard_views.py).
from . import dashboard_views  # noqa: E402

urlpatterns += [
    path("dashboard/", dashboard_views.current, {"page": "dashboard"}, name="dashboard_current"),
    path("dashboard/<slug:code>/", dashboard_views.dashboard, name="dashboard"),
    path("dashboard/<slug:code>/export.xlsx", dashboard_views.dashboard_xlsx, name="dashboard_xlsx"),
    path("dashboard/<slug:code>/targets/<slug:target>/", dashboard_views.target_detail, name="target_detail"),
    path("dashboard/<slug:code>/ranking/", dashboard_views.ranking, name="ranking"),
    path("overview/", dashboard_views.current, {"page": "overview"}, name="overview_current"),
    path("overview/<slug:code>/", dashboard_views.overview, name="overview"),
]

# Printed documents, the provincial summary and reminders (reports/print_views.py, reports/summary_views.py).
from . import print_views, summary_views  # noqa: E402

urlpatterns += [
    path("reports/<int:pk>/print/", print_views.report_print, name="report_print"),
    path("prints/<int:pk>/", print_views.print_detail, name="print_detail"),
    path("prints/<int:pk>/status/", print_views.print_status, name="print_status"),
    path("prints/<int:pk>/download/", print_views.print_download, name="print_download"),
    path("prints/<int:pk>/download/docx/", print_views.print_download_docx, name="print_download_docx"),
    path("summaries/", summary_views.summary_current, name="summary_current"),
    path("summaries/<slug:code>/", summary_views.summary_list, name="summary_list"),
    path("summaries/<slug:code>/compile/", summary_views.summary_compile_view, name="summary_compile"),
    path("summaries/<slug:code>/draft/", summary_views.summary_draft, name="summary_draft"),
    path("summaries/<slug:code>/remind/<slug:unit_code>/", summary_views.remind_unit, name="remind_unit"),
    path("summary/<int:pk>/", summary_views.summary_detail, name="summary_detail"),
    path("summary/<int:pk>/status/", summary_views.summary_status, name="summary_status"),
    path("summary/<int:pk>/retry/", summary_views.summary_retry_view, name="summary_retry"),
    path("summary/<int:pk>/download/", summary_views.summary_download, name="summary_download"),
]
