"""Lab preparation (built artifacts such as tiny pre-trained models, the visible seed's reference outputs)
in the background of a worker, one lab at a time, at the lowest CPU priority, never in front of a
student's job: it runs in its own thread, not in a pool slot, and a submission to a lab that is not
prepared yet simply prepares that lab first (artifacts and references are built on demand under file
locks, so the two never build the same thing twice)."""
from __future__ import annotations

import logging
import os
import threading

from app.config import get_settings
from app.labs.catalog import lab_folders

log = logging.getLogger(__name__)
LOWEST_PRIORITY = 19


def prepare_lab(path) -> None:
    from worker.grading import Lab, lab_artifacts, reference_outputs

    settings = get_settings()
    lab = Lab.load(path)
    artifacts = lab_artifacts(lab, settings.references_dir.parent / "artifacts", settings.models_dir)
    reference_outputs(lab, settings.references_dir, artifacts=artifacts, insecure=settings.insecure_sandbox,
                      uid=settings.sandbox_uid)


def prepare_all() -> int:
    from worker.grading import LabBroken

    prepared = 0
    for path in lab_folders(get_settings().labs_dir):
        try:
            prepare_lab(path)
            prepared += 1
        except LabBroken:
            log.exception("could not prepare %s", path.name)
    return prepared


def start_background_preparation() -> threading.Thread:
    def run() -> None:
        # Only this thread (and the sandboxes and builds it starts) gets the lowest priority.
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), LOWEST_PRIORITY)
        count = prepare_all()
        log.info("prepared %s lab(s) in the background", count)

    thread = threading.Thread(target=run, name="lab-preparation", daemon=True)
    thread.start()
    return thread
