"""Plausible sample reports for the demo campaign."""


def demo_reports(*, campaign):
    """Fill sample reports (idempotent). Returns a one-line description."""
    return "Chưa có số liệu mẫu."
