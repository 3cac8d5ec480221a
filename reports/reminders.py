"""Deadline reminders: the officers of units that have not submitted are emailed 7, 3 and 1
days before the unit deadline and the day after it; a reviewer can also remind a unit by
hand. The Reminder row's unique constraint makes each unit get each milestone once, even
when the daily job runs twice or two workers run it at once."""

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from campaigns.models import Campaign, CampaignStatus, Role

from .models import COUNTED_STATUSES, Milestone, Reminder, UnitReport

# Days from the unit deadline on which each milestone falls.
MILESTONE_OFFSETS = ((Milestone.DAYS_7, -7), (Milestone.DAYS_3, -3), (Milestone.DAYS_1, -1), (Milestone.OVERDUE, 1))
# A missed daily run still sends the latest milestone, but an overdue notice stops after this.
OVERDUE_GRACE_DAYS = 3


def due_milestone(campaign, today):
    """The milestone to send today: the latest one already reached (so a day the job did
    not run is caught up the next day), or None."""
    due = None
    for milestone, offset in MILESTONE_OFFSETS:
        if today >= campaign.unit_deadline + datetime.timedelta(days=offset):
            due = milestone
    if due == Milestone.OVERDUE and today > campaign.unit_deadline + datetime.timedelta(days=OVERDUE_GRACE_DAYS):
        return None
    return due


def units_not_submitted(campaign):
    """The campaign's units whose report is not submitted or accepted."""
    submitted = UnitReport.objects.filter(campaign=campaign, status__in=COUNTED_STATUSES).values("unit_id")
    return campaign.participants().exclude(pk__in=submitted)


def officer_emails(unit):
    users = (
        get_user_model()
        .objects.filter(is_active=True, profile__role=Role.OFFICER, profile__unit=unit)
        .exclude(email="")
    )
    return sorted(users.values_list("email", flat=True))


def _message(campaign, unit, today):
    days = (campaign.unit_deadline - today).days
    if days > 0:
        when = f"còn {days} ngày nữa là đến hạn"
    elif days == 0:
        when = "hôm nay là hạn cuối"
    else:
        when = f"đã quá hạn {-days} ngày"
    report = UnitReport.objects.filter(campaign=campaign, unit=unit).first()
    # The email is written in Vietnamese only: it goes to Vietnamese officials, whoever sends
    # it (the daily job, or a reviewer whose screen may be in English), so the status is too.
    with translation.override("vi"):
        state = report.get_status_display().lower() if report else "chưa bắt đầu"
    subject = f"[Thi đua] Nhắc hạn báo cáo {campaign.directive_number}: {unit.name} ({when})"
    body = (
        f"Kính gửi cán bộ đầu mối thi đua của {unit.name},\n\n"
        f"Hạn gửi báo cáo kết quả phong trào thi đua theo {campaign.directive_citation} "
        f"là ngày {campaign.unit_deadline:%d/%m/%Y}; {when}. "
        f"Báo cáo của đơn vị hiện: {state}.\n\n"
        "Đề nghị đơn vị đăng nhập Cổng thông tin thi đua, mục “Đơn vị của tôi”, hoàn thành và gửi báo cáo.\n\n"
        "Sở Nội vụ (Ban Thi đua - Khen thưởng)"
    )
    return subject, body


def _send(*, campaign, unit, milestone, by=None, today):
    """Record and send one reminder; None when there is nobody to send to or the
    milestone was already sent."""
    recipients = officer_emails(unit)
    if not recipients:
        return None
    subject, body = _message(campaign, unit, today)
    try:
        with transaction.atomic():
            reminder = Reminder.objects.create(
                campaign=campaign, unit=unit, milestone=milestone, sent_by=by, recipients=recipients
            )
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
    except IntegrityError:
        return None
    return reminder


def reminders_send_due(*, today=None):
    """Send today's milestone reminders for every active campaign; returns those sent."""
    today = today or timezone.localdate()
    sent = []
    for campaign in Campaign.objects.filter(status=CampaignStatus.ACTIVE):
        milestone = due_milestone(campaign, today)
        if milestone is None:
            continue
        already = set(Reminder.objects.filter(campaign=campaign, milestone=milestone).values_list("unit_id", flat=True))
        for unit in units_not_submitted(campaign).exclude(pk__in=already):
            reminder = _send(campaign=campaign, unit=unit, milestone=milestone, today=today)
            if reminder is not None:
                sent.append(reminder)
    return sent


def reminders_send_manual(*, campaign, unit, by, today=None):
    """A reviewer reminds one unit now; None when the unit has already submitted or has no
    officer with an email address."""
    if not units_not_submitted(campaign).filter(pk=unit.pk).exists():
        return None
    return _send(campaign=campaign, unit=unit, milestone=Milestone.MANUAL, by=by, today=today or timezone.localdate())
