from django.db import models
from django.utils.translation import gettext_lazy as _


class PasswordResetRequest(models.Model):
    """One asking for a reset link, kept for a day so the portal can tell when one address or
    one mailbox is asked for too often (accounts.services.password_reset_allowed)."""

    email = models.EmailField(_("địa chỉ email được hỏi"), max_length=254, db_index=True)
    address = models.GenericIPAddressField(_("địa chỉ mạng"), null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(_("lúc"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("yêu cầu đặt lại mật khẩu")
        verbose_name_plural = _("yêu cầu đặt lại mật khẩu")

    def __str__(self):
        return f"{self.email} ({self.address})"
