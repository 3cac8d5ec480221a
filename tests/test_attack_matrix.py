"""Every named URL of the portal against every kind of visitor: anonymous, an account with no
role, the officer of unit A, the officer of unit B, a reviewer, a leader, and signed-in people
posting without a CSRF token.

The URLs come from the resolver (tests/urls_catalogue.py), so a route added later is swept
too, and it must be given a place in the access table below or this test fails. Every
argument points at a real row: unit A's report, evidence, print and the summary all share the
primary key PK. Each request runs in a savepoint rolled back afterwards, so every request sees
the same world and any change it made is caught by comparing snapshots.

What is proven for each request:
- nobody gets a 500;
- anonymous visitors are sent to the login page from everything that is not public;
- people outside a page's audience get 404 (or 405 for a method the route never takes);
- people inside it are not turned away with 404;
- officer B never sees unit A's figures or words, officer A never sees unit B's, and for unit
  A's report ids officer B does not even learn unit A's name;
- nothing changes (row counts of every reports/campaigns model, report versions and statuses,
  values, narratives) for GETs and for every request that should be refused;
- a POST without a CSRF token is refused with 403, whoever sends it.
"""

from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from commendations.models import CommendationPrint, CouncilMember, CouncilSession, DossierFile
from reports.models import (
    Commendation,
    Evidence,
    JobStatus,
    MeasureValue,
    Narrative,
    Reminder,
    ReportPrint,
    ReportStatus,
    Summary,
    UnitReport,
)
from reports.services import report_get_or_create, report_measures, report_save_values
from tests.urls_catalogue import PUBLIC, portal_urls

PK = 4242
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

# What identifies each unit's data. Unit A's figure is shown as 7.654.321, unit B's as 8.765.432.
# The marks hold a hyphen and a diacritic, so no random CSRF or session token can contain them.
SECRETS = {
    "a": {"mark": "zqx-bímật", "figure": Decimal(7654321), "shown": ("7.654.321", "7654321")},
    "b": {"mark": "qzb-bímật", "figure": Decimal(8765432), "shown": ("8.765.432", "8765432")},
}
UNIT_A_NAME = "Mường Ảng"

# --- the access table: which URL names each audience may use ------------------------------
SIGNED_IN = {"home", "logout", "campaigns:list", "campaigns:detail"}
# Everyone's own account: the page, the password, two-factor sign-in (tests/test_attack_accounts.py).
SIGNED_IN |= {
    "accounts:account",
    "accounts:password_change",
    "accounts:password_change_done",
    "accounts:two_factor_verify",
    "accounts:two_factor_setup",
    "accounts:recovery_codes",
    "accounts:two_factor_off",
}
OFFICER_HOME = {"reports:my_unit", "reports:report_start"}
# A unit's report, read by its own officer and by the province (reviewers, leaders).
UNIT_READ = {
    "reports:report_detail",
    "reports:evidence_download",
    "reports:report_xlsx",
    "reports:report_print",
    "reports:print_detail",
    "reports:print_status",
    "reports:print_download",
    "reports:print_download_docx",
}
# A unit's report, changed only by its own officer.
UNIT_WRITE = {
    "reports:report_edit",
    "reports:report_submit",
    "reports:evidence_upload",
    "reports:evidence_delete",
    "reports:report_xlsx_upload",
    "reports:report_recall",
    "reports:report_xlsx_preview",
    "reports:report_xlsx_confirm",
    "reports:report_xlsx_discard",
}
# Reviewers only (Sở Nội vụ): the queue and the decisions on reports.
REVIEW = {
    "reports:review_queue",
    "reports:report_accept",
    "reports:report_return",
    "reports:report_reopen",
    "reports:summary_compile",
    "reports:summary_draft",
    "reports:summary_retry",
    "reports:remind_unit",
}
# Commendations (commendations/urls_*.py): a proposal, its dossier and the unit's Excel list
# follow the report; the review, the council and the printed documents are the Sở Nội vụ's.
UNIT_READ |= {
    "commendations:proposal_detail",
    "commendations:proposal_file_download",
    "commendations:proposals_template",
}
UNIT_WRITE |= {
    "commendations:proposal_file_upload",
    "commendations:proposal_file_delete",
    "commendations:proposal_resubmit",
    "commendations:proposals_upload",
}
REVIEW |= {
    "commendations:proposal_review",
    "commendations:council_create",
    "commendations:council_vote",
    "commendations:document_print",
}
# Pages the province reads whose POST is the reviewers' (leaders read the decision's list).
REVIEW_WRITES = {"commendations:decision"}
# Everything else is a province page: reviewers and leaders read it, officers get 404.

