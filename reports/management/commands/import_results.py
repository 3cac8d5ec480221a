from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from campaigns.management.campaign_argument import add_campaign_argument, campaign_from_code
from reports.imports import STATUSES, ImportRefused, read_long_form, results_import


class Command(BaseCommand):
    help = (
        "Nhập số liệu của các đơn vị từ tệp CSV (UTF-8) hoặc XLSX dạng dài, tiêu đề unit,measure,value[,note]. "
        "Kiểm tra toàn bộ tệp trước; có dòng lỗi thì không nhập gì."
    )

    def add_arguments(self, parser):
        add_campaign_argument(parser)
        parser.add_argument("path", help="tệp .csv hoặc .xlsx")
        parser.add_argument(
            "--status",
            choices=[str(status) for status in STATUSES],
            default="draft",
            help="trạng thái báo cáo sau khi nhập (mặc định: draft)",
        )

    def handle(self, *args, campaign, path, status, **options):
        campaign_obj = campaign_from_code(campaign)
        if not Path(path).is_file():
            raise CommandError(f"Không tìm thấy tệp {path}.")
        try:
            rows = read_long_form(path, name=path)
            result = results_import(campaign=campaign_obj, rows=rows, status=status)
        except ImportRefused as exc:
            for problem in exc.problems:
                self.stderr.write(str(problem))
            bad_rows = sum(1 for problem in exc.problems if problem.row)
            raise CommandError(f"{path}: {bad_rows or len(exc.problems)} lỗi; không nhập số liệu nào.") from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã nhập {result['values']} giá trị của {result['units']} đơn vị vào phong trào "
                f"{campaign_obj.code} (trạng thái: {status})."
            )
        )
