// Rotary embedding, the KV cache and attention (grouped-query, causal, optional sliding window).
//
// Row layout: each activation row of `qkv` holds q (heads * head_dim), then k (kv_heads * head_dim), then v
// (kv_heads * head_dim), fp32, at stride ld. KV cache of one layer: fp16 [max_seqs][max_pos][kv_heads][head_dim]
// for k and for v. Query head h reads kv head h / (heads / kv_heads) (transformers' repeat_kv).
#pragma once

#include <cstdint>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

namespace rw {

// Applies NeoX-style rotary embedding in place to q and k of every row r at position pos[r] (pairs (i, i + hd/2),
// angle table cos/sin [max_pos][head_dim/2] computed on the host exactly as the CPU backend does), then stores k
// and v as fp16 into the cache at (seq[r], pos[r]).
cudaError_t rope_and_store_kv(float* qkv, int ld, int rows, int heads, int kv_heads, int head_dim,
                              const int32_t* seq, const int32_t* pos, const float* cos_table,
                              const float* sin_table, __half* k_cache, __half* v_cache, int max_seqs, int max_pos,
                              cudaStream_t stream);

// Decode: for each row r (its own sequence seq[r], position pos[r]; k/v already stored) and query head h,
// out[r * ldo + h * head_dim + d] = softmax_j(q . k_j * scale) v_j over positions j in
// [max(0, pos[r] - window + 1), pos[r]] (window <= 0: no window). Softmax in fp32.
cudaError_t attention_decode(const float* qkv, int ld, int rows, int heads, int kv_heads, int head_dim,
                             const int32_t* seq, const int32_t* pos, const __half* k_cache, const __half* v_cache,
                             int max_seqs, int max_pos, int window, float scale, float* out, int ldo,
                             cudaStream_t stream);
// Long contexts are split across blocks and merged by a second kernel through one 8 MiB scratch buffer per device
// (static device memory, so the launch can be captured into a graph): calls on different streams of the same
// device must not overlap.

// Prefill: rows are consecutive positions start_pos .. start_pos + rows - 1 of sequence `seq` (k/v of all of them
// and of every earlier position already stored); same result as attention_decode row by row, computed in tiles of
// queries that share each staged block of keys and values.
cudaError_t attention_prefill(const float* qkv, int ld, int rows, int heads, int kv_heads, int head_dim, int seq,
                              int start_pos, const __half* k_cache, const __half* v_cache, int max_seqs,
                              int max_pos, int window, float scale, float* out, int ldo, cudaStream_t stream);

}  // namespace rw
