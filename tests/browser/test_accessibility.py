"""Accessibility: axe-core finds no serious or critical violation on the pages people use
most; every field has a label; the report form works from the keyboard; statuses are words,
not only colours."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from campaigns.models import Unit
from reports.services import report_get_or_create

from .conftest import report_filled

pytestmark = pytest.mark.browser

BLOCKING = ("serious", "critical")


@pytest.fixture
def province(campaign, officer_a, officer_b):
    """Unit A has a draft; unit B has reported: the dashboards show both kinds of units."""
    report_filled(campaign=campaign, unit=Unit.objects.get(code="so-vhttdl"), officer=officer_b)
    return report_get_or_create(campaign=campaign, unit=Unit.objects.get(code="h-muong-ang"), by=officer_a)


def pages(campaign, report):
    target = campaign.targets.filter(parent=None).first().code
    submitted = campaign.reports.get(unit__code="so-vhttdl")
    return {
        "login": (None, "/login/"),
        "report form": ("officer_a", f"/reports/{report.pk}/edit/"),
        "report under review": ("reviewer", f"/reports/{submitted.pk}/"),
        "my unit": ("officer_a", "/my-unit/"),
        "review queue": ("reviewer", "/review/?status="),
        "reviewer dashboard": ("reviewer", f"/dashboard/{campaign.code}/"),
        "target drill-down": ("reviewer", f"/dashboard/{campaign.code}/targets/{target}/"),
        "summary list": ("reviewer", f"/summaries/{campaign.code}/"),
        "leader overview": ("leader", f"/overview/{campaign.code}/"),
    }


def blocking_violations(page):
    results = Axe().run(page)
    lines = []
    for violation in results.response["violations"]:
        if violation["impact"] in BLOCKING:
            targets = ", ".join(str(node["target"]) for node in violation["nodes"][:5])
            lines.append(f"{violation['impact']} {violation['id']}: {violation['help']} — {targets}")
    return lines


def unlabelled_fields(page):
    """Visible inputs, selects and textareas without an accessible name."""
    return page.evaluate(
        """() => [...document.querySelectorAll('input, select, textarea')]
            .filter(el => el.type !== 'hidden' && el.offsetParent !== null)
            .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
                          && !el.getAttribute('aria-labelledby') && !el.title)
            .map(el => el.name || el.id || el.outerHTML.slice(0, 80))"""
    )


def test_no_serious_or_critical_violations_and_every_field_labelled(page, sign_in, actors, campaign, province):
    problems = []
    for name, (actor, path) in pages(campaign, province).items():
        if actor is None:
            page.context.clear_cookies()
        else:
            sign_in(actors[actor])
        response = page.goto(path)
        assert response.status == 200, f"{name}: {path} answered {response.status}"
        problems += [f"{name}: {line}" for line in blocking_violations(page)]
        problems += [f"{name}: no label for field {field}" for field in unlabelled_fields(page)]

    # The form as it comes back with a mistake: the message is tied to its field.
    sign_in(actors["officer_a"])
    page.goto(f"/reports/{province.pk}/edit/")
    page.get_by_label("Tổng số hộ dân cư", exact=True).fill("4.5")
    page.get_by_role("button", name="Lưu nháp").click()
    field = page.get_by_label("Tổng số hộ dân cư", exact=True)
    assert field.get_attribute("aria-invalid") == "true"
    described = page.locator(f"#{field.get_attribute('aria-describedby')}")
    assert "dấu phẩy" in described.inner_text()
    problems += [f"report form with an error: {line}" for line in blocking_violations(page)]
    assert not problems, "\n".join(problems)


def test_the_report_form_works_from_the_keyboard(page, sign_in, officer_a, province):
    sign_in(officer_a)
    page.goto(f"/reports/{province.pk}/edit/")
    first_figure = page.get_by_label("Số hộ nghèo đầu kỳ", exact=True)
    reached = set()
    for _ in range(400):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "() => { const el = document.activeElement;"
            " return [el.id, el.tagName, (el.textContent || '').trim(), el.getAttribute('value')] }"
        )
        reached.add(focused[0] or f"{focused[1]}:{focused[2]}")
        if focused[1] == "BUTTON" and focused[2] == "Lưu nháp":
            break
    assert "id_v_poor_households_start" in reached, "Tab never reaches the first figure"
    assert "BUTTON:Lưu nháp" in reached, "Tab never reaches the save button"

    # Type a figure and save with the keyboard alone.
    first_figure.focus()
    page.keyboard.type("1.234")
    page.get_by_label("Tổng số hộ dân cư", exact=True).focus()
    page.keyboard.type("12.345")
    page.get_by_role("button", name="Lưu nháp").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_text("Đã lưu nháp").is_visible()
    assert page.get_by_label("Số hộ nghèo đầu kỳ", exact=True).input_value() == "1.234"
    assert province.values.get(measure__code="poor_households_start").value == 1234


def test_focus_is_visible_on_fields_and_buttons(page, sign_in, officer_a, province):
    sign_in(officer_a)
    page.goto(f"/reports/{province.pk}/edit/")
    for locator in (page.get_by_label("Số hộ nghèo đầu kỳ", exact=True), page.get_by_role("button", name="Lưu nháp")):
        locator.focus()
        style = locator.evaluate(
            "el => { const s = getComputedStyle(el); return [s.outlineStyle, s.outlineWidth, s.boxShadow] }"
        )
        outline_shown = style[0] != "none" and style[1] != "0px"
        assert outline_shown or style[2] != "none", f"no visible focus on {locator}"


def test_statuses_are_words_not_only_colours(page, sign_in, actors, campaign, province):
    problems = []
    for name, (actor, path) in pages(campaign, province).items():
        if actor is None:
            continue
        sign_in(actors[actor])
        page.goto(path)
        for badge in page.locator(".status-badge, [data-status]").all():
            text = badge.inner_text().strip()
            # The icon alone (✔, ✘, …) is not a word either.
            if len([character for character in text if character.isalpha()]) < 2:
                problems.append(f"{name}: status shown without words: {badge.evaluate('el => el.outerHTML')}")
    assert not problems, "\n".join(problems)
