"""`llmcourse content check`: validate every content file and prove every lab (reference full marks,
starter not, mistakes fail their checks, within the proof budget) and every code quiz question."""
from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from pathlib import Path

from app.config import Settings
from app.content import load_content
from app.course.content import ContentErrors


def check_content(settings: Settings, grade_labs: bool = True, lab_ids: list[str] | None = None,
                  references_dir: Path | None = None, on_lab=None) -> ContentErrors:
    """Validate every file; with grade_labs, also prove every lab (reference full marks, starter not,
    mistakes fail their checks) and every code quiz question through the sandbox."""
    content = load_content(settings)
    errors = content.errors
    if grade_labs:
        from worker.labcheck import check_lab

        refs = references_dir or settings.references_dir
        folders = [f for lab_id, f in sorted(content.labs.items()) if not lab_ids or lab_id in lab_ids]
        # One lab per core, in processes: sandboxes are started with fork + preexec, which must not
        # happen while other threads of the same process hold locks.
        with ProcessPoolExecutor(max_workers=max(1, os.cpu_count() or 1)) as pool:
            reports = pool.map(partial(check_lab, references_dir=refs, insecure=settings.insecure_sandbox,
                                       uid=settings.sandbox_uid, models_dir=settings.models_dir),
                               [f.path for f in folders])
            for report in reports:
                errors.messages.extend(report.problems)
                if on_lab is not None:
                    on_lab(report)
        from worker.quiz_grading import check_code_questions

        check_code_questions(content.quizzes, errors, settings)
    return errors
