from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("my-unit/", views.my_unit, name="my_unit"),
    path("review/", views.review_queue, name="review_queue"),
]

urlpatterns += [
    path("my-unit/<slug:code>/start/", views.report_start, name="report_start"),
    path("reports/<int:pk>/", views.report_detail, name="report_detail"),
    path("reports/<int:pk>/edit/", views.report_edit, name="report_edit"),
    path("reports/<int:pk>/submit/", views.report_submit, name="report_submit"),
    path("reports/<int:pk>/accept/", views.report_review, {"decision": "accept"}, name="report_accept"),
    path("reports/<int:pk>/return/", views.report_review, {"decision": "return"}, name="report_return"),
    path("reports/<int:pk>/evidence/", views.evidence_upload, name="evidence_upload"),
    path("reports/<int:pk>/evidence/<int:evidence_pk>/", views.evidence_download, name="evidence_download"),
    path("reports/<int:pk>/evidence/<int:evidence_pk>/delete/", views.evidence_delete, name="evidence_delete"),
]

# The unit's Excel round-trip (reports/excel_views.py).
from . import excel_views  # noqa: E402

urlpatterns += [
    path("reports/<int:pk>/xlsx/", excel_views.report_xlsx, name="report_xlsx"),
    path("reports/<int:pk>/xlsx/upload/", excel_views.report_xlsx_upload, name="report_xlsx_upload"),
]
