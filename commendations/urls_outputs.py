from django.urls import path

from . import output_views

# The decision's list and numbers, its printed documents and the certificates (output_views).
urlpatterns = [
    path("campaigns/<slug:code>/decision/", output_views.decision_page, name="decision"),
    path("campaigns/<slug:code>/decision/list.xlsx", output_views.decision_xlsx, name="decision_xlsx"),
    path("campaigns/<slug:code>/documents/<slug:kind>/", output_views.document_print, name="document_print"),
    path("prints/<int:pk>/", output_views.print_detail, name="print_detail"),
    path("prints/<int:pk>/status/", output_views.print_status, name="print_status"),
    path("prints/<int:pk>/pdf/", output_views.print_pdf, name="print_pdf"),
    path("prints/<int:pk>/docx/", output_views.print_docx, name="print_docx"),
]
