from django.urls import path

from . import proposal_views

# A unit's proposals: the proposal page and its dossier (officer of the unit writes; the
# province reads), the resubmission, the Excel list of a report.
urlpatterns = [
    path("proposals/<int:pk>/", proposal_views.proposal_detail, name="proposal_detail"),
    path("proposals/<int:pk>/files/", proposal_views.proposal_file_upload, name="proposal_file_upload"),
    path(
        "proposals/<int:pk>/files/<int:file_pk>/", proposal_views.proposal_file_download, name="proposal_file_download"
    ),
    path(
        "proposals/<int:pk>/files/<int:file_pk>/delete/",
        proposal_views.proposal_file_delete,
        name="proposal_file_delete",
    ),
    path("proposals/<int:pk>/resubmit/", proposal_views.proposal_resubmit_view, name="proposal_resubmit"),
    path("reports/<int:pk>/proposals.xlsx", proposal_views.proposals_template, name="proposals_template"),
    path("reports/<int:pk>/proposals/upload/", proposal_views.proposals_upload, name="proposals_upload"),
]
