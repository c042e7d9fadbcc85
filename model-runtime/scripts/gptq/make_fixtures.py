#!/usr/bin/env python3
"""Builds the GPTQ test fixtures in model-runtime/src/test/resources/gptq/.

Random linear layers are quantised (plain round-to-nearest per group: the Hessian-driven GPTQ algorithm changes
which integers are chosen, not how they are stored) and packed into the tensors AutoGPTQ/GPTQModel write:

  qweight int32 [in*bits/32, out]   each column a bit stream of its `in` values, LSB first
                                    (AutoGPTQ qlinear_cuda_old.py / qlinear_cuda.py `pack`; 3-bit words hold
                                    10 + 2/3 values: value 10 and 21 of every 32 straddle words)
  qzeros  int32 [groups, out*bits/32]  each group row a bit stream along the output dimension;
                                    v1 ("gptq") stores zero - 1, v2 ("gptq_v2") stores zero
  scales  fp16  [groups, out]
  g_idx   int32 [in]                group of each input row; act-order assigns groups in a permuted order
                                    (g_idx[perm[j]] = j // group_size)
  bias    fp16  [out]               on one case

Expected values are computed in float64 from the unpacked integers (not from the packed words), so the Java
decoder is checked against an independent implementation:
  W[o, i] = scale[g_idx[i], o] * (q[i, o] - zero[g_idx[i], o]);  y = x @ W.T + b

Run:  python3.11 -m venv /tmp/gptqenv && /tmp/gptqenv/bin/pip install torch numpy safetensors
      (offline: add --no-index --find-links DIR pointing at a local wheel directory)
      /tmp/gptqenv/bin/python model-runtime/scripts/gptq/make_fixtures.py
Deterministic (fixed seed): re-running rewrites identical files.
"""
import json
import os
import struct

import numpy as np
import torch
from safetensors.torch import save_file

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "src", "test", "resources", "gptq")

CASES = [
    # name, bits, group_size, desc_act, sym, format, in, out, bias
    ("q4_g32_act_v1", 4, 32, True, True, "gptq", 128, 64, False),
    ("q4_gall_v1", 4, -1, False, True, "gptq", 160, 96, False),
    ("q4_g32_v1", 4, 32, False, True, "gptq", 96, 64, False),
    ("q8_g128_bias_v1", 8, 128, False, True, "gptq", 160, 64, True),
    ("q3_g128_v1", 3, 128, False, True, "gptq", 160, 96, False),
    ("q3_g32_act_asym_v2", 3, 32, True, False, "gptq_v2", 128, 64, False),
    ("q2_g64_asym_v2", 2, 64, False, False, "gptq_v2", 128, 64, False),
    ("q4_g32_act_asym_v2", 4, 32, True, False, "gptq_v2", 96, 64, False),
    ("q4_g64_asym_v1", 4, 64, False, False, "gptq", 128, 96, False),
]
ROWS = 3


