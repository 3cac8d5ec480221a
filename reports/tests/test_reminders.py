"""Deadline reminders: once per unit and milestone, only to units that have not submitted."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse

from campaigns.models import Role, Unit
from conftest import make_user
from reports.models import Milestone, Reminder
from reports.reminders import due_milestone, reminders_send_due
from reports.tasks import send_deadline_reminders
from reports.tests.printing_data import fill_report

DEADLINE = datetime.date(2024, 11, 15)


@pytest.mark.parametrize(
    ("today", "milestone"),
    [
        (DEADLINE - datetime.timedelta(days=8), None),
        (DEADLINE - datetime.timedelta(days=7), Milestone.DAYS_7),
        (DEADLINE - datetime.timedelta(days=5), Milestone.DAYS_7),  # a missed day is caught up
        (DEADLINE - datetime.timedelta(days=3), Milestone.DAYS_3),
        (DEADLINE - datetime.timedelta(days=1), Milestone.DAYS_1),
        (DEADLINE, Milestone.DAYS_1),
        (DEADLINE + datetime.timedelta(days=1), Milestone.OVERDUE),
        (DEADLINE + datetime.timedelta(days=10), None),
    ],
)
def test_milestones(campaign, today, milestone):
    assert due_milestone(campaign, today) == milestone


@pytest.fixture
def officers(campaign, officer_a, officer_b, unit_b):
    """Officer A's district has not submitted; officer B's department has."""
    fill_report(campaign, unit_b, officer_b)
    second = make_user("an", Role.OFFICER, officer_a.profile.unit)
    return officer_a, second


def test_reminders_go_once_per_milestone_to_non_submitters_only(campaign, officers, unit_a):
    today = DEADLINE - datetime.timedelta(days=3)
    sent = reminders_send_due(today=today)
    reminded = {reminder.unit.code for reminder in sent}
    assert "h-muong-ang" in reminded
    assert "so-vhttdl" not in reminded  # submitted
    message = next(m for m in mail.outbox if "Huyện Mường Ảng" in m.subject)
    assert sorted(message.to) == ["alice@example.vn", "an@example.vn"]
    assert "còn 3 ngày" in message.subject
    assert all("bob@example.vn" not in m.to for m in mail.outbox)

    count = len(mail.outbox)
    assert reminders_send_due(today=today) == []  # the job ran twice
    send_deadline_reminders.delay()  # and once more through beat's task (today: nothing due)
    assert len(mail.outbox) == count
    assert Reminder.objects.filter(unit=unit_a, milestone=Milestone.DAYS_3).count() == 1

    reminders_send_due(today=DEADLINE + datetime.timedelta(days=1))
    assert Reminder.objects.filter(unit=unit_a, milestone=Milestone.OVERDUE).count() == 1
    overdue = [m for m in mail.outbox[count:] if "Huyện Mường Ảng" in m.subject]
    assert len(overdue) == 1 and "đã quá hạn 1 ngày" in overdue[0].subject


def test_units_without_an_officer_email_are_skipped(campaign, officers):
    reminders_send_due(today=DEADLINE - datetime.timedelta(days=1))
    assert not Reminder.objects.filter(unit=Unit.objects.get(code="h-nam-po")).exists()


def test_a_reviewer_reminds_a_unit_by_hand_and_sees_it(campaign, officers, reviewer, client_for, unit_a):
    client = client_for(reviewer)
    url = reverse("reports:remind_unit", args=[campaign.code, unit_a.code])
    response = client.post(url, {"next": "/dashboard/"})
    assert response.url == "/dashboard/"
    client.post(url)
    assert Reminder.objects.filter(unit=unit_a, milestone=Milestone.MANUAL, sent_by=reviewer).count() == 2
    assert len(mail.outbox) == 2
    page = client.get(reverse("reports:summary_list", args=[campaign.code])).content.decode()
    assert "Huyện Mường Ảng" in page and "Nhắc thủ công" in page and "alice@example.vn" in page


def test_a_unit_that_submitted_is_not_reminded_by_hand(campaign, officers, reviewer, client_for, unit_b):
    client_for(reviewer).post(reverse("reports:remind_unit", args=[campaign.code, unit_b.code]))
    assert not Reminder.objects.exists()
    assert mail.outbox == []


@pytest.mark.parametrize("actor", ["anonymous", "officer_a", "officer_b", "leader"])
def test_only_reviewers_remind(actor, campaign, actors, client_for, unit_a):
    response = client_for(actors.get(actor)).post(reverse("reports:remind_unit", args=[campaign.code, unit_a.code]))
    assert response.status_code == (302 if actor == "anonymous" else 404)
    assert not Reminder.objects.exists()


def test_reminding_is_post_only(campaign, reviewer, client_for, unit_a):
    url = reverse("reports:remind_unit", args=[campaign.code, unit_a.code])
    assert client_for(reviewer).get(url).status_code == 405
    assert not Reminder.objects.exists()


def test_the_remind_button_renders(campaign, reviewer, unit_a, rf):
    from django.template.loader import render_to_string

    request = rf.get("/dashboard/")
    html = render_to_string(
        "reports/partials/remind_button.html", {"unit": unit_a, "campaign": campaign, "request": request}
    )
    assert reverse("reports:remind_unit", args=[campaign.code, unit_a.code]) in html
