"""What the report form costs: the campaign's structure is read once per process and again
only after the campaign changes, and a page or a save makes the same small number of queries
whatever the number of measures (session, user and the session's renewal included)."""

import pytest
from django.urls import reverse

from campaigns import structure
from campaigns.loader import campaign_load
from campaigns.services import campaign_set_participants
from campaigns.tests.synthetic import campaign_spec, with_extra_measures, write_campaign_file
from reports.models import MeasureValue, Narrative
from reports.services import report_get_or_create
from reports.tests.report_web import form_post, typed_values

# The form page's and a save's queries, whatever the number of measures: one of each reads
# the campaign's award forms for the proposal rows.
GET_QUERIES = 13
SAVE_QUERIES = 16


@pytest.fixture
def report(campaign, unit_a, officer_a):
    return report_get_or_create(campaign=campaign, unit=unit_a, by=officer_a)


@pytest.fixture
def builds(monkeypatch):
    """How many times a campaign's structure was read from the database."""
    calls = []
    build = structure.structure_build

    def counted(campaign):
        calls.append(campaign.pk)
        return build(campaign)

    monkeypatch.setattr(structure, "structure_build", counted)
    return calls


def url(report):
    return reverse("reports:report_edit", args=[report.pk])


def test_a_loaded_campaign_file_shows_on_the_next_request(report, officer_a, client_for, builds, tmp_path):
    client = client_for(officer_a)
    assert "Tổng số hộ dân cư" in client.get(url(report)).content.decode()
    client.get(url(report))
    assert len(builds) == 1  # the second page used the cached structure

    spec = campaign_spec()
    households = next(m for m in spec["measures"] if m["code"] == "households_total")
    households["name"] = "Tổng số hộ dân cư trên địa bàn"
    poverty = next(t for t in spec["targets"] if t["code"] == "poverty_reduction")
    poverty["goals"]["groups"]["huyen-ngheo"] = 6.5  # Mường Ảng is one of the poor districts
    campaign_load(path=write_campaign_file(spec, tmp_path / "1908-changed.yaml"))

    page = client.get(url(report)).content.decode()
    assert "Tổng số hộ dân cư trên địa bàn" in page
    assert "6,5" in page.split('id="unit-results"')[1].split("</table>")[0]
    assert len(builds) == 2
    client.get(url(report))
    assert len(builds) == 2


def test_the_second_page_makes_fewer_queries(report, officer_a, client_for, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(officer_a)
    with CaptureQueriesContext(connection) as first:
        client.get(url(report))
    with CaptureQueriesContext(connection) as second:
        client.get(url(report))
    assert len(second) < len(first)


def test_changing_the_participants_renews_the_structure(campaign, unit_a, builds):
    before = structure.campaign_structure(campaign)
    campaign_set_participants(campaign=campaign, units=[unit_a])
    after = structure.campaign_structure(campaign)
    assert after is not before and len(builds) == 2
    assert [group.member_ids for group in after.groups if unit_a.pk in group.member_ids]


def test_the_form_and_its_save_make_few_queries(report, officer_a, client_for, django_assert_max_num_queries):
    client = client_for(officer_a)
    client.get(url(report))  # the structure, read once per process
    with django_assert_max_num_queries(GET_QUERIES):
        assert client.get(url(report)).status_code == 200
    data = form_post(
        report, typed_values(report), narratives={"I": "Đã triển khai."}, signer=("Lò Văn Minh", "", False)
    )
    with django_assert_max_num_queries(SAVE_QUERIES):
        assert client.post(url(report), data).status_code == 302
    assert MeasureValue.objects.filter(report=report).count() == len(typed_values(report))
    changed = {**typed_values(report), "records_total": "1.100", "records_online": "900"}
    data = form_post(report, changed, narratives={"I": "Đã triển khai xong."}, signer=("Lò Văn Minh", "", True))
    with django_assert_max_num_queries(SAVE_QUERIES):
        assert client.post(url(report), data).status_code == 302
    report.refresh_from_db()
    assert report.version == 3 and report.signer_is_deputy
    assert report.values.get(measure__code="records_total").value == 1100
    assert Narrative.objects.get(report=report, section__code="I").text == "Đã triển khai xong."
    with django_assert_max_num_queries(GET_QUERIES):
        page = client.get(url(report)).content.decode()
    assert 'value="1.100"' in page


@pytest.mark.parametrize("extra", [150])
def test_the_counts_do_not_grow_with_the_measures(
    extra, report, officer_a, client_for, django_assert_max_num_queries, tmp_path
):
    campaign_load(path=with_extra_measures(tmp_path / "many.yaml", extra))
    client = client_for(officer_a)
    client.get(url(report))
    with django_assert_max_num_queries(GET_QUERIES):
        page = client.get(url(report)).content.decode()
    assert "Chỉ số bổ sung 150" in page
    values = {**typed_values(report), **{f"extra_{n:03d}": str(n) for n in range(1, extra + 1)}}
    data = form_post(report, values)
    with django_assert_max_num_queries(SAVE_QUERIES):
        assert client.post(url(report), data).status_code == 302
    assert MeasureValue.objects.filter(report=report, measure__code__startswith="extra_").count() == extra
    values.update({f"extra_{n:03d}": str(n + 1) for n in range(1, extra + 1)})
    data = form_post(report, values)
    with django_assert_max_num_queries(SAVE_QUERIES):
        assert client.post(url(report), data).status_code == 302
    stored = MeasureValue.objects.filter(report=report, measure__code__startswith="extra_")
    assert sorted(stored.values_list("value", flat=True)) == list(range(2, extra + 2))
