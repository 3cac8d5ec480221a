"""Login throttling on two counts: username + address (django-axes' own, AXES_FAILURE_LIMIT)
and the address alone at a higher limit (AXES_ADDRESS_FAILURE_LIMIT).

The first lets a department share one address without one officer's typos locking the
others out; alone it would let one address try a few passwords against every account
(`cb.<unit code>` names are easy to guess). Axes has one failure limit for every set of
lockout parameters, so the address count is kept here, from the same AccessAttempt rows
axes writes (one row per username, address and browser): their failures from the address
within the cool-off period, summed."""

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.db.models import Sum


class AddressLimitHandler(AxesDatabaseHandler):
    def address_failures(self, request):
        """Failed logins from the request's address, whatever the username, that still count."""
        attempts = AccessAttempt.objects.filter(ip_address=request.axes_ip_address)
        if settings.AXES_COOLOFF_TIME is not None:
            attempts = attempts.filter(attempt_time__gte=get_cool_off_threshold(request))
        return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0

    def address_locked(self, request):
        return (
            settings.AXES_LOCK_OUT_AT_FAILURE and self.address_failures(request) >= settings.AXES_ADDRESS_FAILURE_LIMIT
        )

    def is_locked(self, request, credentials=None):
        if super().is_locked(request, credentials):
            return True
        if self.address_locked(request):
            request.axes_address_locked = True
            return True
        return False

    def user_login_failed(self, sender, credentials, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is None or request.axes_locked_out or self.is_whitelisted(request, credentials):
            return
        if self.address_locked(request):
            request.axes_locked_out = True
            request.axes_address_locked = True
            request.axes_credentials = credentials
            user_locked_out.send(
                "axes",
                request=request,
                username=get_client_username(request, credentials),
                ip_address=request.axes_ip_address,
            )
