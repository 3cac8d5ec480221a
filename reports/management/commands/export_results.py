from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from campaigns.management.campaign_argument import add_campaign_argument, campaign_from_code
from reports.excel import export_workbook


class Command(BaseCommand):
    help = (
        "Xuất số liệu của các đơn vị ra tệp XLSX: một trang dạng dài (mỗi dòng một giá trị) "
        "và mỗi phần của văn bản một trang dạng bảng (đơn vị × chỉ số)."
    )

    def add_arguments(self, parser):
        add_campaign_argument(parser)
        parser.add_argument("--output", required=True, help="tệp .xlsx sẽ ghi ra")

    def handle(self, *args, campaign, output, **options):
        campaign_obj = campaign_from_code(campaign)
        path = Path(output)
        if path.suffix.lower() != ".xlsx":
            raise CommandError(f"Tệp xuất phải có đuôi .xlsx ({output}).")
        if not path.parent.is_dir():
            raise CommandError(f"Không có thư mục {path.parent}.")
        workbook = export_workbook(campaign_obj)
        try:
            workbook.save(path)
        except OSError as exc:
            raise CommandError(f"Không ghi được {output}: {exc.strerror}") from None
        self.stdout.write(self.style.SUCCESS(f"Đã xuất số liệu phong trào {campaign_obj.code} ra {output}."))
