"""Lab 6 custom checks (run OUTSIDE the sandbox)."""
from __future__ import annotations

import math

import numpy as np

from labkit.checks import Verdict, describe
from labkit.compare import check_fields

FERTILITY_SLACK = 1.05

WHY = {
    "normalizer": "use normalizers.NFKC() only (a Lowercase step would break the round trip)",
    "pre_tokenizer": "use pre_tokenizers.Sequence([Digits(individual_digits=True), ByteLevel(add_prefix_space=False)])",
    "model": "use models.BPE()",
    "decoder": "use decoders.ByteLevel() so that decode() turns Ġ back into spaces",
    "post_processor": "set tokenizer.post_processor = processors.TemplateProcessing(...) after training",
    "single_template": "the single-sequence template is '<s> $A </s>'",
    "special_tokens": "pass special_tokens=['<pad>', '<s>', '</s>'] to the BpeTrainer so they get ids 0, 1, 2",
    "vocab_size": "pass vocab_size to the BpeTrainer (with initial_alphabet=ByteLevel.alphabet() and min_frequency=2)",
}


def check_pipeline(got, expected, ctx):
    return check_fields(got, expected, explain=WHY)


def check_encodings(got, expected, ctx):
    for index, (want, have) in enumerate(zip(expected, got)):
        if want == have:
            continue
        if isinstance(want, dict):
            key = "pair_type_ids" if want["pair_type_ids"] != have["pair_type_ids"] else "pair_tokens"
            return Verdict(False, f"encoding the pair (text 1, text 2): {key} expected {want[key]}, got {have[key]} "
                                  "(pair template '<s> $A </s> $B:1 </s>:1')", describe(want), describe(have))
        i = next((k for k, (a, b) in enumerate(zip(want, have)) if a != b), min(len(want), len(have)))
        return Verdict(False, f"text {index + 1}: token {i} expected {want[i] if i < len(want) else 'END'!r}, got "
                              f"{have[i] if i < len(have) else 'END'!r} ({len(want)} tokens expected, {len(have)} got)",
                       describe(want), describe(have))
    return Verdict(True)


def check_round_trip(got, expected, ctx):
    for index, (want, have) in enumerate(zip(expected, got)):
        if want != have:
            return Verdict(False, f"text {index + 1}: decode(encode(text)) gave {ascii(have)[:120]}, expected the "
                                  f"NFKC-normalised input {ascii(want)[:120]}", describe(want), describe(have))
    return Verdict(True)


def check_save_load(got, expected, ctx):
    for key, meaning in (("file_has_model", "the saved file is not a full tokenizer JSON (use tokenizer.save(path))"),
                         ("same_vocab_size", "the reloaded tokenizer has a different vocabulary size"),
                         ("same_ids", "the reloaded tokenizer encodes differently (load with Tokenizer.from_file)"),
                         ("same_decode", "the reloaded tokenizer decodes differently (is the decoder saved?)")):
        if not got.get(key):
            return Verdict(False, meaning)
    return Verdict(True)


def check_batch(got, expected, ctx):
    ids, mask = got["input_ids"], got["attention_mask"]
    want_ids, want_mask = expected["input_ids"], expected["attention_mask"]
    if ids.shape != want_ids.shape:
        return Verdict(False, f"input_ids has shape {ids.shape}, expected {want_ids.shape}: pad to the longest "
                              "sequence of the batch, truncating to max_length first",
                       describe(want_ids), describe(ids))
    if not np.array_equal(mask, want_mask):
        row = int(np.argmax((mask != want_mask).any(axis=1)))
        return Verdict(False, f"attention_mask row {row} is {mask[row].tolist()}, expected {want_mask[row].tolist()} "
                              "(1 for real tokens including <s> and </s>, 0 for padding)",
                       describe(want_mask), describe(mask))
    if not np.array_equal(ids, want_ids):
        row = int(np.argmax((ids != want_ids).any(axis=1)))
        return Verdict(False, f"input_ids row {row} is {ids[row].tolist()}, expected {want_ids[row].tolist()} "
                              "(pad with the id of <pad>; a truncated row still ends with </s>)",
                       describe(want_ids), describe(ids))
    if got["unchanged_after"] != expected["unchanged_after"]:
        return Verdict(False, "after encode_batch the tokenizer truncates or pads single texts: call no_padding() and "
                              "no_truncation() when you are done, or do the padding yourself")
    return Verdict(True)


def check_fertility(got, expected, ctx):
    mine = sum(got["tokens"]) / sum(got["words"])
    reference = sum(expected["tokens"]) / sum(expected["words"])
    if not math.isclose(got["fertility"], mine, rel_tol=1e-9):
        return Verdict(False, f"fertility() returned {got['fertility']:.4f}, but your tokenizer produces {sum(got['tokens'])} "
                              f"tokens for {sum(got['words'])} whitespace words = {mine:.4f} (count tokens without "
                              "special tokens: encode(text, add_special_tokens=False))")
    if mine > reference * FERTILITY_SLACK:
        return Verdict(False, f"held-out fertility {mine:.3f} tokens per word; the reference tokenizer reaches "
                              f"{reference:.3f} (at most {FERTILITY_SLACK:.2f}x that is accepted): check vocab_size, "
                              "min_frequency and the pre-tokenizer")
    return Verdict(True, f"held-out fertility {mine:.3f} tokens per word (reference {reference:.3f})")
