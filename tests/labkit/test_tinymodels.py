"""labkit.tinymodels: the tiny pre-trained models of labs 19-22 (tokenizers, objectives, seeded
pre-training, model folders) and the harness/check helpers around their folders."""
from __future__ import annotations

import json
import random
from types import SimpleNamespace

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")

from labkit import tinymodels as tm  # noqa: E402

GPT_SPECIALS = dict(unk_token="<unk>", pad_token="<pad>", eos_token="<eos>", bos_token="<eos>")
BERT_SPECIALS = dict(unk_token="[UNK]", pad_token="[PAD]", cls_token="[CLS]", sep_token="[SEP]", mask_token="[MASK]")


def gpt_tokenizer():
    return tm.word_tokenizer(["<pad>", "<unk>", "<eos>"] + tm.story_vocabulary(), max_length=64, **GPT_SPECIALS)


def bert_tokenizer():
    return tm.word_tokenizer(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + tm.story_vocabulary(), max_length=64,
                             template=tm.BERT_TEMPLATE, **BERT_SPECIALS)


def t5_tokenizer():
    return tm.word_tokenizer(["<pad>", "</s>", "<unk>"] + tm.T5_SENTINELS + tm.story_vocabulary(), max_length=64,
                             template=tm.T5_TEMPLATE, unk_token="<unk>", pad_token="<pad>", eos_token="</s>",
                             additional_special_tokens=tm.T5_SENTINELS)


def test_story_grammar_writes_only_its_vocabulary():
    rng, vocabulary = random.Random(0), set(tm.story_vocabulary())
    texts = [tm.story_text(rng) for _ in range(200)]
    assert all(set(t.split()) <= vocabulary for t in texts)
    assert len({t.split()[0] for t in texts}) > 3                       # several templates are used
    short = [tm.story_sentence(rng, tm.STORY_TEMPLATES[:1]) for _ in range(20)]
    assert all(s.startswith("the ") and s.endswith(" .") and " in the " in s for s in short)
    assert "once" not in tm.story_vocabulary(tm.STORY_TEMPLATES[:5]) and "once" in vocabulary


def test_word_tokenizer_ids_follow_the_vocabulary_and_templates_wrap_texts():
    gpt = gpt_tokenizer()
    ids = gpt("the dog zebra .")["input_ids"]
    assert gpt.convert_ids_to_tokens(ids) == ["the", "dog", "<unk>", "."]
    assert gpt.pad_token_id == 0 and gpt.eos_token_id == 2
    bert = bert_tokenizer()
    assert bert.convert_ids_to_tokens(bert("a cat .")["input_ids"]) == ["[CLS]", "a", "cat", ".", "[SEP]"]
    t5 = t5_tokenizer()
    assert t5.convert_ids_to_tokens(t5("a <extra_id_0> .")["input_ids"]) == ["a", "<extra_id_0>", ".", "</s>"]
    chars = tm.word_tokenizer(["<pad>", "<unk>", "<eos>"] + list(" .abcdefghijklmnopqrstuvwxyz"), max_length=256,
                              characters=True, **GPT_SPECIALS)
    ids = chars("a cat")["input_ids"]
    assert chars.convert_ids_to_tokens(ids) == ["a", " ", "c", "a", "t"] and chars.decode(ids) == "a cat"
    with pytest.raises(ValueError, match="twice"):
        tm.word_tokenizer(["<unk>", "a", "a"], max_length=8, unk_token="<unk>")


def test_objective_batches():
    gpt = gpt_tokenizer()
    batch = tm.causal_lm_batch(gpt, ["the dog found a ball .", "a cat ."])
    assert gpt.convert_ids_to_tokens(batch["input_ids"][1])[:4] == ["a", "cat", ".", "<eos>"]
    assert batch["labels"][1].tolist()[3:] == [gpt.eos_token_id, -100, -100, -100]

    bert = bert_tokenizer()
    texts = [tm.story_text(random.Random(i)) for i in range(16)]
    masked = tm.masked_lm_batch(bert, texts, torch.Generator().manual_seed(0), mask_prob=0.5)
    plain = bert(texts, padding=True, return_tensors="pt")["input_ids"]
    chosen = masked["labels"] != -100
    assert torch.equal(masked["labels"][chosen], plain[chosen])            # labels are the original words
    assert not chosen[torch.isin(plain, torch.tensor(bert.all_special_ids))].any()   # never [CLS]/[SEP]/[PAD]
    assert torch.equal(masked["input_ids"][~chosen], plain[~chosen])       # the rest is untouched
    assert (masked["input_ids"][chosen] == bert.mask_token_id).float().mean() > 0.6
    again = tm.masked_lm_batch(bert, texts, torch.Generator().manual_seed(0), mask_prob=0.5)
    assert torch.equal(again["input_ids"], masked["input_ids"])             # the generator decides

    words = "the old dog found a red ball in the park .".split()
    source, target = tm.span_corruption(words, random.Random(3), tm.T5_SENTINELS)
    assert "<extra_id_0>" in source and target.startswith("<extra_id_0>")
    rebuilt, hidden = [], iter(target.split())
    next(hidden)
    for token in source.split():                                # filling each sentinel gives the text back
        if token.startswith("<extra_id_"):
            for word in hidden:
                if word.startswith("<extra_id_"):
                    break
                rebuilt.append(word)
        else:
            rebuilt.append(token)
    assert rebuilt == words
    t5 = t5_tokenizer()
    batch = tm.span_corruption_batch(t5, ["a cat is in the park .", "the dog ."], random.Random(0))
    assert set(batch) >= {"input_ids", "attention_mask", "labels"} and (batch["labels"] == -100).any()


