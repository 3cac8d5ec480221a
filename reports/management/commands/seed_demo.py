from django.core.management.base import BaseCommand

from campaigns.demo import DEMO_PASSWORD, demo_accounts, demo_campaigns
from reports.demo import demo_reports


class Command(BaseCommand):
    help = (
        "Nạp phong trào 1908 (2024) và kế hoạch 2026, tài khoản mẫu cho từng vai trò và số liệu mẫu "
        "(chạy lại không sao)."
    )

    def handle(self, *args, **options):
        campaigns = demo_campaigns()
        rows = demo_accounts(campaigns=campaigns)
        for campaign in campaigns:
            summary = demo_reports(campaign=campaign)
            self.stdout.write(self.style.SUCCESS(f"Phong trào {campaign.code} đã sẵn sàng. {summary}"))
        self.stdout.write("")
        self.stdout.write(f"Tài khoản mẫu (mật khẩu chung: {DEMO_PASSWORD})")
        width = max(len(username) for username, *_ in rows)
        for username, role, unit in rows:
            self.stdout.write(f"  {username.ljust(width)}  {role}{' — ' + unit if unit else ''}")
        self.stdout.write("  cb.<mã đơn vị>  cán bộ đầu mối của mỗi đơn vị khác (ví dụ cb.so-y-te)")
