"""Per-attempt variants, reproducible from the attempt's seed: which N of M questions are drawn, the order of
each question's choices, and the values of a numeric question's parameters."""
from __future__ import annotations

import random
import re
from collections.abc import Sequence

from app.quizzes.expr import format_number
from app.quizzes.schemas import CodeQuestion, MultipleQuestion, NumericQuestion, SingleQuestion

PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def _rng(seed: int, label: str) -> random.Random:
    # A string seed is hashed with SHA-512 by `random`: the same on every machine and Python process.
    return random.Random(f"llmcourse-quiz:{seed}:{label}")


def draw_ids(question_ids: Sequence[str], draw: int | None, seed: int) -> list[str]:
    """The drawn question ids, kept in the quiz file's order."""
    if not draw or draw >= len(question_ids):
        return list(question_ids)
    chosen = set(_rng(seed, "draw").sample(list(question_ids), draw))
    return [qid for qid in question_ids if qid in chosen]


def draw_params(question: NumericQuestion, seed: int) -> dict[str, int | float]:
    rng = _rng(seed, f"params:{question.id}")
    return {name: rng.choice(question.params[name]) for name in sorted(question.params)}


def choice_order(question: SingleQuestion | MultipleQuestion, seed: int) -> list[str]:
    order = [choice.id for choice in question.choices]
    _rng(seed, f"choices:{question.id}").shuffle(order)
    return order


def layout_entry(question, seed: int) -> dict:
    entry: dict = {"question_id": question.id}
    if isinstance(question, NumericQuestion) and question.params:
        entry["params"] = draw_params(question, seed)
    if isinstance(question, (SingleQuestion, MultipleQuestion)):
        entry["choices"] = choice_order(question, seed)
    return entry


def build_layout(questions: Sequence, draw: int | None, seed: int) -> list[dict]:
    """What one attempt shows, derived only from the questions (in file order), `draw` and `seed`."""
    by_id = {q.id: q for q in questions}
    return [layout_entry(by_id[qid], seed) for qid in draw_ids([q.id for q in questions], draw, seed)]


def params_for(question, entry: dict, seed: int) -> dict[str, int | float]:
    """The attempt's parameter values; names added to the file after the attempt started are drawn from the
    seed the same way, so an edited question still renders and grades."""
    if not isinstance(question, NumericQuestion) or not question.params:
        return {}
    stored = entry.get("params") or {}
    fresh = draw_params(question, seed)
    return {name: stored[name] if name in stored and stored[name] in question.params[name] else fresh[name]
            for name in question.params}


def ordered_choices(question: SingleQuestion | MultipleQuestion, entry: dict) -> list:
    """The question's choices in the attempt's shuffled order (choices added later go last)."""
    by_id = {c.id: c for c in question.choices}
    order = [cid for cid in entry.get("choices", []) if cid in by_id]
    return [by_id[cid] for cid in order] + [c for c in question.choices if c.id not in set(order)]


def format_param(value: int | float) -> str:
    if isinstance(value, float) and not value.is_integer():
        return f"{value:g}" if abs(value) >= 1e-4 else f"{value:.3g}"
    return format_number(float(value))


def render_prompt(question, params: dict[str, int | float]) -> str:
    """The prompt with `{name}` placeholders of the drawn parameters filled in (other braces are left alone)."""
    if not params:
        return question.prompt
    return PLACEHOLDER.sub(lambda m: format_param(params[m[1]]) if m[1] in params else m[0], question.prompt)


def is_code(question) -> bool:
    return isinstance(question, CodeQuestion)
