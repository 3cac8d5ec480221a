from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.demo import demo_two_factor
from campaigns.demo import DEMO_PASSWORD, NAMED_ACCOUNTS, demo_accounts, demo_campaigns
from commendations.demo import demo_proposals
from reports.demo import demo_reports

NOT_PRODUCTION = "--i-know-this-is-not-production"


class Command(BaseCommand):
    help = (
        "Nạp phong trào 1908 (2024) và kế hoạch 2026, tài khoản mẫu cho từng vai trò và số liệu mẫu "
        "(chạy lại không sao). Chỉ dùng khi phát triển, thử nghiệm."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            NOT_PRODUCTION,
            action="store_true",
            dest="not_production",
            help="Chạy cả khi DJANGO_DEBUG=0 (một máy thử nghiệm dùng cấu hình thật).",
        )

    def handle(self, *args, **options):
        # Demo accounts share a published password: never on a portal people really use.
        if not settings.DEBUG and not options["not_production"]:
            raise CommandError(
                "seed_demo tạo tài khoản mẫu với mật khẩu công khai nên không chạy khi DJANGO_DEBUG=0. "
                f"Nếu đây chắc chắn không phải máy thật, chạy lại với {NOT_PRODUCTION}."
            )
        campaigns = demo_campaigns()
        rows = demo_accounts(campaigns=campaigns)
        for campaign in campaigns:
            summary = demo_reports(campaign=campaign)
            summary = " ".join(part for part in (summary, demo_proposals(campaign=campaign)) if part)
            self.stdout.write(self.style.SUCCESS(f"Phong trào {campaign.code} đã sẵn sàng. {summary}"))
        self.stdout.write("")
        self.stdout.write(f"Tài khoản mẫu (mật khẩu chung: {DEMO_PASSWORD})")
        width = max(len(username) for username, *_ in rows)
        for username, role, unit in rows:
            self.stdout.write(f"  {username.ljust(width)}  {role}{' — ' + unit if unit else ''}")
        self.stdout.write("  cb.<mã đơn vị>  cán bộ đầu mối của mỗi đơn vị khác (ví dụ cb.so-y-te)")
        self.write_two_factor([username for username, *_ in NAMED_ACCOUNTS])

    def write_two_factor(self, usernames):
        rows = demo_two_factor(usernames=usernames)
        if not rows:
            return
        self.stdout.write("")
        self.stdout.write(
            "Xác thực hai bước: sau mật khẩu, các tài khoản dưới đây nhập một mã khôi phục (mỗi mã dùng "
            "một lần; mỗi lần chạy seed_demo cấp mã mới) hoặc mã 6 chữ số của ứng dụng xác thực đã thêm "
            "khóa bí mật (Google Authenticator, FreeOTP…; hoặc: oathtool --totp -b 'KHÓA')."
        )
        width = max(len(username) for username, *_ in rows)
        for username, secret, codes in rows:
            self.stdout.write(f"  {username.ljust(width)}  mã khôi phục: {' '.join(codes)}")
            self.stdout.write(f"  {''.ljust(width)}  khóa bí mật:  {secret}")
