import json

from django.core.management.base import BaseCommand, CommandError

from campaigns.loader import CampaignFileError, campaign_load, check_campaign, read_campaign_file
from campaigns.schema import campaign_json_schema, schema_reference


class Command(BaseCommand):
    help = (
        "Nạp hoặc cập nhật một tệp phong trào (YAML); --check chỉ kiểm tra; "
        "--schema, --schema-reference in lược đồ của tệp."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help="tệp phong trào (YAML)")
        parser.add_argument("--check", action="store_true", help="chỉ kiểm tra, không nạp")
        parser.add_argument("--schema", action="store_true", help="in lược đồ JSON Schema của tệp phong trào")
        parser.add_argument(
            "--schema-reference",
            action="store_true",
            dest="reference",
            help="in bảng các khóa của tệp phong trào (Markdown)",
        )

    def handle(self, *args, path, check, schema, reference, **options):
        if schema:
            self.stdout.write(json.dumps(campaign_json_schema(), ensure_ascii=False, indent=2))
            return
        if reference:
            self.stdout.write(schema_reference(), ending="")
            return
        if not path:
            raise CommandError("Cần đường dẫn tệp phong trào (hoặc --schema, --schema-reference).")
        try:
            spec = read_campaign_file(path)
        except CampaignFileError as exc:
            raise CommandError(self._lines("Tệp phong trào không đọc được", exc.problems)) from None
        findings = check_campaign(spec)
        for error in findings.errors:
            self.stdout.write(f"LỖI: {error}")
        for warning in findings.warnings:
            self.stdout.write(f"CẢNH BÁO: {warning}")
        if check:
            if not findings.loadable:
                raise CommandError(f"{spec['name']}: {len(findings.errors)} lỗi; tệp không nạp được.")
            self.stdout.write(f"{spec['name']}: nạp được; {len(findings.warnings)} điểm không nhất quán cần xem lại.")
            return
        try:
            result = campaign_load(spec=spec, path=path)
        except CampaignFileError as exc:
            raise CommandError(self._lines("Không nạp tệp phong trào", exc.problems)) from None
        verb = "Đã nạp" if result.created else "Đã cập nhật"
        for change in result.changes:
            self.stdout.write(f"  {change}")
        self.stdout.write(
            self.style.SUCCESS(f"{verb} phong trào {result.campaign.code}: {len(result.changes)} thay đổi.")
        )

    @staticmethod
    def _lines(title, problems):
        return title + ":\n" + "\n".join(f"  - {problem}" for problem in problems)
