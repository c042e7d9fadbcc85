#!/usr/bin/env python3
"""PyTorch fp16 baseline for the CUDA backend's decode benchmark (CudaDecodeBenchmark).

Times the matrix work of one Mixtral-8x7B decode step with dense fp16 weights and cuBLAS, as a reference point for
the GPTQ 4-bit kernels: per layer the attention projections (q 4096->4096, k and v 4096->1024, o 4096->4096) and the
w1/w3 (4096->14336) and w2 (14336->4096) of the active experts, times the layers, plus lm_head (4096->32000), for
batches 1, 4 and 16. Attention itself, norms, routing and sampling are left out: this is the weight-streaming part,
which bounds decode speed.

Experts per layer: --experts 2 (default) runs two experts per layer for every batch, each on all rows (what one
token needs); --experts expected uses the expected number of distinct experts among `batch` tokens under uniform
top-2-of-8 routing, 8 * (1 - (6/8) ** batch) rounded (2, 5, 8), each on its share of the rows, which is what a
batch really reads.

fp16 Mixtral is 4x the bytes of GPTQ 4-bit, so the full model does not fit an 80 GB card: weights are allocated for
as many distinct layers as fit (--memory-fraction of the free memory) and the timed step cycles through them; one
layer's weights (hundreds of MB) are far larger than the L2 cache, so every layer still streams from DRAM.

Timing: the step is captured in a CUDA graph (--no-graph: launched eagerly), warmed up, then replayed --iters times,
each replay between CUDA events; the median is reported. tokens/s = batch / step time; GB/s = weight bytes read per
step / step time; the fraction is of a device-to-device copy measured the same way (bytes read + written).

Usage: python3 pytorch_baseline.py [--layers 32] [--iters 50] [--experts 2|expected] [--json out.json]
"""
import argparse
import json
import math
import statistics

import torch

HIDDEN, INTER, HEADS, KV_HEADS, HEAD_DIM, VOCAB, EXPERTS, TOP_K = 4096, 14336, 32, 8, 128, 32000, 8, 2
BATCHES = (1, 4, 16)


def copy_bandwidth(bytes_=1 << 30, repeats=20):
    a = torch.empty(bytes_, dtype=torch.uint8, device="cuda")
    b = torch.empty_like(a)
    b.copy_(a)
    rates = []
    for _ in range(repeats):
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        b.copy_(a)
        end.record()
        end.synchronize()
        rates.append(2 * bytes_ / (start.elapsed_time(end) / 1e3))
    del a, b
    return statistics.median(rates)


def expected_experts(batch):
    return EXPERTS * (1 - ((EXPERTS - TOP_K) / EXPERTS) ** batch)


def make_layer(experts, gen):
    def w(out_f, in_f):
        return (torch.rand(out_f, in_f, device="cuda", dtype=torch.float16, generator=gen) - 0.5) * 0.02

    return {
        "q": w(HEADS * HEAD_DIM, HIDDEN),
        "k": w(KV_HEADS * HEAD_DIM, HIDDEN),
        "v": w(KV_HEADS * HEAD_DIM, HIDDEN),
        "o": w(HIDDEN, HEADS * HEAD_DIM),
        "experts": [(w(INTER, HIDDEN), w(INTER, HIDDEN), w(HIDDEN, INTER)) for _ in range(experts)],
    }