# POSTs that may legitimately change data, per actor (a print job is a new row, not a change
# to the report).
MAY_CHANGE = {
    "officer_a": UNIT_WRITE | {"reports:report_start", "reports:report_print"},
    "officer_b": {"reports:report_start"},  # creates unit B's own report
    "reviewer": REVIEW | REVIEW_WRITES | {"reports:report_print"},
    "leader": {"reports:report_print"},
}


def audience(name, method="GET"):
    """The actors a URL is for (anonymous visitors aside)."""
    if name in REVIEW_WRITES and method == "POST":
        return {"reviewer", "admin"}
    everyone = {"stranger", "officer_a", "officer_b", "reviewer", "leader", "admin"}
    if name in PUBLIC or name in SIGNED_IN:
        return everyone
    if name in OFFICER_HOME:
        return {"officer_a", "officer_b"}
    if name in UNIT_READ:
        return {"officer_a", "reviewer", "leader", "admin"}
    if name in UNIT_WRITE:
        return {"officer_a"}
    if name in REVIEW:
        return {"reviewer", "admin"}
    return {"reviewer", "leader", "admin"}


class Values(dict):
    """URL arguments: anything named like a primary key gets PK."""

    def get(self, key, default=None):
        if key in self:
            return self[key]
        if key == "pk" or key.endswith(("_pk", "_id", "id")):
            return PK
        return default


@pytest.fixture(autouse=True)
def _quick_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# --- the world ----------------------------------------------------------------------------
def _fill(report, by, side):
    """Values, a note, a narrative and a commendation that carry the side's secrets."""
    secret = SECRETS[side]
    codes = {measure.code for measure in report_measures(report)}
    values = {code: Decimal(10) for code in codes}
    whole = "households_total" if "households_total" in codes else "records_total"
    values[whole] = secret["figure"]
    report_save_values(
        report=report,
        by=by,
        values=values,
        notes={whole: f"ghi chú {secret['mark']}"},
        narratives={"I": f"Kết quả riêng của đơn vị {secret['mark']}"},
        commendations=[
            {
                "kind": "individual",
                "name": f"Nguyễn Văn {secret['mark']}",
                "achievement": f"Thành tích {secret['mark']}",
                "award": "Bằng khen của Chủ tịch UBND tỉnh",
            }
        ],
    )


@pytest.fixture
def report_status():
    """Returned: the unit may edit, the reviewer may not act. Tests parametrize it."""
    return ReportStatus.RETURNED


@pytest.fixture
def world(report_status, campaign, unit_a, unit_b, officer_a, officer_b, reviewer, leader):
    """Unit A's report (pk PK) in `report_status`, with evidence, a print, a reminder, and a
    province summary also numbered PK; unit B's report with its own secrets."""
    report_a = UnitReport.objects.create(pk=PK, campaign=campaign, unit=unit_a, updated_by=officer_a)
    _fill(report_a, officer_a, "a")
    report_b = report_get_or_create(campaign=campaign, unit=unit_b, by=officer_b)
    _fill(report_b, officer_b, "b")
    evidence = Evidence(
        pk=PK,
        report=report_a,
        original_name=f"bien-ban-{SECRETS['a']['mark']}.pdf",
        content_type="application/pdf",
        size=len(PDF_BYTES),
        uploaded_by=officer_a,
    )
    evidence.file.save(f"bien-ban-{SECRETS['a']['mark']}.pdf", ContentFile(PDF_BYTES), save=False)
    evidence.save()
    printed = ReportPrint(pk=PK, report=report_a, report_version=report_a.version, status=JobStatus.DONE, progress=100)
    printed.pdf.save("bao-cao-don-vi.pdf", ContentFile(PDF_BYTES), save=False)
    printed.docx.save("bao-cao-don-vi.docx", ContentFile(b"PK\x03\x04"), save=False)
    printed.save()
    summary = Summary(pk=PK, campaign=campaign, number=1, status=JobStatus.DONE, progress=100, requested_by=reviewer)
    summary.pdf.save("tong-hop.pdf", ContentFile(PDF_BYTES), save=False)
    summary.save()
    Reminder.objects.create(pk=PK, campaign=campaign, unit=unit_a, milestone="manual", sent_by=reviewer)
    _commendation_rows(report_a, officer_a, reviewer)
    status = report_status
    for report, side in ((report_a, "a"), (report_b, "b")):
        comment = f"Cần bổ sung {SECRETS[side]['mark']}" if status == ReportStatus.RETURNED else ""
        UnitReport.objects.filter(pk=report.pk).update(status=status, reviewer_comment=comment)
    admin = User.objects.create_superuser("root", "root@example.vn", "x-Very-long-pass-1")
    stranger = User.objects.create_user("nobody")  # signed in, but no role in the portal
    report_a.refresh_from_db()
    return {
        "report_a": report_a,
        "actors": {
            "anonymous": None,
            "stranger": stranger,
            "officer_a": officer_a,
            "officer_b": officer_b,
            "reviewer": reviewer,
            "leader": leader,
            "admin": admin,
        },
        "urls": list(
            portal_urls(
                Values(
                    code=campaign.code,
                    campaign_code=campaign.code,
                    unit_code=unit_a.code,
                    unit=unit_a.code,
                    target=campaign.targets.filter(parent=None).first().code,
                    kind="to-trinh",
                )
            )
        ),
    }


