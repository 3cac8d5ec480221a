from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from campaigns import views as campaign_views

urlpatterns = [
    path("", campaign_views.home, name="home"),
    path("login/", campaign_views.PortalLoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("account/", include("accounts.urls")),
    path("commendations/", include("commendations.urls")),
    path("campaigns/", include("campaigns.urls")),
    path("", include("reports.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "emulation.views.bad_request"
handler403 = "emulation.views.permission_denied"
handler404 = "emulation.views.page_not_found"
handler500 = "emulation.views.server_error"
