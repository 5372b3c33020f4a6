"""The stand-in code model of lab 55 (shipped with the lab, read-only in the sandbox).

A real assistant would call a code LLM. This stand-in is a deterministic template generator: it reads
the function name from the prompt's `def` line and proposes the completions its catalogue holds for that
task (data/catalogue.json), each with a logit, as a language model's decoder would score whole
completions. Some completions are right, some are plausible bugs, some crash, loop forever or exhaust
memory, which is what execution-based evaluation is for. It never executes anything itself.
"""
from __future__ import annotations

import json
import re
from pathlib import Path


class StandInCodeModel:
    def __init__(self, catalogue_path):
        catalogue = json.loads(Path(catalogue_path).read_text(encoding="utf-8"))
        self.by_name = {task["name"]: task for task in catalogue}

    def candidates(self, prompt):
        """[(completion, logit)] for the function the prompt asks for; [] if the model knows no such task."""
        match = re.search(r"^def (\w+)\(", prompt, flags=re.MULTILINE)
        task = self.by_name.get(match.group(1)) if match else None
        if task is None:
            return []
        return [(c["completion"], float(c["logit"])) for c in task["candidates"]]
