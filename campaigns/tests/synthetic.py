"""Campaign files made for tests and benchmarks: the 1908 campaign with many more measures."""

from pathlib import Path

import yaml

CAMPAIGN_FILE = Path(__file__).resolve().parent.parent / "campaign_files" / "1908-UBND-KSTT.yaml"


def campaign_spec(path=CAMPAIGN_FILE):
    with open(path, encoding="utf-8") as file:
        return yaml.safe_load(file)


def write_campaign_file(spec, path):
    with open(path, "w", encoding="utf-8") as file:
        yaml.safe_dump(spec, file, allow_unicode=True, sort_keys=False)
    return path


def with_extra_measures(path, extra):
    """Write to `path` campaign 1908 with `extra` more measures, every district reporting
    them, in a section of their own, and a target with a province goal over each ten of
    them. Returns `path`."""
    spec = campaign_spec()
    spec["sections"].append({"code": "IX", "title": "Chỉ số bổ sung"})
    codes = [f"extra_{number:03d}" for number in range(1, extra + 1)]
    spec["measures"] += [
        {
            "code": code,
            "section": "IX",
            "name": f"Chỉ số bổ sung {code[-3:]}",
            "unit": "lượt",
            "reported_by": {"kinds": ["district"]},
        }
        for code in codes
    ]
    spec["targets"] += [
        {
            "code": f"extra_target_{start // 10 + 1:02d}",
            "section": "IX",
            "name": f"Chỉ tiêu bổ sung {start // 10 + 1}",
            "formula": " + ".join(codes[start : start + 10]),
            "goals": {"province": 1000},
        }
        for start in range(0, extra, 10)
    ]
    return write_campaign_file(spec, path)
