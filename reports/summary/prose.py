"""The summary's prose, drafted by the reviewer part by part before the leader signs.

A tổng kết report reads: I. how the campaign was organised; II. the results of each content
of the directive; III. commendations; IV. the general assessment (ưu điểm; tồn tại, hạn chế;
nguyên nhân; bài học kinh nghiệm); V. directions and tasks, then recommendations. Each part
is a text the reviewer edits on the summary page (`SummaryDraft`, every save kept); a part
never edited is prefilled here from the snapshot, where the figures or the units' own words
speak: sentences generated from the results, and short extracts of the units' narratives,
each attributed to its unit (never a whole narrative pasted).

A part's text is paragraphs, one a line; a line "Tên đơn vị: nội dung" whose name is a
participant's prints with the name in italics.
"""

import re
from dataclasses import dataclass

from django.utils import translation

from reports.aggregation import IN_PROGRESS, NEAR_REACHED, NO_DATA, NOT_REACHED, REACHED, SPEED_UP, format_value
from reports.text import clean_text

EXTRACT_CHARS = 220  # an extract is one sentence, cut at a word under this length
EXTRACTS_PER_PART = 5


@dataclass(frozen=True)
class Part:
    key: str
    number: str  # "I", "II.1", "IV.3"
    title: str
    hint: str = ""


def draft_parts(campaign):
    """The parts the reviewer drafts, in the document's order."""
    sections = [
        Part(f"section:{section.code}", f"II.{index}", section.title, "Nhận xét kết quả của nội dung này.")
        for index, section in enumerate(campaign.sections.order_by("order"), start=1)
    ]
    return [
        Part("organisation", "I", "Công tác tổ chức, triển khai", "Việc quán triệt, ban hành kế hoạch, phát động."),
        *sections,
        Part("commendation", "III", "Công tác khen thưởng", "Việc phát hiện, đề nghị khen thưởng."),
        Part("strengths", "IV.1", "Ưu điểm"),
        Part("weaknesses", "IV.2", "Tồn tại, hạn chế"),
        Part("causes", "IV.3", "Nguyên nhân"),
        Part("lessons", "IV.4", "Bài học kinh nghiệm"),
        Part("directions", "V.1", "Phương hướng, nhiệm vụ"),
        Part("recommendations", "V.2", "Kiến nghị, đề xuất"),
    ]


def shown(target, value):
    """A figure with its unit of measure (`85,3%`, `1.000 cây`), or "chưa có số liệu"."""
    if value is None:
        return str(NO_DATA.label).lower()
    text, uom = format_value(target, value), target.unit_of_measure
    if not uom:
        return text
    return f"{text}%" if uom == "%" else f"{text} {uom}"


def _names(units, limit=None):
    names = [unit.name for unit in units]
    if limit is not None and len(names) > limit:
        return ", ".join(names[:limit]) + f" và {len(names) - limit} đơn vị khác"
    return ", ".join(names)


# --- extracts of the units' narratives -----------------------------------------------------
_SENTENCE = re.compile(r"[^.!?;\n]+[.!?;]?")


def sentences_of(text):
    return [match.group().strip() for match in _SENTENCE.finditer(text or "") if len(match.group().strip()) > 12]


