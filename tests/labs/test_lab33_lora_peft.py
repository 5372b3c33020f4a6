"""Lab 33's reference LoRA equals Hugging Face peft's LoRA with the same weights: eval and train-mode
forward, merged weights and the trainable-parameter count. The lab's checks compare students with the
reference outputs, so this test is what ties the grade to peft."""
from __future__ import annotations

import importlib.util
import random
import sys
from pathlib import Path

import pytest
import torch
from peft import LoraConfig, inject_adapter_in_model

LAB = Path(__file__).resolve().parents[2] / "labs" / "lab33-lora-from-scratch"
TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "up_proj", "down_proj"]


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def lab():
    return _load("lab33_tinylm_test", LAB / "data" / "tinylm.py"), _load("lab33_solution_test", LAB / "solution.py")


def _pair(seed: int, lab):
    tinylm, solution = lab
    rng = random.Random(seed)
    targets = rng.sample(TARGETS, rng.randint(1, 4))
    r, alpha, dropout = rng.choice([1, 2, 4, 8]), float(rng.choice([2, 4, 16])), rng.choice([0.0, 0.3])
    ours = solution.apply_lora(tinylm.load_base(LAB / "data"), targets, r=r, alpha=alpha, dropout=dropout)
    config = LoraConfig(r=r, lora_alpha=alpha, lora_dropout=dropout, target_modules=targets)
    theirs = inject_adapter_in_model(config, tinylm.load_base(LAB / "data"))
    gen = torch.Generator().manual_seed(seed)
    for name, module in ours.named_modules():
        if isinstance(module, solution.LoRALinear):
            peft_layer = theirs.get_submodule(name)
            with torch.no_grad():
                module.lora_A.copy_(torch.randn(module.lora_A.shape, generator=gen) * 0.3)
                module.lora_B.copy_(torch.randn(module.lora_B.shape, generator=gen) * 0.3)
                peft_layer.lora_A["default"].weight.copy_(module.lora_A)
                peft_layer.lora_B["default"].weight.copy_(module.lora_B)
    return ours, theirs, tinylm.general_ids(5, seed)


@pytest.mark.parametrize("seed", range(6))
def test_reference_forward_equals_peft(seed, lab):
    ours, theirs, ids = _pair(seed, lab)
    with torch.no_grad():
        ours.eval(), theirs.eval()
        torch.testing.assert_close(ours(ids), theirs(ids), rtol=1e-5, atol=1e-5)
        ours.train(), theirs.train()
        torch.manual_seed(seed)
        ours_train = ours(ids)
        torch.manual_seed(seed)
        torch.testing.assert_close(ours_train, theirs(ids), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("seed", range(6))
def test_reference_merge_and_count_equal_peft(seed, lab):
    _, solution = lab
    ours, theirs, _ = _pair(seed, lab)
    assert solution.count_trainable_parameters(ours) == sum(p.numel() for p in theirs.parameters() if p.requires_grad)
    layers = [(n, m) for n, m in ours.named_modules() if isinstance(m, solution.LoRALinear)]
    assert layers
    for name, layer in layers:
        layer.merge()
        theirs.get_submodule(name).merge()
        torch.testing.assert_close(layer.base.weight, theirs.get_submodule(name).base_layer.weight)
    assert set(solution.lora_state_dict(ours)) == {
        n for n, p in ours.named_parameters() if p.requires_grad}