def _commendation_rows(report_a, officer_a, reviewer):
    """Unit A's proposal, a file of its dossier, a council session and a printed Tờ trình,
    each numbered PK."""
    Commendation.objects.filter(pk=report_a.commendations.get().pk).update(id=PK)
    dossier = DossierFile(
        pk=PK,
        proposal_id=PK,
        kind="bao-cao-thanh-tich",
        original_name=f"thanh-tich-{SECRETS['a']['mark']}.pdf",
        content_type="application/pdf",
        size=len(PDF_BYTES),
        uploaded_by=officer_a,
    )
    dossier.file.save("thanh-tich.pdf", ContentFile(PDF_BYTES), save=False)
    dossier.save()
    session = CouncilSession.objects.create(
        pk=PK, campaign=report_a.campaign, held_on="2024-12-10", title="Phiên họp Hội đồng", created_by=reviewer
    )
    for order, name in enumerate(("Ông A", "Bà B", "Ông C")):
        CouncilMember.objects.create(session=session, name=name, position="Ủy viên", order=order)
    printed = CommendationPrint(
        pk=PK, campaign=report_a.campaign, kind="to-trinh", status=JobStatus.DONE, progress=100, requested_by=reviewer
    )
    printed.pdf.save("to-trinh.pdf", ContentFile(PDF_BYTES), save=False)
    printed.docx.save("to-trinh.docx", ContentFile(b"PK\x03\x04"), save=False)
    printed.save()


def post_data(report):
    """A plausible POST for any of the portal's forms: if a refused request got through, it
    would change something."""
    data = {
        "version": str(report.version),
        "expected_version": str(report.version),
        "action": "save",
        "comment": "Đề nghị bổ sung số liệu",
        "reason": "Đề nghị bổ sung số liệu",
        "description": "minh chứng",
        "next": "/",
        "language": "vi",
        "narrative_I": "Đã sửa nội dung",
        "commendations-TOTAL_FORMS": "0",
        "commendations-INITIAL_FORMS": "0",
        "commendations-MIN_NUM_FORMS": "0",
        "commendations-MAX_NUM_FORMS": "1000",
        "file": SimpleUploadedFile("minh-chung.pdf", PDF_BYTES, content_type="application/pdf"),
    }
    for measure in report_measures(report):
        data[f"v_{measure.code}"] = "1"
    return data


def snapshot():
    """Everything a refused request must leave as it was."""
    state = {}
    for label in ("reports", "campaigns", "commendations"):
        for model in apps.get_app_config(label).get_models():
            state[model._meta.label] = model.objects.count()
    state["users"] = User.objects.count()
    state["passwords"] = sorted(User.objects.values_list("pk", "password"))
    state["two_factor"] = sorted(TOTPDevice.objects.values_list("pk", "key")) + sorted(
        StaticToken.objects.values_list("pk", "token")
    )
    state["reports"] = sorted(
        UnitReport.objects.values_list("pk", "status", "version", "reviewer_comment", "submitted_at", "reviewed_at")
    )
    state["values"] = sorted(MeasureValue.objects.values_list("report_id", "measure_id", "value", "note", "no_data"))
    state["narratives"] = sorted(Narrative.objects.values_list("report_id", "section_id", "text"))
    state["commendations"] = sorted(
        Commendation.objects.values_list("report_id", "name", "review_status", "council_result", "achievement")
    )
    state["evidence"] = sorted(Evidence.objects.values_list("pk", "file"))
    state["jobs"] = sorted(ReportPrint.objects.values_list("pk", "status")) + sorted(
        Summary.objects.values_list("pk", "status")
    )
    return state


def body_of(response):
    if getattr(response, "streaming", False):
        content = b"".join(response.streaming_content)
    else:
        content = response.content
    return content.decode("utf-8", errors="ignore")


