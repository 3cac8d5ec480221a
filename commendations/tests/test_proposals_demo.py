"""The demo's proposals: present once the campaign has a catalogue, none before."""

from commendations.demo import demo_proposals, tiny_pdf
from commendations.models import DossierFile
from commendations.tests.factories import link
from commendations.tests.proposal_data import with_catalogue
from reports.dashboards import cluster_ranking
from reports.models import COUNTED_STATUSES, Commendation
from reports.uploads import sniff_content_type


def test_no_catalogue_no_demo_proposals(demo):
    link(demo, None)
    assert demo_proposals(campaign=demo) == ""
    assert not Commendation.objects.exists()


def test_demo_proposals_cover_every_kind_and_both_sides_of_the_ranking(demo):
    with_catalogue(demo)
    assert demo_proposals(campaign=demo).startswith("Đã tạo")
    proposals = list(Commendation.objects.select_related("award_form", "report__unit"))
    assert all(p.report.status in COUNTED_STATUSES and p.award_form is not None for p in proposals)
    assert {p.kind for p in proposals} == {"collective", "individual", "household"}
    assert all(p.position for p in proposals if p.kind == "individual")
    flags = [p for p in proposals if p.award_form.code == "co-thi-dua-ubnd-tinh"]
    assert len(flags) == 2 and all(p.kind == "collective" for p in flags)
    ranks = {}
    for _group, ranked in cluster_ranking(campaign=demo)["groups"]:
        for row in ranked:
            ranks.setdefault(row.unit.pk, row.rank)
    assert sorted(ranks[p.report.unit_id] for p in flags)[0] == 1  # the top of a cluster
    assert sorted(ranks[p.report.unit_id] for p in flags)[1] > 1  # and one that is not
    files = list(DossierFile.objects.all())
    assert files and all(sniff_content_type(f.file.open("rb")) == "application/pdf" for f in files)
    for f in files:
        f.file.close()
    # Idempotent: a second run adds nothing.
    count = len(proposals)
    demo_proposals(campaign=demo)
    assert Commendation.objects.count() == count


def test_the_tiny_pdf_is_a_pdf():
    data = tiny_pdf("To trinh")
    assert data.startswith(b"%PDF-1.4") and data.rstrip().endswith(b"%%EOF") and b"(To trinh) Tj" in data
