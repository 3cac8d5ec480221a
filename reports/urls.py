from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("my-unit/", views.my_unit, name="my_unit"),
    path("review/", views.review_queue, name="review_queue"),
]
