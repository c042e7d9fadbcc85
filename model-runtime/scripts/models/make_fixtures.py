#!/usr/bin/env python3
"""Builds the whole-model fixtures in model-runtime/src/test/resources/models/.

Tiny random MixtralForCausalLM and LlamaForCausalLM models are made with transformers. Every linear projection
(attention q/k/v/o, Mixtral experts w1/w2/w3, Llama mlp gate/up/down) is quantised round-to-nearest per group and
packed into GPTQ tensors exactly as AutoGPTQ writes them (the packing functions come from
scripts/gptq/make_fixtures.py); the router, embeddings, norms and lm_head stay dense. The *dequantised* weights are
then loaded back into the transformers model, so transformers' fp32 forward is the reference the Java runtime must
reproduce from the packed checkpoint. Unquantised fixtures store their weights in F16 or BF16 and transformers runs
on those rounded values in fp32.

Per model folder  models/<name>/{config.json, model.safetensors}  (config.json in the classic Hugging Face layout,
with quantization_config for GPTQ models) and one  models/expected/<name>.safetensors  holding, per prompt i:
  p<i>.tokens  int32 [T]          the prompt's token ids
  p<i>.logits  f32   [T, vocab]   transformers' logits for every position (fp32, eager attention)
  p<i>.greedy  int32 [32]         greedy continuation (argmax of a full forward at each step)
  p<i>.gap     f32   [32]         top-1 minus top-2 logit at each greedy step (how robust the argmax is)

Run:  python3.11 -m venv /tmp/modelenv && /tmp/modelenv/bin/pip install torch transformers safetensors numpy
      (offline: pip install --no-index --find-links /opt/wheels --find-links /opt/pypi/files ...)
      /tmp/modelenv/bin/python model-runtime/scripts/models/make_fixtures.py
Made with transformers 5.17.0 / torch 2.13.0. Deterministic (fixed seeds).
"""
import importlib.util
import json
import os

import numpy as np
import torch
from safetensors.torch import save_file
from transformers import LlamaConfig, LlamaForCausalLM, MixtralConfig, MixtralForCausalLM

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "..", "src", "test", "resources", "models")

_spec = importlib.util.spec_from_file_location("gptq_fixtures", os.path.join(HERE, "..", "gptq", "make_fixtures.py"))
gptq = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(gptq)

VOCAB, HIDDEN, LAYERS, HEADS, KV_HEADS = 256, 64, 2, 4, 2
INTER = {"llama": 96, "mixtral": 64}  # per expert for Mixtral: keeps the fixtures small
PROMPTS = [[1, 17, 200, 45, 3], [1, 99, 13, 250, 7, 7, 64, 128, 31, 5, 180], list(range(1, 241, 12))]
GREEDY = 32

# name, arch, quant (bits, group, desc_act, sym, format) or None, dense dtype, tie, sliding_window, seed
FIXTURES = [
    ("llama-f16", "llama", None, torch.float16, False, None, 11),
    ("llama-bf16-tied", "llama", None, torch.bfloat16, True, None, 12),
    ("mixtral-f16-window8", "mixtral", None, torch.float16, False, 8, 22),
    ("mixtral-q4-g32-act-v1", "mixtral", (4, 32, True, True, "gptq"), torch.float16, False, None, 31),
    ("mixtral-q4-gall-v2", "mixtral", (4, -1, False, False, "gptq_v2"), torch.float16, False, None, 32),
    ("mixtral-q8-g128-v1", "mixtral", (8, 128, False, True, "gptq"), torch.float16, False, None, 33),
    ("mixtral-q3-g128-v2", "mixtral", (3, 128, False, True, "gptq_v2"), torch.float16, False, None, 34),
    ("llama-q4-g32-act-v2", "llama", (4, 32, True, False, "gptq_v2"), torch.float16, False, None, 41),
    ("llama-q3-g128-v1", "llama", (3, 128, False, True, "gptq"), torch.float16, False, None, 42),
]


