"""Lab 19 checks (outside the sandbox). Held-out completions live in private/."""
import math

from labkit.checks import Verdict, describe
from labkit.tinymodels import check_loaded, loss_curve_problem

MIN_ACCURACY = 0.7        # exact-match on held-out prompts; the base model scores 0, the reference 1.0
MAX_LOSS_RATIO = 0.6      # the mean of the last 20 fine-tuning losses must fall below 0.6 x the first


def check_load(got, expected, ctx):
    return check_loaded(got, expected, "load_pretrained", "Load both the model (AutoModelForCausalLM) and the "
                                                          "tokenizer (AutoTokenizer) from the given folder.")


def check_batch(got, expected, ctx):
    if not isinstance(got, dict):
        return Verdict(False, "make_batch returned nothing usable")
    for key in ("input_ids", "attention_mask", "labels"):
        have, want = got.get(key), expected[key]
        if have == want:
            continue
        shape = lambda v: (len(v), len(v[0]) if v and isinstance(v[0], list) else 0)  # noqa: E731
        message = f"{key} differs"
        if shape(have) != shape(want):
            message = f"{key} has shape {shape(have)} where {shape(want)} was expected"
            if key == "input_ids" and shape(have)[1] == shape(want)[1] - 1:
                message += ": did you append the eos token to every text (so the model learns where to stop)?"
        elif key == "input_ids":
            message += ": tokenise text + ' ' + eos_token and pad on the right with the pad token"
        elif key == "labels":
            row = next(i for i, (a, b) in enumerate(zip(have, want)) if a != b)
            h, w = have[row], want[row]
            if h[:-1] == w[1:] or h[:len(w) - 1] == w[1:]:
                message += (": your labels are shifted left by one. Hugging Face causal LMs shift the labels "
                            "inside the model: labels must be the input_ids themselves")
            elif any(wi == -100 and hi != -100 for hi, wi in zip(h, w)):
                message += ": padded positions must have label -100 so the loss ignores them"
            else:
                message += f" in row {row}"
        return Verdict(False, message, describe(want), describe(have))
    return Verdict(True)


def check_completions(got, expected, ctx):
    if not isinstance(got, list) or len(got) != len(expected):
        return Verdict(False, f"expected {len(expected)} completions", describe(expected), describe(got))
    prompts = ctx.shown.get("complete_prompts") or []
    for i, (have, want) in enumerate(zip(got, expected)):
        if have == want:
            continue
        message = f"completion {i} differs: expected {want!r}, got {have!r}"
        prompt = prompts[i] if i < len(prompts) else None
        if prompt and have.startswith(prompt):
            message += ". Return only the NEW text: decode output[0, prompt_length:], not the whole sequence"
        elif "<eos>" in have or "<pad>" in have:
            message += ". Decode with skip_special_tokens=True"
        elif have.startswith(want) or want.startswith(have):
            message += ". Use max_new_tokens (not max_length), greedy decoding, and stop at eos"
        else:
            message += ". Use greedy decoding: model.generate(..., do_sample=False)"
        return Verdict(False, message, describe(expected), describe(got))
    return Verdict(True)


def check_perplexity(got, expected, ctx):
    if not isinstance(got, (int, float)) or not math.isfinite(got):
        return Verdict(False, f"perplexity must be a finite float, got {got!r}")
    if math.isclose(got, expected, rel_tol=1e-4):
        return Verdict(True)
    message = f"expected {expected:.5f}, got {got:.5f}"
    if got < 1.0:
        message += ". Perplexity is exp(mean NLL) and is >= 1: did you forget the exp, or the minus sign?"
    elif abs(math.log(got) - math.log(expected)) < 0.2:
        message += (". Close but not equal: average the NLL over all predicted TOKENS of all texts (padding "
                    "excluded), not over batches or texts, and append eos to each text as in make_batch")
    return Verdict(False, message, f"{expected:.5f}", f"{got:.5f}")


def check_finetune(got, expected, ctx):
    problem = loss_curve_problem(got, MAX_LOSS_RATIO)
    if problem:
        return Verdict(False, f"{problem}: the model is barely learning. Check the optimizer (AdamW over "
                              "model.parameters(), the given lr), zero_grad/backward/step, and that labels are the "
                              "input_ids.")
    gold = (ctx.private_dir / "test_completions.txt").read_text().splitlines()
    completions = got.get("completions") or []
    correct = sum(a == b for a, b in zip(completions, gold))
    accuracy = correct / len(gold)
    if accuracy < MIN_ACCURACY:
        wrong = next(((c, g) for c, g in zip(completions, gold) if c != g), ("", ""))
        return Verdict(False, f"held-out exact-match accuracy {accuracy:.2f} ({correct}/{len(gold)}) is below "
                              f"{MIN_ACCURACY}; e.g. the model wrote {wrong[0]!r} where {wrong[1]!r} was expected. "
                              "If the format is right but the words are wrong, the model did not learn the rules: "
                              "check that the labels are not shifted; if it never stops, append eos to each text.")
    return Verdict(True)