def secrets_in(text, side):
    secret = SECRETS[side]
    lowered = text.lower()
    return [word for word in (secret["mark"], *secret["shown"]) if word in lowered]


def send(user, method, path, report, csrf_checks=False):
    client = Client(enforce_csrf_checks=csrf_checks)
    if user is not None:
        client.force_login(user)
    if method == "GET":
        return client.get(path)
    return client.post(path, post_data(report))


def sweep(world, actor, methods=("GET", "POST"), csrf_checks=False):
    """Send every URL with every method as `actor`, each in a rolled-back savepoint; return
    the problems found as readable lines."""
    user = world["actors"][actor]
    report = world["report_a"]
    before = snapshot()
    problems = []
    for name, path in world["urls"]:
        for method in methods:
            where = f"{actor:9} {method:4} {name} ({path})"
            with transaction.atomic():
                try:
                    response = send(user, method, path, report, csrf_checks=csrf_checks)
                except Exception as error:  # the test client re-raises what would be a 500
                    problems.append(f"{where}: 500 {type(error).__name__}: {error}")
                    transaction.set_rollback(True)
                    continue
                changed = snapshot() != before
                transaction.set_rollback(True)
            problems.extend(
                f"{where}: {problem}" for problem in judge(actor, name, method, response, changed, csrf_checks)
            )
            response.close()
    return problems


def judge(actor, name, method, response, changed, csrf_checks):
    status = response.status_code
    text = body_of(response)
    if status >= 500:
        yield f"server error {status}"
    if csrf_checks and method == "POST":
        if status != 403:
            yield f"POST without a CSRF token answered {status}, expected 403"
        if changed:
            yield "POST without a CSRF token changed data"
        return
    may_change = method == "POST" and name in MAY_CHANGE.get(actor, set()) | {"login", "logout", "set_language"}
    if actor == "admin" and method == "POST":
        may_change = True  # administrators act as reviewers
    if changed and not may_change:
        yield "changed data"
    if actor == "anonymous":
        if name not in PUBLIC:
            location = response.get("Location", "")
            if status != 302 or not location.startswith("/login/"):
                yield f"anonymous visitor got {status} {location}, expected a redirect to the login page"
        for side in ("a", "b"):
            if secrets_in(text, side):
                yield f"anonymous visitor sees unit {side.upper()}'s data: {secrets_in(text, side)}"
        return
    inside = actor in audience(name, method)
    if inside and status == 404:
        yield "turned away with 404 although the page is for them (or its URL arguments point at nothing)"
    if not inside and status not in (404, 405):
        yield f"answered {status}, expected 404 for someone outside the page's audience"
    if actor in ("officer_b", "stranger") and secrets_in(text, "a"):
        yield f"sees unit A's data: {secrets_in(text, 'a')}"
    if actor in ("officer_a", "stranger") and secrets_in(text, "b"):
        yield f"sees unit B's data: {secrets_in(text, 'b')}"
    if actor == "officer_b" and status == 404 and UNIT_A_NAME in text:
        yield "the 404 page names unit A"


def test_the_world_is_real(world):
    """The matrix means something only if the rows it points at carry the secrets it hunts."""
    report = world["report_a"]
    assert report.pk == PK and report.values.filter(value=SECRETS["a"]["figure"]).exists()
    with Evidence.objects.get(pk=PK).file.open("rb") as handle:
        assert handle.read() == PDF_BYTES
    assert Summary.objects.get(pk=PK).pdf and ReportPrint.objects.get(pk=PK).pdf and ReportPrint.objects.get(pk=PK).docx
    names = {name for name, _path in world["urls"]}
    assert {"reports:report_detail", "reports:report_edit", "campaigns:detail"} <= names
    reviewer = Client()
    reviewer.force_login(world["actors"]["reviewer"])
    page = reviewer.get(f"/reports/{PK}/")
    assert page.status_code == 200 and secrets_in(body_of(page), "a")


@pytest.mark.parametrize("report_status", [ReportStatus.RETURNED, ReportStatus.SUBMITTED])
@pytest.mark.parametrize("actor", ["anonymous", "stranger", "officer_a", "officer_b", "reviewer", "leader", "admin"])
def test_access_matrix(world, actor, report_status):
    problems = sweep(world, actor)
    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems)


@pytest.mark.parametrize("actor", ["officer_a", "officer_b", "reviewer", "leader", "anonymous"])
def test_post_without_csrf_token_is_refused_everywhere(world, actor):
    problems = sweep(world, actor, methods=("POST",), csrf_checks=True)
    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems)