def extract(sentence, limit=EXTRACT_CHARS):
    """One sentence, cut at a word boundary under `limit` characters, ending "…" if cut."""
    sentence = " ".join(sentence.split()).rstrip(";")
    sentence = sentence[:1].upper() + sentence[1:]
    if len(sentence) <= limit:
        return sentence if sentence.endswith((".", "!", "?")) else sentence + "."
    return sentence[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def extracts(narratives, *, words=None, limit=EXTRACTS_PER_PART, used=None):
    """Attributed extracts, one line each: "Tên đơn vị: “…”". With `words`, only sentences
    holding one of them (a regular expression); otherwise each narrative's first sentence.
    Units that wrote the same sentence share one line; a sentence in `used` (a set, which
    this adds to) was quoted by an earlier part and is not quoted again."""
    pattern = re.compile(words, re.IGNORECASE) if words else None
    used = set() if used is None else used
    by_text = {}
    for narrative in narratives:
        found = [
            extract(s)
            for s in sentences_of(clean_text(narrative.text))
            if (pattern is None or pattern.search(s)) and extract(s) not in used
        ]
        if found:
            by_text.setdefault(found[0], []).append(narrative.report.unit)
    used.update(list(by_text)[:limit])
    lines = []
    for text, units in list(by_text.items())[:limit]:
        who = units[0].name if len(units) == 1 else f"{_names(units, limit=3)} ({len(units)} đơn vị)"
        lines.append(f"{who}: “{text}”")
    return lines


# --- what the figures say ------------------------------------------------------------------
def _with_goal(results):
    return [result for result in results if result.goal is not None]


def results_sentences(results):
    """What a content's results table says, in three sentences at most: how many of its
    targets with a goal were reached, which were not (with figure and goal), and the figures
    of the targets without a goal."""
    with_goal = _with_goal(results)
    lines = []
    if with_goal:
        counts = [
            (sum(1 for r in with_goal if r.status in statuses), words)
            for statuses, words in (
                ((REACHED,), "đạt"),
                ((NEAR_REACHED,), "gần đạt"),
                ((SPEED_UP, NOT_REACHED), "chưa đạt"),
                ((IN_PROGRESS,), "đang thực hiện mức của năm sau"),
                ((NO_DATA,), "chưa có số liệu"),
            )
        ]
        said = ", ".join(f"{count} {words}" for count, words in counts if count)
        lines.append(f"Trong {len(with_goal)} chỉ tiêu có mức của nội dung này: {said}.")
    behind = [r for r in with_goal if r.status in (NEAR_REACHED, SPEED_UP, NOT_REACHED)]
    if behind:
        parts = [f"{r.target.name} (đạt {shown(r.target, r.value)}, mức {shown(r.target, r.goal)})" for r in behind]
        lines.append(f"Các chỉ tiêu chưa đạt mức: {'; '.join(parts)}.")
    counted = [r for r in results if r.goal is None and r.value is not None]
    if counted:
        parts = [f"{r.target.name}: {shown(r.target, r.value)}" for r in counted]
        lines.append(f"Kết quả toàn tỉnh: {'; '.join(parts)}.")
    return lines


def _units_all_reached(units):
    return [
        section.unit
        for section in units
        if section.counted and section.with_goal and section.reached == section.with_goal
    ]


def _gaps(units, limit=5):
    """For each target some units are far from, the furthest units: the lines of IV.2."""
    gaps = {}
    for section in units:
        if not section.counted:
            continue
        for result in section.results:
            if result.goal is not None and result.status in (SPEED_UP, NOT_REACHED):
                gaps.setdefault(result.target.pk, []).append((section.unit, result))
    lines = []
    for target_results in gaps.values():
        target = target_results[0][1].target
        worst = sorted(target_results, key=lambda item: (item[1].share or 0, item[0].name))[:limit]
        listed = ", ".join(f"{unit.name} ({shown(result.target, result.value)})" for unit, result in worst)
        more = f" và {len(target_results) - len(worst)} đơn vị khác" if len(target_results) > len(worst) else ""
        lines.append(f"Chỉ tiêu “{target.name}” còn khoảng cách lớn ở: {listed}{more}.")
    return lines


@translation.override("vi")
def prefill(campaign, collected):
    """Each part's prefilled text (key → text, "" where nothing can be said for the
    reviewer): generated from the snapshot `collected`."""
    province = collected.province
    with_goal = _with_goal(province)
    reached = [r for r in with_goal if r.status == REACHED]
    behind = [r for r in with_goal if r.status in (SPEED_UP, NOT_REACHED)]
    near = [r for r in with_goal if r.status == NEAR_REACHED]
    ongoing = [r for r in with_goal if r.status == IN_PROGRESS]
    narratives = collected.narratives
    texts = {}

    used = set()
    texts["organisation"] = "\n".join(
        extracts(narratives, words=r"quán triệt|triển khai|kế hoạch|phát động|ban hành|tuyên truyền", used=used)
    )
    for section in campaign.sections.order_by("order"):
        results = [r for r in province if r.target.section_id == section.pk]
        lines = results_sentences(results)
        own = [n for n in narratives if n.section_id == section.pk]
        lines += extracts(own, used=used)
        if not results and not own:
            lines.append("Chưa có đơn vị báo cáo nội dung này.")
        texts[f"section:{section.code}"] = "\n".join(lines)

    proposals = collected.commendations
    if proposals:
        kinds = {}
        for item in proposals:
            kinds[item.get_kind_display().lower()] = kinds.get(item.get_kind_display().lower(), 0) + 1
        units = {item.report.unit_id for item in proposals}
        counted = ", ".join(f"{count} {kind}" for kind, count in kinds.items())
        texts["commendation"] = (
            f"Có {len(units)} đơn vị đề nghị khen thưởng {counted} có thành tích tiêu biểu trong phong trào "
            "(danh sách tại bảng dưới đây)."
        )
    else:
        texts["commendation"] = "Chưa có đơn vị đề nghị khen thưởng tập thể, cá nhân trong phong trào."

    strengths = []
    if with_goal:
        strengths.append(
            f"Toàn tỉnh đạt {len(reached)}/{len(with_goal)} chỉ tiêu có mức"
            + (f": {'; '.join(f'{r.target.name} ({shown(r.target, r.value)})' for r in reached)}." if reached else ".")
        )
    all_reached = _units_all_reached(collected.units)
    if all_reached:
        strengths.append(f"{len(all_reached)} đơn vị đạt toàn bộ chỉ tiêu có mức: {_names(all_reached, limit=10)}.")
    on_time = [s for s in collected.units if s.counted and not s.report.is_late]
    if on_time:
        strengths.append(f"{len(on_time)}/{len(collected.units)} đơn vị gửi báo cáo đúng hạn.")
    texts["strengths"] = "\n".join(strengths)

    weaknesses = []
    for label, group in (("Các chỉ tiêu chưa đạt", behind), ("Các chỉ tiêu gần đạt", near)):
        if group:
            parts = [f"{r.target.name} (đạt {shown(r.target, r.value)}, mức {shown(r.target, r.goal)})" for r in group]
            weaknesses.append(f"{label}: {'; '.join(parts)}.")
    weaknesses += _gaps(collected.units)
    missing = [s.unit for s in collected.units if not s.counted]
    late = [s.unit for s in collected.units if s.counted and s.report.is_late]
    if late:
        weaknesses.append(f"{len(late)} đơn vị gửi báo cáo muộn: {_names(late, limit=10)}.")
    if missing:
        weaknesses.append(f"{len(missing)} đơn vị chưa có báo cáo được tổng hợp: {_names(missing, limit=10)}.")
    texts["weaknesses"] = "\n".join(weaknesses)

    texts["causes"] = "\n".join(extracts(narratives, words=r"khó khăn|vướng mắc|nguyên nhân|hạn chế", used=used))
    texts["lessons"] = "\n".join(extracts(narratives, words=r"kinh nghiệm|bài học", used=used))

    directions = []
    if behind or near:
        names = "; ".join(r.target.name for r in behind + near)
        directions.append(f"Tập trung chỉ đạo thực hiện các chỉ tiêu chưa đạt, gần đạt: {names}.")
    for result in ongoing:
        target = result.target
        directions.append(
            f"Tiếp tục phấn đấu đạt mức {shown(target, result.goal)} của chỉ tiêu “{target.name}” "
            f"đến năm {result.due} (năm {campaign.reporting_year} đạt {shown(target, result.value)})."
        )
    texts["directions"] = "\n".join(directions)
    texts["recommendations"] = "\n".join(extracts(narratives, words=r"kiến nghị|đề nghị|đề xuất", used=used))
    return texts


def paragraphs_of(text):
    """A part's text as its paragraphs: one a non-empty line."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]
