from django.urls import path

from . import review_views

urlpatterns = [
    path("", review_views.current, name="current"),
    path("campaigns/<slug:code>/proposals/", review_views.proposal_list, name="proposal_list"),
    path("proposals/<int:pk>/review/", review_views.proposal_review, name="proposal_review"),
    path("campaigns/<slug:code>/council/", review_views.council_list, name="council_list"),
    path("campaigns/<slug:code>/council/new/", review_views.council_create, name="council_create"),
    path("council/<int:pk>/", review_views.council_detail, name="council_detail"),
    path("council/<int:pk>/votes/<int:proposal_pk>/", review_views.council_vote, name="council_vote"),
]