def pack_bitstream(values, bits, axis):
    """Packs non-negative ints < 2**bits along `axis` into uint32 words, LSB first, values crossing words."""
    v = np.moveaxis(values.astype(np.uint64), axis, 0)
    n = v.shape[0]
    assert (n * bits) % 32 == 0
    words = np.zeros((n * bits // 32,) + v.shape[1:], dtype=np.uint64)
    for j in range(n):
        bit = j * bits
        w, s = bit // 32, bit % 32
        words[w] |= (v[j] << np.uint64(s)) & np.uint64(0xFFFFFFFF)
        if s + bits > 32:
            words[w + 1] |= v[j] >> np.uint64(32 - s)
    return np.moveaxis(words.astype(np.uint32), 0, axis)


def pack3_autogptq_rows(intweight):
    """AutoGPTQ's explicit 3-bit row layout (10 values, split, 10, split, 10 per 3 words), for cross-checking."""
    rows = intweight.shape[0] // 32 * 3
    q = np.zeros((rows, intweight.shape[1]), dtype=np.uint64)
    iw = intweight.astype(np.uint64)
    i = row = 0
    while row < rows:
        for j in range(10):
            q[row] |= iw[i + j] << np.uint64(3 * j)
        i += 10
        q[row] |= (iw[i] << np.uint64(30)) & np.uint64(0xFFFFFFFF)
        row += 1
        q[row] |= (iw[i] >> np.uint64(2)) & np.uint64(1)
        i += 1
        for j in range(10):
            q[row] |= iw[i + j] << np.uint64(3 * j + 1)
        i += 10
        q[row] |= (iw[i] << np.uint64(31)) & np.uint64(0xFFFFFFFF)
        row += 1
        q[row] |= (iw[i] >> np.uint64(1)) & np.uint64(3)
        i += 1
        for j in range(10):
            q[row] |= iw[i + j] << np.uint64(3 * j + 2)
        i += 10
        row += 1
    return (q & np.uint64(0xFFFFFFFF)).astype(np.uint32)


def quantise(rng, name, bits, gs, act, sym, fmt, n_in, n_out):
    maxq = 2 ** bits - 1
    w = rng.standard_normal((n_out, n_in)) * 0.05
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
            z = np.round(-lo / s).astype(np.int64)
            # v1 stores zero - 1: a zero of 0 would underflow into the neighbouring fields (GPTQModel notes the
            # same overflow), so v1 fixtures keep zeros >= 1, as quantisers writing v1 effectively must.
            z = np.clip(z, 1 if fmt == "gptq" else 0, maxq)
            if g % 2 == 1 and fmt == "gptq_v2":
                z[::7] = 0  # exercise zero points of 0, which only v2 can store
        scales[g] = s
        zeros[g] = z
    scales16 = scales.astype(np.float16)
    s64 = scales16.astype(np.float64)
    q = np.zeros((n_in, n_out), dtype=np.int64)
    for i in range(n_in):
        g = g_idx[i]
        q[i] = np.clip(np.round(w[:, i] / s64[g] + zeros[g]), 0, maxq)
    deq = np.empty((n_out, n_in))
    for i in range(n_in):
        g = g_idx[i]
        deq[:, i] = s64[g] * (q[i] - zeros[g])
    qweight = pack_bitstream(q, bits, axis=0)
    if bits == 3:
        assert np.array_equal(qweight, pack3_autogptq_rows(q)), "bit stream differs from AutoGPTQ 3-bit layout"
    stored_zeros = zeros - 1 if fmt == "gptq" else zeros
    assert stored_zeros.min() >= 0
    qzeros = pack_bitstream(stored_zeros, bits, axis=1)
    return dict(qweight=qweight, qzeros=qzeros, scales16=scales16, g_idx=g_idx, q=q, zeros=zeros, deq=deq)


def as_i32(a):
    return torch.from_numpy(a.astype(np.uint32).view(np.int32).copy())


def main():
    rng = np.random.default_rng(20240611)
    os.makedirs(OUT, exist_ok=True)
    layers, expected, meta = {}, {}, []
    for (name, bits, gs, act, sym, fmt, n_in, n_out, has_bias) in CASES:
        r = quantise(rng, name, bits, gs, act, sym, fmt, n_in, n_out)
        layers[f"{name}.qweight"] = as_i32(r["qweight"])
        layers[f"{name}.qzeros"] = as_i32(r["qzeros"])
        layers[f"{name}.scales"] = torch.from_numpy(r["scales16"].copy())
        layers[f"{name}.g_idx"] = torch.from_numpy(r["g_idx"].copy())
        b = np.zeros(n_out)
        if has_bias:
            b16 = (rng.standard_normal(n_out) * 0.1).astype(np.float16)
            layers[f"{name}.bias"] = torch.from_numpy(b16.copy())
            b = b16.astype(np.float64)
        x = rng.standard_normal((ROWS, n_in)).astype(np.float32)
        y = x.astype(np.float64) @ r["deq"].T + b
        expected[f"{name}.weight"] = torch.from_numpy(r["deq"].astype(np.float32))
        expected[f"{name}.x"] = torch.from_numpy(x)
        expected[f"{name}.y"] = torch.from_numpy(y.astype(np.float32))
        if bits == 3:
            expected[f"{name}.q"] = torch.from_numpy(r["q"].astype(np.uint8))
            expected[f"{name}.zeros"] = torch.from_numpy(r["zeros"].astype(np.uint8))
        meta.append(dict(name=name, bits=bits, group_size=gs, desc_act=act, sym=sym, checkpoint_format=fmt,
                         in_features=n_in, out_features=n_out, bias=has_bias))
    # dense layers (F16 with bias, BF16, F32), as unquantised router / lm_head would be stored
    for name, dtype in (("dense_f16", torch.float16), ("dense_bf16", torch.bfloat16), ("dense_f32", torch.float32)):
        n_in, n_out = 96, 40
        w = torch.from_numpy(rng.standard_normal((n_out, n_in)) * 0.05).to(dtype)
        layers[f"{name}.weight"] = w
        b = np.zeros(n_out)
        if dtype == torch.float16:
            bias = torch.from_numpy(rng.standard_normal(n_out) * 0.1).to(dtype)
            layers[f"{name}.bias"] = bias
            b = bias.double().numpy()
        x = rng.standard_normal((ROWS, n_in)).astype(np.float32)
        y = x.astype(np.float64) @ w.double().numpy().T + b
        expected[f"{name}.x"] = torch.from_numpy(x)
        expected[f"{name}.y"] = torch.from_numpy(y.astype(np.float32))
    save_file(layers, os.path.join(OUT, "layers.safetensors"), metadata={"format": "pt"})
    save_file(expected, os.path.join(OUT, "expected.safetensors"))
    with open(os.path.join(OUT, "cases.json"), "w") as f:
        json.dump(meta, f, indent=1)
        f.write("\n")

    # a sharded checkpoint: mixed quantised (attention) and fp16 (router, norms) tensors over two shards + index
    shard_dir = os.path.join(OUT, "sharded")
    os.makedirs(shard_dir, exist_ok=True)
    src = "q4_g32_v1"
    shard1 = {f"model.layers.0.self_attn.q_proj.{k}": layers[f"{src}.{k}"] for k in ("qweight", "qzeros", "scales", "g_idx")}
    shard1["model.norm.weight"] = torch.ones(96, dtype=torch.float16)
    shard2 = {"model.layers.0.block_sparse_moe.gate.weight": layers["dense_f16.weight"][:8].contiguous(),
              "model.embed_tokens.weight": torch.from_numpy(rng.standard_normal((16, 96))).to(torch.bfloat16),
              "model.layers.0.input_layernorm.weight": torch.arange(96, dtype=torch.float32)}
    names = {"model-00001-of-00002.safetensors": shard1, "model-00002-of-00002.safetensors": shard2}
    weight_map = {}
    total = 0
    for fname, tensors in names.items():
        save_file(tensors, os.path.join(shard_dir, fname), metadata={"format": "pt"})
        for k, t in tensors.items():
            weight_map[k] = fname
            total += t.numel() * t.element_size()
    with open(os.path.join(shard_dir, "model.safetensors.index.json"), "w") as f:
        json.dump({"metadata": {"total_size": total}, "weight_map": dict(sorted(weight_map.items()))}, f, indent=1)
        f.write("\n")

    # a truncated file: a valid one with its last 10 bytes cut off
    path = os.path.join(OUT, "truncated.safetensors")
    save_file({"a": torch.zeros(4, dtype=torch.float32), "b": torch.ones(8, dtype=torch.float16)}, path)
    with open(path, "rb") as f:
        data = f.read()
    (hlen,) = struct.unpack("<Q", data[:8])
    assert len(data) > 8 + hlen + 10
    with open(path, "wb") as f:
        f.write(data[:-10])
    print("fixtures written to", os.path.abspath(OUT))


if __name__ == "__main__":
    main()
