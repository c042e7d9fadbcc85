// Tests of the emulator itself (emu.h, emu.cpp, rewrite.cpp) with small kernels in CUDA syntax: warp collectives
// against the CUDA programming guide's semantics, ldmatrix and mma.sync against the PTX ISA's fragment formulas
// (through the kernels' own wrappers in common/mma.cuh), shared-memory poisoning, dynamic shared memory, launch
// errors, and the failures the emulator must report (each run in a child process that must exit with status 2 and
// say why).
#include <sys/wait.h>
#include <unistd.h>

#include "common/dequant.cuh"
#include "common/mma.cuh"
#include "test_util.h"

namespace {

// ---- kernels ----

__global__ void collectives_kernel(int* out) {
    const int lane = threadIdx.x & 31;
    int* o = out + threadIdx.x * 8;
    o[0] = __shfl_sync(0xffffffffu, lane * 10, (lane + 3) & 31);
    o[1] = __shfl_xor_sync(0xffffffffu, lane * 10, 5);
    o[2] = __shfl_up_sync(0xffffffffu, lane * 10, 3);
    o[3] = __shfl_down_sync(0xffffffffu, lane * 10, 3, 16);
    o[4] = __shfl_xor_sync(0xffffffffu, lane * 10, 2, 4);
    o[5] = static_cast<int>(__ballot_sync(0xffffffffu, lane % 3 == 0));
    o[6] = static_cast<int>(__match_any_sync(0xffffffffu, lane % 4));
    __syncwarp();
    o[7] = __shfl_sync(0xffffffffu, static_cast<int>(blockIdx.x * 1000 + threadIdx.x), 31);
}

// Block reduction through shared memory: needs every barrier.
__global__ void reduce_kernel(const float* in, float* out) {
    __shared__ float part[256];
    part[threadIdx.x] = in[blockIdx.x * 256 + threadIdx.x];
    for (int s = 128; s > 0; s >>= 1) {
        __syncthreads();
        if (threadIdx.x < s) {
            part[threadIdx.x] += part[threadIdx.x + s];
        }
    }
    __syncthreads();
    if (threadIdx.x == 0) {
        out[blockIdx.x] = part[0];
    }
}

// Writes shared memory (write), or reads it without writing: every block starts with 0xFF bytes there.
__global__ void shared_kernel(bool write, float* f, int* i) {
    __shared__ float sf[4];
    __shared__ int si[4];
    if (write) {
        sf[threadIdx.x] = 5.f;
        si[threadIdx.x] = 5;
    }
    __syncthreads();
    f[threadIdx.x] = sf[threadIdx.x];
    i[threadIdx.x] = si[threadIdx.x];
}

__global__ void dynamic_shared_kernel(int n, int* out) {
    extern __shared__ __align__(16) int dyn[];
    for (int k = threadIdx.x; k < n; k += blockDim.x) {
        dyn[k] = k * 3;
    }
    __syncthreads();
    if (threadIdx.x == 0) {
        out[0] = dyn[n - 1];
    }
}

// One warp: A (16 x 16) and B^T (8 x 16) in shared memory, A's fragment through ldmatrix (rows 16-byte aligned),
// B's from the PTX ISA formula; records A's fragments and D = A B.
__global__ void mma_kernel(const __half* a, const __half* bt, uint32_t* afrag, float* d) {
    __shared__ __align__(16) __half sa[16][24];
    for (int k = threadIdx.x; k < 256; k += 32) {
        sa[k / 16][k % 16] = a[k];
    }
    __syncwarp();
    const int lane = threadIdx.x;
    const int g = lane / 4;
    const int t = lane % 4;
    uint32_t af[4];
    rw::mma::ldmatrix_x4(af, &sa[lane & 15][(lane >> 4) * 8]);
    for (int i = 0; i < 4; ++i) {
        afrag[lane * 4 + i] = af[i];
    }
    uint32_t bf[2];
    for (int i = 0; i < 2; ++i) {  // b_i = (k = 2t + 8i, 2t + 8i + 1; n = g)
        const __half lo = bt[g * 16 + 2 * t + 8 * i];
        const __half hi = bt[g * 16 + 2 * t + 8 * i + 1];
        bf[i] = rw::dq::bits_h2(__halves2half2(lo, hi));
    }
    float acc[4] = {1.f, 2.f, 3.f, 4.f};  // C, added to the product
    rw::mma::mma_m16n8k16(acc, af, bf);
    for (int i = 0; i < 4; ++i) {  // d_i = (row g + 8 (i / 2), col 2t + i % 2)
        d[(g + 8 * (i / 2)) * 8 + 2 * t + i % 2] = acc[i];
    }
}

// ---- kernels the emulator must reject ----

__global__ void early_return_kernel() {
    if (threadIdx.x == 3) {
        return;
    }
    __syncthreads();
}

__global__ void read_past_end_kernel(const float* p, int n, float* out) { out[0] = p[n + threadIdx.x]; }

__global__ void misaligned_kernel(const float* p, float* out) {
    const float4 v = __ldg(reinterpret_cast<const float4*>(p + 1));
    out[threadIdx.x] = v.x;
}

__global__ void divergent_collectives_kernel(int* out) {
    if (threadIdx.x < 16) {
        out[threadIdx.x] = static_cast<int>(__ballot_sync(0xffffffffu, 1));
    } else {
        out[threadIdx.x] = __shfl_sync(0xffffffffu, 1, 0);
    }
}

__global__ void unknown_ptx_kernel(uint32_t* out) {
    uint32_t r;
    asm("prmt.b32 %0, %1, %2, 0x3210;" : "=r"(r) : "r"(out[0]), "r"(out[1]));
    out[2] = r;
}

// ---- host ----

uint32_t half_pair(const __half* p) {
    uint32_t w;
    memcpy(&w, p, 4);
    return w;
}

int collectives_case() {
    t::Case tc("warp shuffles, ballot, match_any, syncwarp (2 blocks of 64)");
    t::Buf<int> out(2 * 64 * 8);
    out.fill(t::kIntPoison);
    int* o = out.data();
    for (int b = 0; b < 2; ++b) {
        collectives_kernel<<<1, 64>>>(o + b * 64 * 8);
    }
    for (int b = 0; b < 2; ++b) {
        for (int tid = 0; tid < 64; ++tid) {
            const int l = tid & 31;
            const int* r = o + (b * 64 + tid) * 8;
            const int seg = l & ~15;
            unsigned ballot = 0;
            for (int k = 0; k < 32; k += 3) {
                ballot |= 1u << k;
            }
            const int want[8] = {((l + 3) & 31) * 10,
                                 (l ^ 5) * 10,
                                 l >= 3 ? (l - 3) * 10 : l * 10,
                                 l + 3 < seg + 16 ? (l + 3) * 10 : l * 10,
                                 (l ^ 2) * 10,
                                 static_cast<int>(ballot),
                                 static_cast<int>(0x11111111u << (l % 4)),
                                 (tid & ~31) + 31};
            for (int k = 0; k < 8; ++k) {
                tc.expect(r[k] == want[k], "block %d thread %d result %d: %d, want %d", b, tid, k, r[k], want[k]);
            }
        }
    }
    return tc.report();
}

int reduce_case() {
    t::Case tc("__syncthreads: shared-memory tree reduction (4 blocks of 256)");
    t::Buf<float> in(4 * 256);
    t::Buf<float> out(4);
    for (size_t k = 0; k < in.size(); ++k) {
        in[k] = static_cast<float>(k % 97);
    }
    out.fill(t::kNaN);
    reduce_kernel<<<4, 256>>>(in.data(), out.data());
    tc.expect(cudaGetLastError() == cudaSuccess, "launch failed");
    for (int b = 0; b < 4; ++b) {
        float want = 0;
        for (int k = 0; k < 256; ++k) {
            want += in[b * 256 + k];
        }
        tc.expect(out[b] == want, "block %d: %g, want %g", b, out[b], want);
    }
    return tc.report();
}

int shared_case() {
    t::Case tc("shared memory starts as 0xFF bytes; dynamic shared memory and its launch limits");
    t::Buf<float> f(4);
    t::Buf<int> i(4);
    f.fill(0.f);
    i.fill(0);
    shared_kernel<<<1, 4>>>(true, f.data(), i.data());
    tc.expect(f[0] == 5.f && i[0] == 5, "written shared memory reads back %g, %d", f[0], i[0]);
    shared_kernel<<<2, 4>>>(false, f.data(), i.data());  // the same variables, not written this time
    for (int k = 0; k < 4; ++k) {
        tc.expect(std::isnan(f[k]) && i[k] == -1, "element %d: %g, %d", k, f[k], i[k]);
    }
    t::Buf<int> out(1);
    out[0] = 0;
    dynamic_shared_kernel<<<1, 128, 1000 * sizeof(int)>>>(1000, out.data());
    tc.expect(cudaGetLastError() == cudaSuccess && out[0] == 2997, "1000 ints: %d", out[0]);
    const int big = 20000;  // 80000 bytes: above 48 KiB
    dynamic_shared_kernel<<<1, 128, big * sizeof(int)>>>(big, out.data());
    tc.expect(cudaGetLastError() == cudaErrorInvalidConfiguration, "80000 bytes accepted without the attribute");
    tc.expect(cudaFuncSetAttribute(dynamic_shared_kernel, cudaFuncAttributeMaxDynamicSharedMemorySize,
                                   big * static_cast<int>(sizeof(int))) == cudaSuccess,
              "cudaFuncSetAttribute failed");
    dynamic_shared_kernel<<<1, 128, big * sizeof(int)>>>(big, out.data());
    tc.expect(cudaGetLastError() == cudaSuccess && out[0] == 3 * (big - 1), "80000 bytes: %d", out[0]);
    dynamic_shared_kernel<<<1, 2048, 64>>>(16, out.data());
    tc.expect(cudaGetLastError() == cudaErrorInvalidConfiguration, "2048 threads accepted");
    dynamic_shared_kernel<<<dim3(1, 70000), 32, 64>>>(16, out.data());
    tc.expect(cudaGetLastError() == cudaErrorInvalidConfiguration, "grid.y 70000 accepted");
    return tc.report();
}

// Adds `by` to every element (for the stream-capture case).
__global__ void add_kernel(int* v, int n, int by) {
    const int i = static_cast<int>(blockIdx.x * blockDim.x + threadIdx.x);
    if (i < n) {
        v[i] += by;
    }
}

int runtime_case() {
    t::Case tc("runtime API: device memory, stream capture into a graph and its replay, capture violations");
    int count = 0;
    cudaDeviceProp prop{};
    tc.expect(cudaGetDeviceCount(&count) == cudaSuccess && count == 1, "device count %d", count);
    tc.expect(cudaGetDeviceProperties(&prop, 0) == cudaSuccess && strcmp(prop.name, "rewoo4j emulated device (CPU)") == 0,
              "device name %s", prop.name);
    int* v = nullptr;
    tc.expect(cudaMalloc(&v, 64 * sizeof(int)) == cudaSuccess && v != nullptr, "cudaMalloc");
    int host[64];
    for (int i = 0; i < 64; ++i) {
        host[i] = i;
    }
    tc.expect(cudaMemcpy(v, host, sizeof host, cudaMemcpyHostToDevice) == cudaSuccess, "upload");
    tc.expect(cudaMemcpy(v, host, sizeof host + 4, cudaMemcpyHostToDevice) == cudaErrorInvalidValue,
              "a copy past the allocation's end was accepted");
    cudaGetLastError();
    cudaStream_t s = nullptr;
    tc.expect(cudaStreamCreateWithFlags(&s, cudaStreamDefault) == cudaSuccess, "cudaStreamCreate");
    tc.expect(cudaStreamBeginCapture(s, cudaStreamCaptureModeThreadLocal) == cudaSuccess, "begin capture");
    {
        int by = 100;  // the launch copies its arguments: changing (or leaving the scope of) this later is harmless
        add_kernel<<<2, 32, 0, s>>>(v, 64, by);
        by = -7;
        add_kernel<<<2, 32, 0, s>>>(v, 64, by);
    }
    tc.expect(cudaMemsetAsync(v, 0, 4, s) == cudaSuccess, "captured memset");
    tc.expect(cudaGetLastError() == cudaSuccess, "capture reported an error");
    cudaGraph_t graph = nullptr;
    cudaGraphExec_t exec = nullptr;
    tc.expect(cudaStreamEndCapture(s, &graph) == cudaSuccess && graph != nullptr, "end capture");
    int now[64];
    tc.expect(cudaMemcpy(now, v, sizeof now, cudaMemcpyDeviceToHost) == cudaSuccess, "download");
    tc.expect(now[5] == 5, "a captured launch ran at once: %d", now[5]);
    tc.expect(cudaGraphInstantiate(&exec, graph, 0) == cudaSuccess && cudaGraphDestroy(graph) == cudaSuccess,
              "instantiate");
    for (int r = 0; r < 2; ++r) {
        tc.expect(cudaGraphLaunch(exec, s) == cudaSuccess && cudaStreamSynchronize(s) == cudaSuccess, "launch");
    }
    tc.expect(cudaMemcpy(now, v, sizeof now, cudaMemcpyDeviceToHost) == cudaSuccess, "download");
    tc.expect(now[0] == 0 && now[5] == 5 + 2 * 93 && now[63] == 63 + 2 * 93, "after two replays: %d %d %d", now[0],
              now[5], now[63]);
    tc.expect(cudaGraphExecDestroy(exec) == cudaSuccess, "cudaGraphExecDestroy");
    // A synchronous copy while capturing invalidates the capture, as on a GPU.
    tc.expect(cudaStreamBeginCapture(s, cudaStreamCaptureModeThreadLocal) == cudaSuccess, "begin capture");
    tc.expect(cudaMemcpy(now, v, sizeof now, cudaMemcpyDeviceToHost) == cudaErrorStreamCaptureUnsupported,
              "a synchronous copy during capture was accepted");
    tc.expect(cudaStreamEndCapture(s, &graph) == cudaErrorStreamCaptureInvalidated && graph == nullptr,
              "an invalidated capture ended normally");
    cudaGetLastError();
    tc.expect(cudaStreamDestroy(s) == cudaSuccess && cudaFree(v) == cudaSuccess, "cleanup");
    tc.expect(cudaFree(v) == cudaErrorInvalidValue, "a double free was accepted");
    cudaGetLastError();
    return tc.report();
}

int mma_case() {
    t::Case tc("ldmatrix.x4 and mma.sync.m16n8k16 against the PTX ISA fragment formulas");
    t::Rng rng(5);
    t::Buf<__half> a(256);
    t::Buf<__half> bt(128);
    t::Buf<uint32_t> afrag(128);
    t::Buf<float> d(128);
    for (size_t k = 0; k < a.size(); ++k) {
        a[k] = __float2half_rn(rng.uniform(-2.f, 2.f));
    }
    for (size_t k = 0; k < bt.size(); ++k) {
        bt[k] = __float2half_rn(rng.uniform(-2.f, 2.f));
    }
    afrag.fill(0u);
    d.fill(t::kNaN);
    mma_kernel<<<1, 32>>>(a.data(), bt.data(), afrag.data(), d.data());
    for (int lane = 0; lane < 32; ++lane) {
        const int g = lane / 4;
        const int t4 = lane % 4;
        for (int i = 0; i < 4; ++i) {  // a_(2i, 2i+1): row g + 8 (i % 2), cols 2t + 8 (i / 2) + {0, 1}
            const uint32_t want = half_pair(&a[(g + 8 * (i % 2)) * 16 + 2 * t4 + 8 * (i / 2)]);
            tc.expect(afrag[lane * 4 + i] == want, "lane %d A register %d: %#x, want %#x", lane, i,
                      afrag[lane * 4 + i], want);
        }
    }
    for (int r = 0; r < 16; ++r) {
        for (int n = 0; n < 8; ++n) {
            double want = 1.0 + (r >= 8 ? 2 : 0) + (n % 2);  // C = (1, 2 | 3, 4) by (row half, column parity)
            for (int k = 0; k < 16; ++k) {
                want += static_cast<double>(__half2float(a[r * 16 + k])) * __half2float(bt[n * 16 + k]);
            }
            tc.expect(std::fabs(d[r * 8 + n] - want) <= 1e-5 * std::fabs(want) + 1e-6, "D[%d][%d] = %.7g, want %.7g",
                      r, n, d[r * 8 + n], want);
        }
    }
    return tc.report();
}

// Runs `launch` in a child process, which must stop with status 2 and a message containing `expected`.
template <class F>
int reject_case(const char* name, const char* expected, F launch) {
    t::Case tc(std::string("rejects: ") + name);
    int pipe_fd[2];
    if (pipe(pipe_fd) != 0) {
        tc.fail("pipe failed");
        return tc.report();
    }
    fflush(stdout);
    const pid_t pid = fork();
    if (pid == 0) {
        dup2(pipe_fd[1], 2);
        close(pipe_fd[0]);
        launch();
        _exit(0);
    }
    close(pipe_fd[1]);
    std::string err;
    char buf[512];
    for (ssize_t n; (n = read(pipe_fd[0], buf, sizeof buf)) > 0;) {
        err.append(buf, static_cast<size_t>(n));
    }
    close(pipe_fd[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    const int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    tc.expect(code == 2, "exit status %d, want 2 (stderr: %s)", code, err.c_str());
    tc.expect(err.find(expected) != std::string::npos, "message lacks \"%s\": %s", expected, err.c_str());
    const size_t eol = err.find('\n');
    tc.note("%s", err.substr(0, std::min<size_t>(eol, 90)).c_str());
    return tc.report();
}

}  // namespace

int main() {
    int cases = 0;
    int failed = 0;
    auto add = [&](int r) {
        ++cases;
        failed += r;
    };
    add(collectives_case());
    add(reduce_case());
    add(shared_case());
    add(mma_case());
    add(runtime_case());
    add(reject_case("__syncthreads after a thread returned", "deadlock", [] { early_return_kernel<<<1, 64>>>(); }));
    add(reject_case("read past the end of a buffer", "past the end of a device_alloc buffer", [] {
        t::Buf<float> p(100);
        t::Buf<float> out(1);
        read_past_end_kernel<<<1, 1024>>>(p.data(), 100, out.data());
    }));
    add(reject_case("misaligned 16-byte __ldg", "not aligned", [] {
        t::Buf<float> p(8);
        t::Buf<float> out(32);
        misaligned_kernel<<<1, 32>>>(p.data(), out.data());
    }));
    add(reject_case("lanes of a warp in different collectives", "different collectives", [] {
        t::Buf<int> out(32);
        divergent_collectives_kernel<<<1, 32>>>(out.data());
    }));
    add(reject_case("PTX the emulator does not know", "is not emulated", [] {
        t::Buf<uint32_t> out(3);
        unknown_ptx_kernel<<<1, 1>>>(out.data());
    }));
    return t::finish("test_emu", cases, failed);
}
