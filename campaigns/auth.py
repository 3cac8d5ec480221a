"""Signing in: Django's model backend, with the user's role read along with the user."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class ProfileBackend(ModelBackend):
    """Django's ModelBackend, except that the user every request reads comes with their
    profile and unit (campaigns.roles asks for both on every page): one query, not three."""

    def get_user(self, user_id):
        user_model = get_user_model()
        try:
            user = user_model._default_manager.select_related("profile__unit").get(pk=user_id)
        except user_model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
