"""The provincial summary: the unit reports compiled into the report the People's Committee
signs, as a PDF/A and a Word file that say the same thing.

- `collect`: one snapshot of the reports, every figure computed once;
- `prose`: the parts the reviewer drafts, prefilled from the snapshot;
- `document` and `content`: the document model, and the summary built in it;
- `html` and `docx`: its two renderers;
- `compile`: the job that lays the pages out in parts and merges them;
- `services`: creating, retrying and finding summaries, saving drafts.
"""

from .compile import (
    WORK_ROOT,
    drafts_current,
    summaries_sweep_work,
    summary_compile,
    summary_merge,
    summary_render_part,
)
from .services import summary_create, summary_draft_save, summary_latest_done, summary_retry

__all__ = [
    "WORK_ROOT",
    "drafts_current",
    "summaries_sweep_work",
    "summary_compile",
    "summary_create",
    "summary_draft_save",
    "summary_latest_done",
    "summary_merge",
    "summary_render_part",
    "summary_retry",
]
