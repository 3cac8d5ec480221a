"""The rules a unit's proposal row follows, wherever it is written: the report form, the
merge that saves it, the Excel list and the resubmission form all ask `row_problems`.

A row is a dict with kind, name, position, work_unit, achievement, and either `award_form`
(a form's code, when the campaign has an award catalogue) or `award` (free text, when it has
none). A row saved before the catalogue keeps its text with no form; it must name a form
only once the officer changes it (the merge checks only what is written)."""

from django.utils.translation import gettext as _

from reports.models import CommendationKind
from reports.services import commendation_problems

from .models import AwardForm


def campaign_forms(campaign):
    """code → AwardForm of the campaign's catalogue, in catalogue order; None when the
    campaign has no catalogue (its proposals name their award in free text)."""
    if campaign.award_catalogue_id is None:
        return None
    return {form.code: form for form in AwardForm.objects.filter(catalogue_id=campaign.award_catalogue_id)}


def kind_label(kind):
    return str(dict(CommendationKind.choices).get(kind, kind))


def recipients_text(form):
    """“tập thể, cá nhân” for a form's recipients."""
    return ", ".join(kind_label(kind).lower() for kind in form.recipients)


def forms_for_kind(forms, kind):
    return [form for form in (forms or {}).values() if form.is_for(kind)]


def award_problem(row, forms):
    """The message when the row's award does not fit the catalogue, else None."""
    kind, code = row.get("kind"), (row.get("award_form") or "").strip()
    if forms is None:
        if code:
            return _("Phong trào này chưa có danh mục khen thưởng; ghi hình thức khen thưởng bằng chữ.")
        if not (row.get("award") or "").strip():
            return _("Ghi hình thức khen thưởng đề nghị.")
        return None
    if not code:
        return _("Chọn hình thức khen thưởng trong danh mục của phong trào.")
    form = forms.get(code)
    if form is None:
        return _("Hình thức khen thưởng “%(award)s” không có trong danh mục của phong trào.") % {"award": code}
    if kind in CommendationKind.values and not form.is_for(kind):
        return _("“%(award)s” không dành cho %(kind)s (chỉ cho %(recipients)s).") % {
            "award": form.name,
            "kind": kind_label(kind).lower(),
            "recipients": recipients_text(form),
        }
    return None


def row_problems(row, *, forms, number=None):
    """field → message for everything wrong with a proposal row: its kind, the required
    texts (a person's position), the text rules and the award (see `award_problem`)."""
    problems = {}
    kind = row.get("kind")
    if kind not in CommendationKind.values:
        problems["kind"] = _("Đối tượng phải là một trong: %(kinds)s.") % {
            "kinds": ", ".join(str(label) for label in CommendationKind.labels)
        }
    if not (row.get("name") or "").strip():
        problems["name"] = _("Ghi tên tập thể, cá nhân hoặc hộ gia đình được đề nghị.")
    if kind == CommendationKind.INDIVIDUAL and not (row.get("position") or "").strip():
        problems["position"] = _("Ghi chức vụ của cá nhân được đề nghị.")
    if not (row.get("achievement") or "").strip():
        problems["achievement"] = _("Ghi thành tích.")
    for field, message in commendation_problems(row, number=number).items():
        problems.setdefault(field, message)
    message = award_problem(row, forms)
    if message:
        problems["award_form" if forms is not None else "award"] = message
    return problems


def with_award(row, forms):
    """The row with `award` set to its form's name (a row with a form), ready to write."""
    code = (row.get("award_form") or "").strip()
    if forms and code in forms:
        return {**row, "award_form": code, "award": forms[code].name}
    return {**row, "award_form": ""}
