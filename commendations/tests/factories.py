"""Award catalogues and forms made directly in the database, for tests that need a catalogue
without loading its file (commendations.catalogue). Link one to a campaign with
`link(campaign, catalogue)`."""

from commendations.models import AwardCatalogue, AwardCategory, AwardForm, AwardLevel

FLAG = "co-thi-dua-ubnd-tinh"
CERTIFICATE = "bang-khen-chu-tich-ubnd-tinh"


def award_catalogue(code="test-catalogue", *, title="Danh mục khen thưởng thử", province="Điện Biên", **extra):
    return AwardCatalogue.objects.create(code=code, title=title, province=province, **extra)


def award_form(catalogue, code, name, recipients, *, order=None, **extra):
    """An AwardForm of `catalogue`; `recipients`: CommendationKind values."""
    defaults = {
        "category": AwardCategory.AWARD,
        "level": AwardLevel.PROVINCE,
        "issuer": "Chủ tịch Ủy ban nhân dân tỉnh",
        "legal_basis": [],
        "criteria": [],
        "dossier": [],
        "order": catalogue.forms.count() + 1 if order is None else order,
    }
    return AwardForm.objects.create(
        catalogue=catalogue, code=code, name=name, recipients=list(recipients), **{**defaults, **extra}
    )


def provincial_catalogue(code="test-provincial"):
    """A catalogue with the two provincial forms every commendation test relies on: the
    emulation flag (collectives, one per cluster or block, council vote) and the Chairman's
    certificate of merit (collectives, individuals, households; prints a certificate)."""
    catalogue = award_catalogue(code, title="Danh mục hình thức khen thưởng tỉnh Điện Biên")
    award_form(
        catalogue,
        FLAG,
        "Cờ thi đua của Ủy ban nhân dân tỉnh",
        ["collective"],
        category=AwardCategory.TITLE,
        quota={"per": "group", "group_kinds": ["cluster", "block"], "max": 1, "basis": "Mỗi cụm, khối 01 cờ"},
        council_threshold=70,
        from_results=True,
        dossier=[{"code": "to-trinh", "name": "Tờ trình đề nghị", "required": True}],
    )
    award_form(
        catalogue,
        CERTIFICATE,
        "Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh",
        ["collective", "individual", "household"],
        certificate=True,
        certificate_title="BẰNG KHEN",
        dossier=[{"code": "bao-cao-thanh-tich", "name": "Báo cáo thành tích", "required": True}],
    )
    return catalogue


def link(campaign, catalogue):
    campaign.award_catalogue = catalogue
    campaign.save(update_fields=["award_catalogue"])
    return campaign
