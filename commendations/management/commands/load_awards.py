import json

from django.core.management.base import BaseCommand, CommandError

from campaigns.schema import CampaignFileError
from commendations.catalogue import (
    catalogue_json_schema,
    catalogue_load,
    catalogue_schema_reference,
    read_catalogue_file,
)


class Command(BaseCommand):
    help = (
        "Nạp hoặc cập nhật một tệp danh mục khen thưởng (YAML); --check chỉ kiểm tra; "
        "--schema, --schema-reference in lược đồ của tệp."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help="tệp danh mục khen thưởng (YAML)")
        parser.add_argument("--check", action="store_true", help="chỉ kiểm tra, không nạp")
        parser.add_argument("--schema", action="store_true", help="in lược đồ JSON Schema của tệp danh mục")
        parser.add_argument(
            "--schema-reference",
            action="store_true",
            dest="reference",
            help="in bảng các khóa của tệp danh mục (Markdown)",
        )

    def handle(self, *args, path, check, schema, reference, **options):
        if schema:
            self.stdout.write(json.dumps(catalogue_json_schema(), ensure_ascii=False, indent=2))
            return
        if reference:
            self.stdout.write(catalogue_schema_reference(), ending="")
            return
        if not path:
            raise CommandError("Cần đường dẫn tệp danh mục khen thưởng (hoặc --schema, --schema-reference).")
        try:
            spec = read_catalogue_file(path)
        except CampaignFileError as exc:
            raise CommandError(self._lines("Tệp danh mục khen thưởng không đọc được", exc.problems)) from None
        if check:
            self.stdout.write(f"{spec['name']}: nạp được; {len(spec['forms'])} hình thức khen thưởng.")
            return
        try:
            result = catalogue_load(spec=spec, path=path)
        except CampaignFileError as exc:
            raise CommandError(self._lines("Không nạp tệp danh mục khen thưởng", exc.problems)) from None
        for change in result.changes:
            self.stdout.write(f"  {change}")
        if result.created:
            verb = "Đã nạp"
        elif result.changes:
            verb = "Đã cập nhật"
        else:
            verb = "Không đổi"
        self.stdout.write(
            self.style.SUCCESS(f"{verb} danh mục {result.catalogue.code}: {len(result.changes)} thay đổi.")
        )

    @staticmethod
    def _lines(title, problems):
        return title + ":\n" + "\n".join(f"  - {problem}" for problem in problems)