def quantise(w, bits, gs, act, sym, fmt, rng):
    """AutoGPTQ-style RTN quantisation of w [out, in] (float64). Returns packed tensors and the dequantised weight."""
    n_out, n_in = w.shape
    maxq = 2 ** bits - 1
    group = n_in if gs == -1 else gs
    groups = (n_in + group - 1) // group
    if act:
        perm = rng.permutation(n_in)
        g_idx = np.empty(n_in, dtype=np.int32)
        g_idx[perm] = np.arange(n_in) // group
    else:
        g_idx = (np.arange(n_in) // group).astype(np.int32)
    scales = np.zeros((groups, n_out))
    zeros = np.zeros((groups, n_out), dtype=np.int64)
    for g in range(groups):
        cols = w[:, g_idx == g]
        if sym:
            amax = np.maximum(np.abs(cols).max(axis=1), 1e-8)
            s = 2 * amax / maxq
            z = np.full(n_out, (maxq + 1) // 2)
        else:
            lo = np.minimum(cols.min(axis=1), 0)
            hi = np.maximum(cols.max(axis=1), 0)
            s = np.maximum(hi - lo, 1e-8) / maxq
            z = np.clip(np.round(-lo / s).astype(np.int64), 1 if fmt == "gptq" else 0, maxq)
        scales[g] = s
        zeros[g] = z
    scales16 = scales.astype(np.float16)
    s64 = scales16.astype(np.float64)
    q = np.clip(np.round(w.T / s64[g_idx] + zeros[g_idx]), 0, maxq).astype(np.int64)  # [in, out]
    deq = (s64[g_idx] * (q - zeros[g_idx])).T  # [out, in], exact in fp32 (fp16 scale x small int)
    stored_zeros = zeros - 1 if fmt == "gptq" else zeros
    assert stored_zeros.min() >= 0
    return dict(qweight=gptq.as_i32(gptq.pack_bitstream(q, bits, axis=0)),
                qzeros=gptq.as_i32(gptq.pack_bitstream(stored_zeros, bits, axis=1)),
                scales=torch.from_numpy(scales16.copy()), g_idx=torch.from_numpy(g_idx.copy()),
                deq=torch.from_numpy(deq.astype(np.float32)))


def make_model(arch, tie, window, seed):
    torch.manual_seed(seed)
    common = dict(vocab_size=VOCAB, hidden_size=HIDDEN, intermediate_size=INTER[arch], num_hidden_layers=LAYERS,
                  num_attention_heads=HEADS, num_key_value_heads=KV_HEADS, max_position_embeddings=256,
                  rms_norm_eps=1e-5, rope_theta=10000.0 if arch == "llama" else 1e6, tie_word_embeddings=tie,
                  initializer_range=0.15, bos_token_id=1, eos_token_id=2, hidden_act="silu")
    if arch == "mixtral":
        cfg = MixtralConfig(num_local_experts=4, num_experts_per_tok=2, sliding_window=window, **common)
        model = MixtralForCausalLM(cfg)
    else:
        cfg = LlamaConfig(**common)
        model = LlamaForCausalLM(cfg)
    model.config._attn_implementation = "eager"
    model = model.float().eval()
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("norm.weight"):
                p.copy_(1 + 0.2 * torch.randn_like(p))
        if arch == "mixtral":
            for layer in model.model.layers:
                torch.nn.init.normal_(layer.mlp.gate.weight, std=0.3)
                torch.nn.init.normal_(layer.mlp.experts.gate_up_proj, std=0.15)
                torch.nn.init.normal_(layer.mlp.experts.down_proj, std=0.15)
    return cfg, model


def classic_config(arch, cfg, window, quant, dtype):
    c = {"architectures": ["MixtralForCausalLM" if arch == "mixtral" else "LlamaForCausalLM"], "model_type": arch,
         "vocab_size": VOCAB, "hidden_size": HIDDEN, "intermediate_size": INTER[arch], "num_hidden_layers": LAYERS,
         "num_attention_heads": HEADS, "num_key_value_heads": KV_HEADS, "max_position_embeddings": 256,
         "rms_norm_eps": 1e-5, "rope_theta": 10000.0 if arch == "llama" else 1e6, "hidden_act": "silu",
         "tie_word_embeddings": cfg.tie_word_embeddings, "bos_token_id": 1, "eos_token_id": 2,
         "torch_dtype": {torch.float16: "float16", torch.bfloat16: "bfloat16"}[dtype]}
    if arch == "mixtral":
        c.update(num_local_experts=4, num_experts_per_tok=2, sliding_window=window)
    if quant:
        bits, gs, act, sym, fmt = quant
        c["quantization_config"] = {"quant_method": "gptq", "bits": bits, "group_size": gs, "desc_act": act,
                                    "sym": sym, "checkpoint_format": fmt}
    return c


def build(name, arch, quant, dtype, tie, window, seed):
    cfg, model = make_model(arch, tie, window, seed)
    rng = np.random.default_rng(seed)
    tensors = {}

    def dense(key, param):
        """Stores param in the dense dtype and puts the rounded value back into the model."""
        with torch.no_grad():
            stored = param.detach().to(dtype).contiguous()
            param.copy_(stored.float())
        tensors[key] = stored

    def linear(key, weight_param, row_slice=None):
        """A projection: GPTQ-packed (dequantised back into the model) or dense."""
        with torch.no_grad():
            w = weight_param if row_slice is None else weight_param[row_slice]
            if quant is None:
                stored = w.detach().to(dtype).contiguous()
                w.copy_(stored.float())
                tensors[key + ".weight"] = stored
                return
            r = quantise(w.detach().double().numpy(), *quant, rng)
            w.copy_(r["deq"])
            for k in ("qweight", "qzeros", "scales", "g_idx"):
                tensors[f"{key}.{k}"] = r[k]

    m = model.model
    dense("model.embed_tokens.weight", m.embed_tokens.weight)
    for i, layer in enumerate(m.layers):
        p = f"model.layers.{i}"
        for proj in ("q_proj", "k_proj", "v_proj", "o_proj"):
            linear(f"{p}.self_attn.{proj}", getattr(layer.self_attn, proj).weight)
        dense(f"{p}.input_layernorm.weight", layer.input_layernorm.weight)
        dense(f"{p}.post_attention_layernorm.weight", layer.post_attention_layernorm.weight)
        if arch == "mixtral":
            moe = layer.mlp
            dense(f"{p}.block_sparse_moe.gate.weight", moe.gate.weight)
            for e in range(cfg.num_local_experts):
                gu = moe.experts.gate_up_proj[e]
                linear(f"{p}.block_sparse_moe.experts.{e}.w1", gu, slice(0, INTER[arch]))
                linear(f"{p}.block_sparse_moe.experts.{e}.w3", gu, slice(INTER[arch], 2 * INTER[arch]))
                linear(f"{p}.block_sparse_moe.experts.{e}.w2", moe.experts.down_proj[e])
        else:
            for proj in ("gate_proj", "up_proj", "down_proj"):
                linear(f"{p}.mlp.{proj}", getattr(layer.mlp, proj).weight)
    dense("model.norm.weight", m.norm.weight)
    if not tie:
        dense("lm_head.weight", model.lm_head.weight)
    else:
        assert model.lm_head.weight.data_ptr() == m.embed_tokens.weight.data_ptr()

    folder = os.path.join(OUT, name)
    os.makedirs(folder, exist_ok=True)
    save_file(tensors, os.path.join(folder, "model.safetensors"), metadata={"format": "pt"})
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(classic_config(arch, cfg, window, quant, dtype), f, indent=1)
        f.write("\n")

    expected = {}
    min_gap = float("inf")
    with torch.no_grad():
        for i, prompt in enumerate(PROMPTS):
            ids = torch.tensor([prompt])
            logits = model(ids).logits[0].float()
            seq, gaps = list(prompt), []
            for _ in range(GREEDY):
                last = model(torch.tensor([seq])).logits[0, -1].float()
                top = torch.topk(last, 2)
                gaps.append(float(top.values[0] - top.values[1]))
                seq.append(int(top.indices[0]))
            min_gap = min(min_gap, min(gaps))
            expected[f"p{i}.tokens"] = torch.tensor(prompt, dtype=torch.int32)
            expected[f"p{i}.logits"] = logits.contiguous()
            expected[f"p{i}.greedy"] = torch.tensor(seq[len(prompt):], dtype=torch.int32)
            expected[f"p{i}.gap"] = torch.tensor(gaps, dtype=torch.float32)
    os.makedirs(os.path.join(OUT, "expected"), exist_ok=True)
    save_file(expected, os.path.join(OUT, "expected", name + ".safetensors"))
    print(f"{name}: {sum(t.numel() * t.element_size() for t in tensors.values())} weight bytes, "
          f"min greedy gap {min_gap:.4g}")


def main():
    torch.set_num_threads(1)
    for fx in FIXTURES:
        build(*fx)
    print("fixtures written to", os.path.abspath(OUT))


if __name__ == "__main__":
    main()
