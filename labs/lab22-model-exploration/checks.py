"""Lab 22 checks (outside the sandbox)."""
import math

from labkit.checks import Verdict, describe
from labkit.tinymodels import check_loaded

DESCRIBE_HINTS = {
    "architecture": "type(model).__name__",
    "model_type": "model.config.model_type",
    "kind": "'decoder-only' (GPT-2), 'encoder-only' (BERT) or 'encoder-decoder' (T5, config.is_encoder_decoder)",
    "num_layers": "config.num_hidden_layers works for every family (GPT-2 calls it n_layer, T5 num_layers)",
    "hidden_size": "config.hidden_size works for every family (GPT-2 calls it n_embd, T5 d_model)",
    "vocab_size": "config.vocab_size",
    "total_params": "sum(p.numel() for p in model.parameters()): parameters() yields a tied (shared) tensor once, "
                    "state_dict() lists it twice",
    "embedding_params": "model.get_input_embeddings().weight.numel() (the token embedding only)",
    "tied_embeddings": "model.get_output_embeddings().weight is model.get_input_embeddings().weight",
}


def check_load(got, expected, ctx):
    return check_loaded(got, expected, "load_model", "Choose the Auto class from the config: AutoModelForCausalLM "
                                                     "(GPT-2), AutoModelForMaskedLM (BERT), AutoModelForSeq2SeqLM "
                                                     "(config.is_encoder_decoder); load the tokenizer from the same folder.")


def check_describe(got, expected, ctx):
    if not isinstance(got, dict):
        return Verdict(False, "describe_model returned nothing usable")
    for name, want in expected.items():
        have = got.get(name) or {}
        for key, value in want.items():
            if have.get(key) != value:
                return Verdict(False, f"{name}: {key} should be {value!r}, got {have.get(key)!r}. Use "
                                      f"{DESCRIBE_HINTS.get(key, key)}.", describe(want), describe(have))
    return Verdict(True)


def check_tokenize(got, expected, ctx):
    if not isinstance(got, dict):
        return Verdict(False, "tokenize returned nothing usable")
    for name, want in expected.items():
        have = got.get(name) or {}
        for key in ("tokens", "n_tokens", "n_unknown", "decoded"):
            if have.get(key) != want[key]:
                hint = {"tokens": "tokenizer.convert_ids_to_tokens(tokenizer(text)['input_ids']), special tokens included",
                        "n_tokens": "the number of input_ids, special tokens included",
                        "n_unknown": "count the ids equal to tokenizer.unk_token_id",
                        "decoded": "tokenizer.decode(ids, skip_special_tokens=True)"}[key]
                return Verdict(False, f"{name}: {key} is {have.get(key)!r}, expected {want[key]!r}; {hint}",
                               describe(want), describe(have))
    return Verdict(True)


def check_score(got, expected, ctx):
    if not isinstance(got, dict):
        return Verdict(False, "score_text returned nothing usable")
    for name, rows in expected.items():
        have_rows = got.get(name) or []
        for i, want in enumerate(rows):
            have = have_rows[i] if i < len(have_rows) else {}
            for key in ("n_predicted", "nll", "perplexity", "bits_per_char"):
                value = have.get(key)
                if not isinstance(value, (int, float)) or not math.isclose(value, want[key], rel_tol=1e-4):
                    message = f"{name}, text {i}: {key} is {value!r}, expected {want[key]:.6g}"
                    if key == "n_predicted":
                        message += ": every token except the first is predicted from the ones before it"
                    elif key == "bits_per_char" and isinstance(value, (int, float)) and \
                            math.isclose(value, want[key] * math.log(2), rel_tol=1e-3):
                        message += ": bits need log base 2: divide the NLL (in nats) by ln 2, then by len(text)"
                    elif key == "nll":
                        message += ": compare logits at position t with the token at t+1 (shift by one)"
                    return Verdict(False, message, describe(want), describe(have))
    return Verdict(True)


def check_fill(got, expected, ctx):
    if not isinstance(got, list) or len(got) != len(expected):
        return Verdict(False, "fill_mask returned nothing usable")
    for i, (have, want) in enumerate(zip(got, expected)):
        probs_ok = len(have["probs"]) == len(want["probs"]) and all(
            math.isclose(a, b, rel_tol=1e-4, abs_tol=1e-6) for a, b in zip(have["probs"], want["probs"]))
        # two words with (practically) equal probability may come in either order
        tokens_ok = len(have["tokens"]) == len(want["tokens"]) and all(
            a == b or abs(pa - pb) < 1e-6 for a, b, pa, pb in zip(have["tokens"], want["tokens"], have["probs"], want["probs"]))
        if not (probs_ok and tokens_ok):
            return Verdict(False, f"text {i}: got {list(zip(have['tokens'], have['probs']))}, expected "
                                  f"{list(zip(want['tokens'], want['probs']))}. Find the [MASK] position in the "
                                  "encoded input_ids (the tokenizer adds [CLS] in front), softmax over the vocabulary, "
                                  "then topk", describe(want), describe(have))
    return Verdict(True)


def check_greedy(got, expected, ctx):
    if not isinstance(got, dict):
        return Verdict(False, "generate returned nothing usable")
    prompts = ctx.shown.get("greedy_prompts") or {}
    for name, want in expected.items():
        have = got.get(name)
        if have == want:
            continue
        message = f"{name}: expected {want!r}, got {have!r}"
        prompt = prompts.get(name)
        if isinstance(have, str) and prompt and have.startswith(prompt.split()[0]) and len(have) > len(want):
            message += ". A decoder-only model's output starts with the prompt: keep only output[prompt_length:]"
        elif name == "t5-word":
            message += (". An encoder-decoder's output does NOT contain the prompt (it is the decoder's sequence): "
                        "decode all of it, with skip_special_tokens=True")
        return Verdict(False, message, describe(expected), describe(got))
    return Verdict(True)


def check_sampling(got, expected, ctx):
    if not isinstance(got, dict):
        return Verdict(False, "no sampling results")
    if not got.get("reproducible"):
        return Verdict(False, "the same seed gave two different samples: call torch.manual_seed(seed) right "
                              "before model.generate(..., do_sample=True)")
    if not got.get("greedy_is_deterministic"):
        return Verdict(False, "greedy decoding (do_sample=False) gave different outputs for the same prompt")
    if got.get("distinct", 0) < 2:
        return Verdict(False, "six different seeds gave the same sample: is do_sample=True passed to generate?")
    if not got.get("in_top_k"):
        return Verdict(False, "a sampled word was not among the model's top_k most likely next words: pass top_k "
                              "(and temperature) to generate")
    return Verdict(True)
