"""Lab 21 checks (outside the sandbox). Held-out Toy translations live in private/."""
import math

from labkit.checks import Verdict, describe
from labkit.tinymodels import check_loaded, loss_curve_problem

MIN_EXACT_MATCH = 0.6       # reference: ~0.95+; the pre-trained model before fine-tuning: 0
MIN_TOKEN_ACCURACY = 0.85
MAX_LOSS_RATIO = 0.3        # the mean of the last 20 fine-tuning losses must fall below 0.3 x the first


def _scores(translations, references):
    """(exact match, token accuracy) of the grader's translations of the held-out sentences."""
    exact = sum(t.strip() == r.strip() for t, r in zip(translations, references)) / len(references)
    words = [(t.split(), r.split()) for t, r in zip(translations, references)]
    matches = sum(a == b for t, r in words for a, b in zip(t, r))
    return exact, matches / sum(len(r) for _, r in words)


def check_load(got, expected, ctx):
    return check_loaded(got, expected, "load_model", "Load the model with AutoModelForSeq2SeqLM and the tokenizer "
                                                     "with AutoTokenizer from the same folder.")


def check_preprocess(got, expected, ctx):
    if not isinstance(got, dict):
        return Verdict(False, "preprocess returned nothing usable")
    if got.get("extra_keys"):
        extra = got["extra_keys"]
        message = f"preprocess returns extra keys {extra}"
        if "decoder_input_ids" in extra:
            message += (": do not build decoder_input_ids yourself; given labels, T5 makes them by shifting the "
                        "labels right behind the decoder start token")
        return Verdict(False, message)
    for key in ("input_ids", "attention_mask", "labels"):
        have, want = got.get(key), expected[key]
        if have == want:
            continue
        message = f"{key} differs"
        if key == "input_ids":
            if have and want and len(have[0]) < len(want[0]):
                message += (": every source must start with the task prefix 'translate English to Toy : ' "
                            "(and the tokenizer adds </s>)")
            else:
                message += ": tokenise PREFIX + source with padding=True"
        elif key == "labels":
            flat_have = [v for row in have or [] for v in row]
            if 0 in flat_have and -100 not in flat_have:
                message += ": padded label positions must be -100 (not the pad id 0), or the loss trains the model to output padding"
            else:
                message += ": labels are the tokenised targets (tokenizer(text_target=...)), ending with </s>, padding -> -100"
        return Verdict(False, message, describe(want), describe(have))
    return Verdict(True)


def check_translations(got, expected, ctx):
    if got == expected:
        return Verdict(True)
    if not isinstance(got, list) or len(got) != len(expected):
        return Verdict(False, f"expected {len(expected)} translations", describe(expected), describe(got))
    i = next(i for i, (a, b) in enumerate(zip(got, expected)) if a != b)
    message = f"translation {i}: expected {expected[i]!r}, got {got[i]!r}"
    if "<pad>" in got[i] or "</s>" in got[i]:
        message += ". Decode with skip_special_tokens=True"
    elif "translate" in got[i]:
        message += ". Decode the generated ids only"
    else:
        message += (". Add the task prefix to every sentence, generate greedily (do_sample=False, num_beams=1) "
                    "with max_new_tokens, and strip the text")
    return Verdict(False, message, describe(expected), describe(got))


def check_metrics(got, expected, ctx):
    if not isinstance(got, dict):
        return Verdict(False, "no metric values")
    for key, hint in (("exact_match", "the fraction of predictions equal to their reference"),
                      ("token_accuracy", "matching words at the same position, divided by the number of REFERENCE "
                                         "words (summed over all examples; extra predicted words do not count)")):
        have, want = got.get(key), expected[key]
        if not isinstance(have, (int, float)) or not math.isclose(have, want, rel_tol=1e-9, abs_tol=1e-12):
            return Verdict(False, f"{key}: expected {want:.6f}, got {have!r}: {hint}", f"{want:.6f}", repr(have))
    return Verdict(True)


def check_finetune(got, expected, ctx):
    problem = loss_curve_problem(got, MAX_LOSS_RATIO)
    if problem:
        return Verdict(False, f"{problem}; check the optimizer, the labels, and that you do not pass decoder_input_ids")
    references = (ctx.private_dir / "test_targets.txt").read_text().splitlines()
    translations = got.get("translations") or []
    if len(translations) != len(references):
        return Verdict(False, f"{len(translations)} translations for {len(references)} sentences")
    em, acc = _scores(translations, references)
    if em < MIN_EXACT_MATCH or acc < MIN_TOKEN_ACCURACY:
        wrong = next(((t, r) for t, r in zip(translations, references) if t != r), ("", ""))
        return Verdict(False, f"held-out exact match {em:.3f} (needs {MIN_EXACT_MATCH}) and token accuracy {acc:.3f} "
                              f"(needs {MIN_TOKEN_ACCURACY}); e.g. {wrong[0]!r} where {wrong[1]!r} was expected")
    return Verdict(True)
