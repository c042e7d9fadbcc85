// emu.h: a CPU emulation of the part of CUDA that the kernels in src/main/native use, so that their logic is
// tested on machines without a GPU (CI compiles the kernels with nvcc but cannot run them).
//
// How a kernel source becomes a test: run.sh passes every *.cu / *.cuh of src/main/native through rewrite.cpp into
// the build directory. The rewriter translates the three constructs that C++ cannot express through macros, and
// nothing else: kernel launches k<<<grid, block, smem, stream>>>(args), inline PTX asm statements, and __shared__
// declarations. The copies are compiled as C++17 with this header forced in front (-include emu.h) and include/
// (cuda_runtime.h and cuda_fp16.h, which only include this file) on the include path, and linked with emu.cpp and
// a test program that compares the results with double-precision references.
//
// The same emulator also stands in for a whole device: build-emulated-device.sh compiles jni_bindings.cpp and every
// kernel source this way into librewoo4j_cuda_emulated.so, a JNI library whose CUDA runtime API (emu.cpp: one device
// named "rewoo4j emulated device (CPU)", cudaMalloc'd memory is guarded host memory, copies check that their device
// side lies inside one allocation) runs everything synchronously on the calling thread under one mutex. A stream
// being captured records its launches, copies, memsets and event records into a graph, which cudaGraphLaunch
// replays in capture order (a launch holds copies of its arguments); a synchronous call during a capture, or work on
// the legacy stream, invalidates the capture as CUDA does. The model runtime's GPU tests run against it in the
// surefire execution "emulated-device" (model-runtime/pom.xml). It proves the orchestration (argument marshalling,
// buffer sizes and offsets, launch order, graph capture and replay) and the kernels' results, not timing, real
// concurrency between streams, or the host/device asynchrony (every call has finished when it returns, so a missing
// synchronisation before reading device results cannot show).
//
// What is emulated
//  * A launch runs its blocks one after another. The threads of a block are fibers on one OS thread (each with its
//    own stack, switched cooperatively): a thread runs until it reaches a synchronisation point and waits there
//    until every thread that must take part has arrived. __syncthreads needs every thread of the block; a warp
//    collective (shuffles, votes, __match_any_sync, __syncwarp, ldmatrix, mma.sync) needs every lane of the warp,
//    all in the same operation. Blocks alternate between two schedules (shuffled with the seed EMU_SEED): rounds,
//    in which every thread that can run runs to its next synchronisation point, and warp after warp, each warp as
//    far as it gets before the next starts (one warp runs ahead of the others). Code that relies on an order the
//    hardware does not promise, such as a missing __syncthreads between one warp's write and another's read, tends
//    to give wrong results.
//  * Shared memory: each __shared__ variable (and the dynamic shared memory) has its own place in one arena, which
//    is filled with 0xFF bytes (NaN as fp32 and fp16, -1 as integers) before every block: reading shared memory the
//    block did not write shows up in the results.
//  * fp16 (__half, __half2) through _Float16, rounded once per operation (fused multiply-adds too); mma.sync
//    m16n8k16 (fp16 in, fp32 accumulate) multiplies exactly and adds in double, rounded to fp32 once; ldmatrix and
//    ld.global.nc; atomics (trivially atomic: one thread runs at a time).
//  * Errors that stop the test program with a message: a deadlock (a barrier or warp collective that some thread
//    never reaches, for example because it returned early; different collectives on lanes of one warp), a
//    misaligned vector load (__ldg, PTX loads, ldmatrix rows), an ldmatrix address outside shared memory, launch
//    configurations CUDA rejects (more than 1024 threads, grid.y or grid.z above 65535, dynamic shared memory above
//    48 KiB without cudaFuncSetAttribute or above the sm_80 limit of 163 KiB: the launcher then gets an error), a
//    PTX instruction or intrinsic this file does not implement (a compile or run-time error naming it), and any
//    access past the end of a buffer allocated with emu::device_alloc (a guard page; reported with the kernel,
//    block and thread).
//
// What it cannot prove
//  * Anything about real hardware timing, occupancy, registers or spills (nvcc -Xptxas -v reports those), or
//    __launch_bounds__ and the static shared-memory size.
//  * The memory model: threads never run truly in parallel and blocks run one after another, so races between
//    blocks (or between atomics and plain accesses), missing __threadfence/volatile, and the order of fp32 atomic
//    additions are not exercised; a missing __syncthreads or __syncwarp is found only when the shuffled thread order
//    changes a result.
//  * Device arithmetic bit for bit: expf, exp2f, sqrtf, __expf, ... come from the host's libm (the GPU's differ by
//    a few ulp), nvcc contracts a * b + c into FMAs and g++ does not, and the tensor cores accumulate in a different
//    order and rounding: the tests compare with the tolerances that the kernel sources (or their GPU tests) state.
//  * The exact PTX fragment layouts: those of ldmatrix and mma.sync are this emulator's reading of the PTX ISA
//    documentation (matrix fragments of mma.m16n8k16 and of ldmatrix); were it wrong in the same way as a kernel,
//    both would agree here and fail on a GPU.
//  * Forward progress: a thread is never preempted, so a loop that waits for another thread without reaching a
//    synchronisation point (a spin lock, a flag set by another warp) never ends.
//
// The emulator's own tests are test_emu.cu (collectives, ldmatrix/mma fragments, shared memory, launch errors, and
// the errors listed above).
#pragma once

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <initializer_list>
#include <tuple>
#include <type_traits>
#include <utility>