def layer_bytes(experts):
    attn = (2 * HEADS * HEAD_DIM * HIDDEN + 2 * KV_HEADS * HEAD_DIM * HIDDEN) * 2
    return attn + experts * 3 * INTER * HIDDEN * 2


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--layers", type=int, default=32)
    p.add_argument("--iters", type=int, default=50)
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--experts", default="2", help="experts per layer: a number, or 'expected'")
    p.add_argument("--memory-fraction", type=float, default=0.8)
    p.add_argument("--no-graph", action="store_true")
    p.add_argument("--json")
    args = p.parse_args()

    torch.backends.cuda.matmul.allow_fp16_reduced_precision_reduction = True
    dev = torch.cuda.get_device_properties(0)
    copy = copy_bandwidth()
    print(f"device: {dev.name}, {dev.multi_processor_count} SMs; torch {torch.__version__}; "
          f"copy bandwidth {copy / 1e9:.0f} GB/s (read + write)")

    per_batch_experts = {}
    for batch in BATCHES:
        if args.experts == "expected":
            per_batch_experts[batch] = max(TOP_K, min(EXPERTS, round(expected_experts(batch))))
        else:
            per_batch_experts[batch] = int(args.experts)
    most = max(per_batch_experts.values())
    free, _ = torch.cuda.mem_get_info()
    head_bytes = VOCAB * HIDDEN * 2
    fit = int((free * args.memory_fraction - head_bytes) // layer_bytes(most))
    distinct = max(1, min(args.layers, fit))
    gen = torch.Generator(device="cuda")
    gen.manual_seed(0)
    layers = [make_layer(most, gen) for _ in range(distinct)]
    lm_head = (torch.rand(VOCAB, HIDDEN, device="cuda", dtype=torch.float16, generator=gen) - 0.5) * 0.02
    print(f"{args.layers} layers timed over {distinct} distinct weight sets of {layer_bytes(most) / 1e9:.2f} GB "
          f"({most} experts each)")

    results = []
    for batch in BATCHES:
        n_exp = per_batch_experts[batch]
        # rows per expert: every row for the fixed count, else an even share of the batch's 2 * batch assignments
        rows = batch if args.experts != "expected" else min(batch, math.ceil(TOP_K * batch / n_exp))
        x = torch.randn(batch, HIDDEN, device="cuda", dtype=torch.float16)

        def step():
            h = x
            for i in range(args.layers):
                L = layers[i % distinct]
                q = torch.nn.functional.linear(h, L["q"])
                torch.nn.functional.linear(h, L["k"])
                torch.nn.functional.linear(h, L["v"])
                h = h + torch.nn.functional.linear(q, L["o"])
                acc = torch.zeros_like(h)
                for w1, w3, w2 in L["experts"][:n_exp]:
                    inp = h[:rows]
                    g = torch.nn.functional.silu(torch.nn.functional.linear(inp, w1))
                    u = torch.nn.functional.linear(inp, w3)
                    acc[:rows] += torch.nn.functional.linear(g * u, w2)
                h = h + acc
            return torch.nn.functional.linear(h, lm_head)

        for _ in range(args.warmup):
            step()
        torch.cuda.synchronize()
        if args.no_graph:
            run = step
        else:
            stream = torch.cuda.Stream()
            stream.wait_stream(torch.cuda.current_stream())
            with torch.cuda.stream(stream):
                for _ in range(2):
                    step()
            torch.cuda.current_stream().wait_stream(stream)
            graph = torch.cuda.CUDAGraph()
            with torch.cuda.graph(graph):
                step()
            run = graph.replay
        times = []
        for _ in range(args.iters):
            start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            start.record()
            run()
            end.record()
            end.synchronize()
            times.append(start.elapsed_time(end))
        ms = statistics.median(times)
        weight_bytes = args.layers * layer_bytes(n_exp) + head_bytes
        r = {
            "batch": batch,
            "experts_per_layer": n_exp,
            "median_step_ms": ms,
            "tokens_per_second": batch / (ms / 1e3),
            "weight_bytes_per_step": weight_bytes,
            "effective_bytes_per_second": weight_bytes / (ms / 1e3),
            "fraction_of_copy_bandwidth": weight_bytes / (ms / 1e3) / copy,
        }
        results.append(r)
        print(f"batch {batch:2d}: {ms:8.3f} ms/step  {r['tokens_per_second']:8.1f} tokens/s  "
              f"{n_exp} experts/layer  {weight_bytes / 1e9:6.2f} GB/step  "
              f"{r['effective_bytes_per_second'] / 1e9:6.0f} GB/s  {100 * r['fraction_of_copy_bandwidth']:4.0f}% of copy")
        if not args.no_graph:
            del graph

    if args.json:
        with open(args.json, "w") as f:
            json.dump({"device": dev.name, "torch": torch.__version__, "layers": args.layers,
                       "distinct_layers": distinct, "experts": args.experts,
                       "copy_bandwidth_bytes_per_second": copy, "decode": results}, f, indent=2)
        print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
