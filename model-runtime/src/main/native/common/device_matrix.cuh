// Shared description of one linear layer's weights on the device, and of how a batch of rows is routed to it.
// The Java side (io.rewoo4j.runtime.cuda.DeviceMatrixTable) writes DeviceMatrix records into device memory with the
// field offsets below; jni_bindings.cpp reports them (Java_..._structLayout) so a mismatch fails the load, not a run.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cuda_fp16.h>

namespace rw {

// ---------------------------------------------------------------------------------------------------------------
// GPU GPTQ layout (built on the host by CudaGptqLayout.java; see docs/runtime-cuda.md):
//
//  * Input rows are sorted by group (stable counting sort on g_idx), each group padded to whole blocks of 32 input
//    "slots". slot_input[slot] is the input index feeding that slot, or -1 for padding (x = 0 there, q = 0).
//  * qweight is uint32 [blocks][out][bits]: for block b and output column o, `bits` consecutive words hold the 32
//    quantised values of the block's slots in an order chosen for cheap dequantisation:
//      bits 4: word j holds slots 8j..8j+7; slot 8j+2k at bits 4k..4k+3 and slot 8j+2k+1 at bits 16+4k..16+4k+3
//              (k = 0..3), so ((w >> 4k) & 0x000F000F) | 0x64006400 is the half2 (1024 + q_even, 1024 + q_odd).
//      bits 8: word j holds slots 4j..4j+3, one byte each, least significant byte first.
//      bits 3: word 0 holds the low two bits of slots 0..15 at bits 2i, word 1 those of slots 16..31, word 2 the
//              third bit of slot i at bit i (a 2-bit plane plus a 1-bit plane: no value straddles a word).
//      bits 2: word j holds slots 16j..16j+15 at bits 2i.
//  * scale_zero is half2 [groups][out]: .x = scale, .y = 1024 + zero (exact in fp16 for zero <= 1023), so that
//    W[o][i] = scale * ((1024 + q) - (1024 + zero)) with both operands exact.
//  * block_group[b] is the group of every slot in block b.
// ---------------------------------------------------------------------------------------------------------------

enum MatrixKind : int32_t {
    MATRIX_GPTQ = 0,   // the layout above
    MATRIX_DENSE = 1,  // dense fp16 W [out][in], row-major (nn.Linear's weight)
};

// One matrix. 8-byte fields first; 96 bytes; every record of one launch has the same kind (and bits for GPTQ).
struct DeviceMatrix {
    const uint32_t* qweight;      //  0  GPTQ: [blocks][out][bits]
    const __half2* scale_zero;    //  8  GPTQ: [groups][out]
    const int32_t* block_group;   // 16  GPTQ: [blocks]
    const int32_t* slot_input;    // 24  GPTQ: [blocks * 32]
    const __half* dense;          // 32  DENSE: [out][in]
    const float* bias;            // 40  [out] or null
    int64_t reserved;             // 48  0
    int32_t kind;                 // 56  MatrixKind
    int32_t bits;                 // 60  GPTQ: 2, 3, 4 or 8
    int32_t in;                   // 64  in_features
    int32_t out;                  // 68  out_features
    int32_t blocks;               // 72  GPTQ: number of 32-slot blocks
    int32_t groups;               // 76  GPTQ: number of groups
    int32_t y_col_offset;         // 80  where this matrix's outputs start inside an output row
    int32_t pad[3];               // 84
};
static_assert(sizeof(DeviceMatrix) == 96, "DeviceMatrix layout is shared with Java");
static_assert(offsetof(DeviceMatrix, kind) == 56, "DeviceMatrix layout is shared with Java");
static_assert(offsetof(DeviceMatrix, y_col_offset) == 80, "DeviceMatrix layout is shared with Java");

// How rows are fed to a batch of linear layers and where results go. A "task" is one (row, expert) pair:
//  * without routing (expert_offset == nullptr): tasks are the rows 0..rows-1, all on expert 0 with weight 1, and
//    token(task) = task;
//  * with routing (Mixtral MoE): assignments a = token * topk + k were sorted by expert into sorted_assign; expert e
//    owns sorted_assign[expert_offset[e] .. expert_offset[e+1]); the task is the assignment a, token(a) = a / topk,
//    and its weight assign_weight[a].
enum InputMode : int32_t {
    INPUT_TOKEN = 0,     // input row of task t = x[token(t) * ldx + 0 .. in)
    INPUT_SILU_MUL = 1,  // input row of task t = silu(x[t*ldx + i]) * x[t*ldx + in + i] (gate | up, written by a
                         // previous launch in OUTPUT_TASK mode with y_col_offset 0 and in)
};
enum OutputMode : int32_t {
    OUTPUT_TASK = 0,            // y[t * ldy + y_col_offset + o] += result  (y zeroed by the caller)
    OUTPUT_TOKEN_WEIGHTED = 1,  // y[token(t) * ldy + y_col_offset + o] += weight(t) * result  (residual add / MoE)
};

struct LinearBatch {
    const DeviceMatrix* mats;      // device table [experts][nmat]
    int32_t nmat;                  // matrices per expert applied to each task (q,k,v: 3; gate,up: 2; else 1)
    int32_t experts;               // 1 without routing
    const float* x;                // activation rows, fp32
    int32_t ldx;
    int32_t rows;                  // tokens (without routing: tasks)
    int32_t input_mode;            // InputMode
    int32_t output_mode;           // OutputMode
    float* y;                      // fp32 output, accumulated into with atomicAdd
    int32_t ldy;
    int32_t topk;                  // routing only
    const int32_t* expert_offset;  // [experts + 1] or null
    const int32_t* sorted_assign;  // [rows * topk]
    const float* assign_weight;    // [rows * topk], indexed by assignment
};

}  // namespace rw