// ------------------------------------------------------------------------------------------------------------------
// Qualifiers
// ------------------------------------------------------------------------------------------------------------------

#define __global__
#define __device__
#define __host__
#define __constant__
#define __forceinline__ inline __attribute__((always_inline))
#define __noinline__ __attribute__((noinline))
#define __launch_bounds__(...)
#define __align__(n) __attribute__((aligned(n)))
// __shared__ declarations are rewritten by rewrite.cpp into emu::shared_var / emu::dynamic_shared; one that is not
// (in a macro, say) must not compile silently.
#define __shared__ __shared__is_rewritten_by_rewrite_cpp

// ------------------------------------------------------------------------------------------------------------------
// Vector types, dim3, built-in variables
// ------------------------------------------------------------------------------------------------------------------

#define EMU_VEC2(T, N, A) \
    struct __align__(A) N##2 { T x, y; }; \
    inline N##2 make_##N##2(T x, T y) { return {x, y}; }
#define EMU_VEC4(T, N, A) \
    struct __align__(A) N##4 { T x, y, z, w; }; \
    inline N##4 make_##N##4(T x, T y, T z, T w) { return {x, y, z, w}; }
EMU_VEC2(int, int, 8)
EMU_VEC4(int, int, 16)
EMU_VEC2(unsigned int, uint, 8)
EMU_VEC4(unsigned int, uint, 16)
EMU_VEC2(float, float, 8)
EMU_VEC4(float, float, 16)
EMU_VEC2(double, double, 16)
EMU_VEC2(long long, longlong, 16)
EMU_VEC2(unsigned long long, ulonglong, 16)
#undef EMU_VEC2
#undef EMU_VEC4

struct uint3 {
    unsigned int x, y, z;
};
struct dim3 {
    unsigned int x, y, z;
    constexpr dim3(unsigned int vx = 1, unsigned int vy = 1, unsigned int vz = 1) : x(vx), y(vy), z(vz) {}
    constexpr dim3(uint3 v) : x(v.x), y(v.y), z(v.z) {}
};

// Set by the scheduler before a thread runs (emu.cpp).
extern uint3 threadIdx;
extern uint3 blockIdx;
extern dim3 blockDim;
extern dim3 gridDim;
constexpr int warpSize = 32;

// ------------------------------------------------------------------------------------------------------------------
// Runtime API (the part the launchers call)
// ------------------------------------------------------------------------------------------------------------------

enum cudaError_t {
    cudaSuccess = 0,
    cudaErrorInvalidValue = 1,
    cudaErrorMemoryAllocation = 2,
    cudaErrorInvalidConfiguration = 9,
    cudaErrorNoDevice = 100,
    cudaErrorInvalidDevice = 101,
    cudaErrorInvalidResourceHandle = 400,
    cudaErrorNotSupported = 801,
    cudaErrorStreamCaptureUnsupported = 900,
    cudaErrorStreamCaptureInvalidated = 901,
    cudaErrorStreamCaptureUnmatched = 903,
    cudaErrorStreamCaptureImplicit = 906,
    cudaErrorCapturedEvent = 907,
};
typedef cudaError_t cudaError;
struct CUstream_st;
typedef CUstream_st* cudaStream_t;
enum cudaDeviceAttr {
    cudaDevAttrMaxThreadsPerBlock = 1,
    cudaDevAttrMultiProcessorCount = 16,
    cudaDevAttrMemoryClockRate = 36,
    cudaDevAttrGlobalMemoryBusWidth = 37,
};
enum cudaFuncAttribute { cudaFuncAttributeMaxDynamicSharedMemorySize = 8 };

