"""Helpers for the report page tests: build what the browser would POST."""

from campaigns.models import ValueType
from campaigns.numbers import parse_vn_number
from reports.forms import no_data_field, note_field, value_field
from reports.merge import base_token, report_state
from reports.services import report_measures, report_save_values

COMMENDATIONS = "commendations"


def typed_values(report):
    """A valid value for every measure of the report, typed the Vietnamese way."""
    values = {}
    for measure in report_measures(report):
        if measure.value_type == ValueType.PERCENT:
            values[measure.code] = "85,3"
        elif measure.value_type == ValueType.BOOLEAN:
            values[measure.code] = "1"
        else:
            values[measure.code] = "100"
    values.update(
        poor_households_start="3.000",
        poor_households_end="2.500",
        households_total="12.000",
        ethnic_households_total="10.000",
        ethnic_poor_households_start="2.900",
        ethnic_poor_households_end="2.400",
        records_total="1.000",
        records_online="850",
    )
    return {code: value for code, value in values.items() if code in {m.code for m in report_measures(report)}}


def form_post(
    report, values=None, *, action="save", version=None, no_data=(), notes=None, narratives=None, rows=(), signer=None
):
    """The POST of the report form opened now: every measure field (blank unless given),
    with the signed base the page carries (the report as stored now). `rows`: commendation
    rows, with "id" for a stored one. `version` (a stale one) leaves the base out. `signer`
    (name, title, deputy): the "Người ký" fields, left out of the POST when None."""
    values = values or {}
    notes = notes or {}
    data = {"version": str(report.version if version is None else version), "action": action}
    if version is None:
        report.refresh_from_db()
        data["version"] = str(report.version)
        data["base"] = base_token(report.pk, report.version, report_state(report))
    for measure in report_measures(report):
        data[value_field(measure.code)] = values.get(measure.code, "")
        data[note_field(measure.code)] = notes.get(measure.code, "")
        if measure.code in no_data:
            data[no_data_field(measure.code)] = "on"
    for section in report.campaign.sections.all():
        data[f"narrative_{section.code}"] = (narratives or {}).get(section.code, "")
    data.update(
        {
            f"{COMMENDATIONS}-TOTAL_FORMS": str(len(rows)),
            f"{COMMENDATIONS}-INITIAL_FORMS": str(sum(1 for row in rows if row.get("id"))),
            f"{COMMENDATIONS}-MIN_NUM_FORMS": "0",
            f"{COMMENDATIONS}-MAX_NUM_FORMS": "1000",
        }
    )
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"{COMMENDATIONS}-{index}-{key}"] = value
    if signer is not None:
        name, title, deputy = signer
        data.update({"signer_name": name, "signer_title": title})
        if deputy:
            data["signer_is_deputy"] = "on"
    return data


def fill(report, by):
    """Save a complete set of valid values (ready to submit)."""
    values = {code: parse_vn_number(text) for code, text in typed_values(report).items()}
    return report_save_values(report=report, by=by, values=values)