def test_tiny_models_pretrain_reproducibly_and_save_a_model_folder(tmp_path):
    gpt = gpt_tokenizer()
    for family, tokenizer in (("gpt2", gpt), ("bert", bert_tokenizer()), ("t5", t5_tokenizer())):
        model = tm.tiny_model(family, tokenizer, seed=1)
        assert model.config.vocab_size == len(tokenizer) and model.config.pad_token_id == tokenizer.pad_token_id
    assert tm.tiny_model("gpt2", gpt, n_layer=1).config.n_layer == 1
    with pytest.raises(ValueError, match="unknown family"):
        tm.tiny_model("llama", gpt)
    for family, tokenizer, options in (("bert", bert_tokenizer(), {"mask_prob": 0.3}), ("t5", t5_tokenizer(), {})):
        model = tm.tiny_model(family, tokenizer, num_layers=1) if family == "t5" else tm.tiny_model(family, tokenizer)
        info = tm.pretrain(model, tokenizer, tm.story_text, steps=2, lr=1e-3, batch_size=4, threads=1, **options)
        assert info["steps"] == 2 and info["final_loss_mean_50"] > 0      # each family's own objective runs

    def run(folder):
        return tm.build_model_dir(tmp_path / folder, "gpt2", gpt, tm.story_text, config=dict(n_layer=1), steps=6,
                                  lr=3e-3, warmup=2, batch_size=4, threads=1)

    (first, saved), (second, _) = run("gpt2-tiny"), run("again")
    assert saved["steps"] == 6 and not first.training
    assert all(torch.equal(a, b) for a, b in zip(first.state_dict().values(), second.state_dict().values()))
    assert json.loads((tmp_path / "gpt2-tiny" / "pretraining.json").read_text()) == saved
    assert saved["parameters"] == tm.parameter_count(first)
    assert (tmp_path / "gpt2-tiny" / "model.safetensors").exists()

    ctx = SimpleNamespace(artifacts_dir=tmp_path)
    model, tokenizer = tm.load_model_dir(ctx, "gpt2-tiny")
    assert not model.training and len(tokenizer) == len(gpt)
    _, _, summary = tm.loaded((model, tokenizer), "load_pretrained")
    assert summary == {"model_class": "GPT2LMHeadModel", "parameters": saved["parameters"], "tokenizer_size": len(gpt)}
    with pytest.raises(TypeError, match="load_pretrained must return a tuple"):
        tm.loaded(model, "load_pretrained")


def test_tensor_lists_names_what_is_wrong():
    ids = torch.tensor([[1, 2]])
    assert tm.tensor_lists({"input_ids": ids, "attention_mask": ids, "labels": ids, "x": 1}, "encode")["labels"] == [[1, 2]]
    with pytest.raises(TypeError, match="encode must return a dict"):
        tm.tensor_lists([ids], "encode")
    with pytest.raises(ValueError, match="encode's dict has no 'labels'"):
        tm.tensor_lists({"input_ids": ids, "attention_mask": ids}, "encode")
    with pytest.raises(TypeError, match="'labels' must be a torch.Tensor"):
        tm.tensor_lists({"input_ids": ids, "attention_mask": ids, "labels": [[1, 2]]}, "encode")


def test_check_helpers():
    expected = {"model_class": "GPT2LMHeadModel", "parameters": 10}
    assert tm.check_loaded(dict(expected), expected, "load_model", "Use AutoModel.").passed
    verdict = tm.check_loaded({**expected, "parameters": 7}, expected, "load_model", "Use AutoModel.")
    assert not verdict.passed and "parameters" in verdict.feedback and verdict.feedback.endswith("Use AutoModel.")
    assert tm.check_loaded(None, expected, "load_model", "").feedback == "load_model returned nothing usable"

    assert tm.loss_curve_problem([3.0] + [1.0] * 30, 0.5) is None
    assert "only to 2.900" in tm.loss_curve_problem([3.0] + [2.9] * 30, 0.5)
    assert "became nan at step 2" in tm.loss_curve_problem([3.0, 2.0, float("nan")], 0.5)
    assert tm.loss_curve_problem([], 0.5) == "no training losses were returned"