cudaError_t cudaGetLastError();
cudaError_t cudaPeekAtLastError();
const char* cudaGetErrorString(cudaError_t e);
cudaError_t cudaGetDevice(int* device);
cudaError_t cudaDeviceGetAttribute(int* value, cudaDeviceAttr attr, int device);

namespace emu {
cudaError_t set_func_attribute(const void* func, cudaFuncAttribute attr, int value);
}
template <class F>
cudaError_t cudaFuncSetAttribute(F* func, cudaFuncAttribute attr, int value) {
    return emu::set_func_attribute(reinterpret_cast<const void*>(func), attr, value);
}

// The rest of the runtime API, for the emulated-device build of the JNI library (build-emulated-device.sh): one
// device whose memory is host memory, and streams, events and graphs that run everything synchronously, in the
// order it is issued (a graph replays its recorded launches and copies in the order they were captured).
#define CUDART_VERSION 13000
#define cudaStreamDefault 0x00
#define cudaStreamNonBlocking 0x01
struct CUevent_st;
typedef CUevent_st* cudaEvent_t;
struct CUgraph_st;
typedef CUgraph_st* cudaGraph_t;
struct CUgraphExec_st;
typedef CUgraphExec_st* cudaGraphExec_t;
enum cudaMemcpyKind {
    cudaMemcpyHostToHost = 0,
    cudaMemcpyHostToDevice = 1,
    cudaMemcpyDeviceToHost = 2,
    cudaMemcpyDeviceToDevice = 3,
    cudaMemcpyDefault = 4,
};
enum cudaStreamCaptureMode {
    cudaStreamCaptureModeGlobal = 0,
    cudaStreamCaptureModeThreadLocal = 1,
    cudaStreamCaptureModeRelaxed = 2,
};
struct cudaDeviceProp {
    char name[256];
    size_t totalGlobalMem;
    size_t sharedMemPerBlock;
    int regsPerBlock;
    int warpSize;
    int maxThreadsPerBlock;
    int major;
    int minor;
    int multiProcessorCount;
    int l2CacheSize;
    size_t sharedMemPerBlockOptin;
};
cudaError_t cudaPeekAtLastError();
const char* cudaGetErrorName(cudaError_t e);
cudaError_t cudaGetDeviceCount(int* count);
cudaError_t cudaGetDeviceProperties(cudaDeviceProp* prop, int device);
cudaError_t cudaSetDevice(int device);
cudaError_t cudaDriverGetVersion(int* version);
cudaError_t cudaRuntimeGetVersion(int* version);
cudaError_t cudaMemGetInfo(size_t* free_bytes, size_t* total_bytes);
cudaError_t cudaMalloc(void** p, size_t bytes);
template <class T>
cudaError_t cudaMalloc(T** p, size_t bytes) {
    return cudaMalloc(reinterpret_cast<void**>(p), bytes);
}
cudaError_t cudaFree(void* p);
cudaError_t cudaMemcpy(void* dst, const void* src, size_t bytes, cudaMemcpyKind kind);
cudaError_t cudaMemcpyAsync(void* dst, const void* src, size_t bytes, cudaMemcpyKind kind, cudaStream_t stream = nullptr);
cudaError_t cudaMemset(void* p, int value, size_t bytes);
cudaError_t cudaMemsetAsync(void* p, int value, size_t bytes, cudaStream_t stream = nullptr);
cudaError_t cudaDeviceSynchronize();
cudaError_t cudaStreamCreate(cudaStream_t* stream);
cudaError_t cudaStreamCreateWithFlags(cudaStream_t* stream, unsigned int flags);
cudaError_t cudaStreamDestroy(cudaStream_t stream);
cudaError_t cudaStreamSynchronize(cudaStream_t stream);
cudaError_t cudaStreamBeginCapture(cudaStream_t stream, cudaStreamCaptureMode mode);
cudaError_t cudaStreamEndCapture(cudaStream_t stream, cudaGraph_t* graph);
cudaError_t cudaGraphInstantiate(cudaGraphExec_t* exec, cudaGraph_t graph, unsigned long long flags = 0);
cudaError_t cudaGraphDestroy(cudaGraph_t graph);
cudaError_t cudaGraphExecDestroy(cudaGraphExec_t exec);
cudaError_t cudaGraphLaunch(cudaGraphExec_t exec, cudaStream_t stream);
cudaError_t cudaEventCreate(cudaEvent_t* event);
cudaError_t cudaEventDestroy(cudaEvent_t event);
cudaError_t cudaEventRecord(cudaEvent_t event, cudaStream_t stream = nullptr);
cudaError_t cudaEventSynchronize(cudaEvent_t event);
cudaError_t cudaEventElapsedTime(float* ms, cudaEvent_t start, cudaEvent_t end);

