"""Accounts in the admin: a user with their portal profile on one page. A password an
administrator types — for a new account, or set on an existing one — is known to someone
else, so its owner must change it at first sign-in (accounts.middleware)."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.http import HttpResponseRedirect

from campaigns.models import Profile

from .models import PasswordResetRequest
from .services import password_change_require


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False
    autocomplete_fields = ["unit"]
    fields = ["role", "unit", "position", "phone", "must_change_password"]


admin.site.unregister(User)


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    inlines = [ProfileInline]
    list_display = [*UserAdmin.list_display, "profile__role"]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if not change and form.instance.has_usable_password():
            password_change_require(user=form.instance)

    def user_change_password(self, request, id, form_url=""):
        response = super().user_change_password(request, id, form_url)
        # The admin redirects only once the password is saved.
        if request.method == "POST" and isinstance(response, HttpResponseRedirect):
            user = self.get_object(request, id)
            if user is not None and user != request.user and user.has_usable_password():
                password_change_require(user=user)
        return response


@admin.register(PasswordResetRequest)
class PasswordResetRequestAdmin(admin.ModelAdmin):
    """Who asked for reset links, for the last day: read only."""

    list_display = ["created_at", "email", "address"]
    search_fields = ["email", "address"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