// ------------------------------------------------------------------------------------------------------------------
// Emulator services (emu.cpp)
// ------------------------------------------------------------------------------------------------------------------

namespace emu {

// Prints "emu: <message>" with the running kernel, block and thread, and ends the process with status 2.
[[noreturn]] void fail(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

// Device selection for the launchers' cudaGetDevice/cudaDeviceGetAttribute: device d reports `sms` multiprocessors
// (devices 0..63; device 0 has 132, like an H100). Launchers cache per device, so a test that needs another count
// selects another device.
void set_device(int device, int sms);

// Zero-filled memory whose end (rounded up to 16 bytes) touches an inaccessible page, so reads or writes past the
// end stop the test with a message; 16-byte aligned like cudaMalloc'd memory. Freed with device_free.
void* device_alloc(size_t bytes);
void device_free(void* p);

// Collective of the calling thread's warp: every lane deposits `n` (<= 16) words and waits for all lanes of the warp,
// which must call the same operation `op`. Returns the deposits of all lanes ([lane][word]), valid until this lane's
// next collective.
typedef uint64_t LaneWords[16];
const LaneWords* warp_exchange(const char* op, unsigned mask, const uint64_t* words, int n);
// __syncthreads.
void block_barrier();

// Shared memory: a place in the arena for each declaration site (rewrite.cpp turns `__shared__ T name[N];` into
// `auto& name = emu::shared_var<T[N], align>([] {});`), and the launch's dynamic shared memory.
void* shared_alloc(size_t bytes, size_t align);
void* dynamic_shared_base();
template <class T, size_t Align, class Site>
T& shared_var(Site) {
    static T* const p = static_cast<T*>(shared_alloc(sizeof(T), Align > alignof(T) ? Align : alignof(T)));
    return *p;
}
template <class T>
T* dynamic_shared() {
    return static_cast<T*>(dynamic_shared_base());
}
// Offset of p in the shared-memory window (fails unless p points into shared memory), and back.
uint32_t shared_offset(const void* p);
void* shared_pointer(uint32_t offset, size_t bytes);

// Inline PTX: rewrite.cpp turns `asm("tmpl" : "=r"(a) : "r"(b));` into
// `emu::ptx("tmpl", {emu::ptx_out("=r", a)}, {emu::ptx_in("r", b)});`. Operand %i of the template is the i-th of the
// outputs followed by the inputs, as in GCC's and nvcc's asm.
struct PtxOperand {
    const char* constraint;
    void* ptr;      // outputs ("=", "+"): where the value lives
    uint64_t bits;  // inputs: the value
    int size;
};
template <class T>
PtxOperand ptx_out(const char* c, T& v) {
    static_assert(sizeof(T) <= 8, "PTX operands are registers");
    return {c, static_cast<void*>(&v), 0, static_cast<int>(sizeof(T))};
}
template <class T>
PtxOperand ptx_in(const char* c, const T& v) {
    static_assert(sizeof(T) <= 8, "PTX operands are registers");
    PtxOperand o{c, nullptr, 0, static_cast<int>(sizeof(T))};
    memcpy(&o.bits, &v, sizeof(T));
    return o;
}
void ptx(const char* tmpl, std::initializer_list<PtxOperand> outs, std::initializer_list<PtxOperand> ins);

// Kernel launches: rewrite.cpp turns `k<<<g, b, s, st>>>(args)` into `k << EMU_LAUNCH("k", g, b, s, st)(args)`.
struct LaunchCfg {
    const char* kernel;
    const char* file;
    int line;
    dim3 grid;
    dim3 block;
    size_t smem;
    cudaStream_t stream;
};
template <class... A>
struct Launch {
    LaunchCfg cfg;
    std::tuple<A...> args;
};
struct LaunchSite {
    LaunchCfg cfg;
    template <class... A>
    Launch<std::decay_t<A>...> operator()(A&&... a) const {
        return {cfg, std::tuple<std::decay_t<A>...>(std::forward<A>(a)...)};
    }
};
inline LaunchSite launch_site(const char* kernel, const char* file, int line, dim3 grid, dim3 block, size_t smem = 0,
                              cudaStream_t stream = nullptr) {
    return {{kernel, file, line, grid, block, smem, stream}};
}
// Runs `body` as every thread of every block (or records the launch error CUDA would report).
void run_grid(const LaunchCfg& cfg, const void* kernel, const std::function<void()>& body);
// A launch: run now, or recorded into the graph of the stream that is being captured (stream capture). `body`
// holds copies of the kernel's arguments, so that a recorded launch can be replayed after the launcher returned.
void launch(const LaunchCfg& cfg, const void* kernel, std::function<void()> body);

template <class... P, class... A>
void operator<<(void (*kernel)(P...), Launch<A...>&& l) {
    // Kernel parameters are copied at the launch; every thread gets its own copy, converted as in the call.
    launch(l.cfg, reinterpret_cast<const void*>(kernel),
           [kernel, args = std::move(l.args)] { std::apply([&](const A&... a) { kernel(a...); }, args); });
}

template <class T>
inline uint64_t to_bits(T v) {
    static_assert(sizeof(T) <= 8, "register-sized values only");
    uint64_t b = 0;
    memcpy(&b, &v, sizeof(T));
    return b;
}
template <class T>
inline T from_bits(uint64_t b) {
    T v;
    memcpy(&v, &b, sizeof(T));
    return v;
}

}  // namespace emu

#define EMU_LAUNCH(kernel, ...) ::emu::launch_site(kernel, __FILE__, __LINE__, __VA_ARGS__)

// ------------------------------------------------------------------------------------------------------------------
// Arithmetic intrinsics
// ------------------------------------------------------------------------------------------------------------------

// CUDA's global min/max overloads (the kernels call them unqualified on mixed integer types).
#define EMU_MINMAX(T)                                      \
    inline T min(T a, T b) { return b < a ? b : a; }      \
    inline T max(T a, T b) { return a < b ? b : a; }
EMU_MINMAX(int)
EMU_MINMAX(unsigned int)
EMU_MINMAX(long)
EMU_MINMAX(unsigned long)
EMU_MINMAX(long long)
EMU_MINMAX(unsigned long long)
#undef EMU_MINMAX
inline float min(float a, float b) { return fminf(a, b); }
inline float max(float a, float b) { return fmaxf(a, b); }
inline double min(double a, double b) { return fmin(a, b); }
inline double max(double a, double b) { return fmax(a, b); }
inline unsigned int min(int a, unsigned int b) { return min(static_cast<unsigned int>(a), b); }
inline unsigned int min(unsigned int a, int b) { return min(a, static_cast<unsigned int>(b)); }
inline unsigned int max(int a, unsigned int b) { return max(static_cast<unsigned int>(a), b); }
inline unsigned int max(unsigned int a, int b) { return max(a, static_cast<unsigned int>(b)); }

// Correctly rounded fp32 operations (g++ on x86-64 neither contracts nor uses excess precision for float).
inline float __fadd_rn(float a, float b) { return a + b; }
inline float __fsub_rn(float a, float b) { return a - b; }
inline float __fmul_rn(float a, float b) { return a * b; }
inline float __fdiv_rn(float a, float b) { return a / b; }
inline float __fmaf_rn(float a, float b, float c) { return fmaf(a, b, c); }
inline float __frcp_rn(float a) { return 1.0f / a; }
inline float __fsqrt_rn(float a) { return sqrtf(a); }
// Fast approximations: the host's accurate functions.
inline float __fdividef(float a, float b) { return a / b; }
inline float __expf(float a) { return expf(a); }
inline float __exp10f(float a) { return exp10f(a); }
inline float __logf(float a) { return logf(a); }
inline float __log2f(float a) { return log2f(a); }
inline float __sinf(float a) { return sinf(a); }
inline float __cosf(float a) { return cosf(a); }
inline float __powf(float a, float b) { return powf(a, b); }
inline float __saturatef(float a) { return a != a ? 0.0f : fminf(fmaxf(a, 0.0f), 1.0f); }
inline float rsqrtf(float a) { return 1.0f / sqrtf(a); }

inline unsigned int __float_as_uint(float v) { return emu::from_bits<unsigned int>(emu::to_bits(v)); }
inline int __float_as_int(float v) { return emu::from_bits<int>(emu::to_bits(v)); }
inline float __uint_as_float(unsigned int v) { return emu::from_bits<float>(emu::to_bits(v)); }
inline float __int_as_float(int v) { return emu::from_bits<float>(emu::to_bits(v)); }
inline int __popc(unsigned int v) { return __builtin_popcount(v); }
inline int __popcll(unsigned long long v) { return __builtin_popcountll(v); }
inline int __clz(int v) { return v == 0 ? 32 : __builtin_clz(static_cast<unsigned int>(v)); }
inline int __clzll(long long v) { return v == 0 ? 64 : __builtin_clzll(static_cast<unsigned long long>(v)); }
inline int __ffs(int v) { return __builtin_ffs(v); }
inline int __ffsll(long long v) { return __builtin_ffsll(v); }
inline unsigned int __brev(unsigned int v) {
    unsigned int r = 0;
    for (int i = 0; i < 32; ++i) {
        r |= ((v >> i) & 1u) << (31 - i);
    }
    return r;
}
// Byte i of the result is byte (s >> 4i) & 7 of the 8-byte value (y:x) (no sign-replication mode).
inline unsigned int __byte_perm(unsigned int x, unsigned int y, unsigned int s) {
    const uint64_t v = (static_cast<uint64_t>(y) << 32) | x;
    unsigned int r = 0;
    for (int i = 0; i < 4; ++i) {
        r |= static_cast<unsigned int>((v >> (8 * ((s >> (4 * i)) & 7u))) & 0xFFu) << (8 * i);
    }
    return r;
}
inline unsigned int __funnelshift_l(unsigned int lo, unsigned int hi, unsigned int s) {
    const uint64_t v = (static_cast<uint64_t>(hi) << 32) | lo;
    return static_cast<unsigned int>((v << (s & 31u)) >> 32);
}
inline unsigned int __funnelshift_r(unsigned int lo, unsigned int hi, unsigned int s) {
    const uint64_t v = (static_cast<uint64_t>(hi) << 32) | lo;
    return static_cast<unsigned int>(v >> (s & 31u));
}

// ------------------------------------------------------------------------------------------------------------------
// fp16
// ------------------------------------------------------------------------------------------------------------------

struct __half {
    _Float16 v;
    __half() = default;
    __half(float f) : v(static_cast<_Float16>(f)) {}  // nvcc's default implicit conversions
    operator float() const { return static_cast<float>(v); }
};
struct __align__(4) __half2 {
    __half x, y;
};
typedef __half half;
typedef __half2 half2;
static_assert(sizeof(__half) == 2 && sizeof(__half2) == 4, "fp16 layouts");

namespace emu {
// One rounding to fp16 of a value computed exactly in double (products and sums of two fp16 values are exact in
// double; a fused a * b + c is exact except in extreme exponent ranges).
inline __half h(double d) {
    __half r;
    r.v = static_cast<_Float16>(d);
    return r;
}
inline double d(__half a) { return static_cast<double>(a.v); }
}  // namespace emu

inline __half __float2half(float f) { return emu::h(f); }
inline __half __float2half_rn(float f) { return emu::h(f); }
inline __half __double2half(double f) { return emu::h(f); }
inline float __half2float(__half a) { return static_cast<float>(a.v); }
inline __half2 __halves2half2(__half a, __half b) { return {a, b}; }
inline __half2 __half2half2(__half a) { return {a, a}; }
inline __half2 __float2half2_rn(float f) { return {emu::h(f), emu::h(f)}; }
inline __half2 __floats2half2_rn(float a, float b) { return {emu::h(a), emu::h(b)}; }
inline __half2 __float22half2_rn(float2 f) { return {emu::h(f.x), emu::h(f.y)}; }
inline float2 __half22float2(__half2 a) { return {__half2float(a.x), __half2float(a.y)}; }
inline __half __low2half(__half2 a) { return a.x; }
inline __half __high2half(__half2 a) { return a.y; }
inline float __low2float(__half2 a) { return __half2float(a.x); }
inline float __high2float(__half2 a) { return __half2float(a.y); }
inline __half2 __low2half2(__half2 a) { return {a.x, a.x}; }
inline __half2 __high2half2(__half2 a) { return {a.y, a.y}; }
inline __half2 __lows2half2(__half2 a, __half2 b) { return {a.x, b.x}; }
inline __half2 __highs2half2(__half2 a, __half2 b) { return {a.y, b.y}; }
inline __half2 __lowhigh2highlow(__half2 a) { return {a.y, a.x}; }
inline __half __hadd(__half a, __half b) { return emu::h(emu::d(a) + emu::d(b)); }
inline __half __hsub(__half a, __half b) { return emu::h(emu::d(a) - emu::d(b)); }
inline __half __hmul(__half a, __half b) { return emu::h(emu::d(a) * emu::d(b)); }
inline __half __hfma(__half a, __half b, __half c) { return emu::h(emu::d(a) * emu::d(b) + emu::d(c)); }
inline __half __hneg(__half a) { return emu::h(-emu::d(a)); }
inline __half2 __hadd2(__half2 a, __half2 b) { return {__hadd(a.x, b.x), __hadd(a.y, b.y)}; }
inline __half2 __hsub2(__half2 a, __half2 b) { return {__hsub(a.x, b.x), __hsub(a.y, b.y)}; }
inline __half2 __hmul2(__half2 a, __half2 b) { return {__hmul(a.x, b.x), __hmul(a.y, b.y)}; }
inline __half2 __hfma2(__half2 a, __half2 b, __half2 c) { return {__hfma(a.x, b.x, c.x), __hfma(a.y, b.y, c.y)}; }
inline __half2 __hneg2(__half2 a) { return {__hneg(a.x), __hneg(a.y)}; }

// ------------------------------------------------------------------------------------------------------------------
// Memory
// ------------------------------------------------------------------------------------------------------------------

namespace emu {
template <class T>
inline void check_aligned(const T* p, const char* what) {
    if (reinterpret_cast<uintptr_t>(p) % alignof(T) != 0) {
        fail("%s of %zu bytes at %p: address not aligned to %zu bytes", what, sizeof(T), static_cast<const void*>(p),
             alignof(T));
    }
}
}  // namespace emu

template <class T>
inline T __ldg(const T* p) {
    emu::check_aligned(p, "__ldg");
    return *p;
}
template <class T>
inline T __ldcs(const T* p) {
    emu::check_aligned(p, "__ldcs");
    return *p;
}
template <class T>
inline T __ldlu(const T* p) {
    emu::check_aligned(p, "__ldlu");
    return *p;
}
template <class T>
inline void __stcs(T* p, T v) {
    emu::check_aligned(p, "__stcs");
    *p = v;
}
inline size_t __cvta_generic_to_shared(const void* p) { return emu::shared_offset(p); }
inline void __threadfence() {}
inline void __threadfence_block() {}

// One thread runs at a time and never in the middle of these, so they are atomic.
template <class T>
inline T atomicAdd(T* p, T v) {
    const T o = *p;
    *p = o + v;
    return o;
}
template <class T>
inline T atomicSub(T* p, T v) {
    const T o = *p;
    *p = o - v;
    return o;
}
template <class T>
inline T atomicMin(T* p, T v) {
    const T o = *p;
    *p = v < o ? v : o;
    return o;
}
template <class T>
inline T atomicMax(T* p, T v) {
    const T o = *p;
    *p = o < v ? v : o;
    return o;
}
template <class T>
inline T atomicExch(T* p, T v) {
    const T o = *p;
    *p = v;
    return o;
}
template <class T>
inline T atomicCAS(T* p, T cmp, T v) {
    const T o = *p;
    if (o == cmp) {
        *p = v;
    }
    return o;
}
template <class T>
inline T atomicOr(T* p, T v) {
    const T o = *p;
    *p = o | v;
    return o;
}
template <class T>
inline T atomicAnd(T* p, T v) {
    const T o = *p;
    *p = o & v;
    return o;
}

// ------------------------------------------------------------------------------------------------------------------
// Synchronisation and warp collectives (whole warps only: mask must name every lane of the warp)
// ------------------------------------------------------------------------------------------------------------------

inline void __syncthreads() { emu::block_barrier(); }
inline void __syncwarp(unsigned mask = 0xffffffffu) { emu::warp_exchange("__syncwarp", mask, nullptr, 0); }

namespace emu {
inline unsigned lane() {
    const unsigned t = threadIdx.x + blockDim.x * (threadIdx.y + blockDim.y * threadIdx.z);
    return t & 31u;
}
// The lanes of the calling thread's warp that exist (a partial last warp has fewer than 32).
inline unsigned warp_mask() {
    const unsigned threads = blockDim.x * blockDim.y * blockDim.z;
    const unsigned t = threadIdx.x + blockDim.x * (threadIdx.y + blockDim.y * threadIdx.z);
    const unsigned n = threads - (t & ~31u) < 32u ? threads - (t & ~31u) : 32u;
    return n == 32u ? 0xffffffffu : (1u << n) - 1u;
}
// Value of `v` in lane src (src outside 0..31: the caller's own value).
template <class T>
inline T shuffle(const char* op, unsigned mask, T v, int src) {
    const uint64_t mine = to_bits(v);
    const LaneWords* all = warp_exchange(op, mask, &mine, 1);
    return (src < 0 || src > 31) ? v : from_bits<T>(all[src][0]);
}
// Source lane of the shuffles inside segments of `width` lanes.
inline int segment(int width) { return static_cast<int>(lane()) & ~(width - 1); }
}  // namespace emu

template <class T>
inline T __shfl_sync(unsigned mask, T v, int src, int width = 32) {
    return emu::shuffle("__shfl_sync", mask, v, emu::segment(width) + (src & (width - 1)));
}
template <class T>
inline T __shfl_xor_sync(unsigned mask, T v, int lane_mask, int width = 32) {
    const int s = static_cast<int>(emu::lane()) ^ lane_mask;
    return emu::shuffle("__shfl_xor_sync", mask, v, s < emu::segment(width) + width ? s : -1);
}
template <class T>
inline T __shfl_up_sync(unsigned mask, T v, unsigned delta, int width = 32) {
    const int s = static_cast<int>(emu::lane()) - static_cast<int>(delta);
    return emu::shuffle("__shfl_up_sync", mask, v, s >= emu::segment(width) ? s : -1);
}
template <class T>
inline T __shfl_down_sync(unsigned mask, T v, unsigned delta, int width = 32) {
    const int s = static_cast<int>(emu::lane()) + static_cast<int>(delta);
    return emu::shuffle("__shfl_down_sync", mask, v, s < emu::segment(width) + width ? s : -1);
}
inline unsigned __ballot_sync(unsigned mask, int pred) {
    const uint64_t mine = pred != 0;
    const emu::LaneWords* all = emu::warp_exchange("__ballot_sync", mask, &mine, 1);
    const unsigned lanes = emu::warp_mask();
    unsigned r = 0;
    for (int l = 0; l < 32; ++l) {
        r |= ((lanes >> l) & static_cast<unsigned>(all[l][0]) & 1u) << l;
    }
    return r;
}
inline int __any_sync(unsigned mask, int pred) { return __ballot_sync(mask, pred) != 0; }
inline int __all_sync(unsigned mask, int pred) { return __ballot_sync(mask, pred) == emu::warp_mask(); }
inline unsigned __activemask() { return emu::warp_mask(); }  // (the emulator has no divergence: all lanes)
template <class T>
inline unsigned __match_any_sync(unsigned mask, T v) {
    const uint64_t mine = emu::to_bits(v);
    const emu::LaneWords* all = emu::warp_exchange("__match_any_sync", mask, &mine, 1);
    const unsigned lanes = emu::warp_mask();
    unsigned r = 0;
    for (int l = 0; l < 32; ++l) {
        if (((lanes >> l) & 1u) && all[l][0] == mine) {
            r |= 1u << l;
        }
    }
    return r;
}
