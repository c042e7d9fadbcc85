// The emulator's run time: fibers and their scheduler, barriers and warp collectives, the shared-memory arena,
// guarded device allocations, the PTX instructions the kernels use, and the few runtime API calls. See emu.h.
#include "emu.h"

#include <signal.h>
#include <stdarg.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#if !defined(__x86_64__)
#include <ucontext.h>
#endif

uint3 threadIdx;
uint3 blockIdx;
dim3 blockDim;
dim3 gridDim;

namespace emu {
namespace {

// ------------------------------------------------------------------------------------------------------------------
// State of the running launch
// ------------------------------------------------------------------------------------------------------------------

const LaunchCfg* g_launch = nullptr;  // null outside kernels
unsigned g_tid = 0;                   // linear thread index of the running fiber
thread_local cudaError_t g_last_error = cudaSuccess;

void where(char* buf, size_t n) {
    if (g_launch == nullptr) {
        snprintf(buf, n, "(host code)");
        return;
    }
    snprintf(buf, n, "in %s (launched at %s:%d), block (%u, %u, %u), thread (%u, %u, %u)", g_launch->kernel,
             g_launch->file, g_launch->line, blockIdx.x, blockIdx.y, blockIdx.z, threadIdx.x, threadIdx.y,
             threadIdx.z);
}

// ------------------------------------------------------------------------------------------------------------------
// Fibers: one per thread of the running block. x86-64 switches with a few instructions (no signal-mask system call,
// unlike swapcontext); other machines use ucontext.
// ------------------------------------------------------------------------------------------------------------------

constexpr size_t kStackBytes = 256 * 1024;  // per thread, the lowest page a guard
constexpr size_t kPage = 4096;

enum Wait { RUNNING, AT_BLOCK_BARRIER, AT_WARP_COLLECTIVE, EXITED };

struct Fiber {
    Wait wait = EXITED;
    uint64_t gen = 0;  // generation of the barrier it waits for
#if defined(__x86_64__)
    void* sp = nullptr;
#else
    ucontext_t ctx;
#endif
};

char* g_stacks = nullptr;  // fibers * kStackBytes, reserved once for the largest block
size_t g_stack_fibers = 0;
std::vector<Fiber> g_fibers;
const std::function<void()>* g_body = nullptr;

#if defined(__x86_64__)
void* g_sched_sp = nullptr;
extern "C" void emu_switch(void** save_sp, void* load_sp);
// Saves the callee-saved registers, MXCSR and the x87 control word on the current stack, stores the stack pointer
// in *save_sp, and resumes the stack load_sp saved the same way.
asm(R"(
    .text
    .p2align 4
    .type emu_switch, @function
emu_switch:
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    subq $8, %rsp
    stmxcsr (%rsp)
    fnstcw 4(%rsp)
    movq %rsp, (%rdi)
    movq %rsi, %rsp
    ldmxcsr (%rsp)
    fldcw 4(%rsp)
    addq $8, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret
    .size emu_switch, .-emu_switch
)");
#else
ucontext_t g_sched_ctx;
#endif

void to_scheduler() {
    Fiber& f = g_fibers[g_tid];
#if defined(__x86_64__)
    emu_switch(&f.sp, g_sched_sp);
#else
    swapcontext(&f.ctx, &g_sched_ctx);
#endif
}

void fiber_main() {
    (*g_body)();
    g_fibers[g_tid].wait = EXITED;
    to_scheduler();
    abort();  // never resumed
}

void start_fiber(unsigned t) {
    Fiber& f = g_fibers[t];
    char* top = g_stacks + (t + 1) * kStackBytes;
#if defined(__x86_64__)
    // The frame emu_switch pops: MXCSR/x87 word, r15 r14 r13 r12 rbx rbp, then "returns" into fiber_main with the
    // stack aligned as after a call (a null return address above it ends backtraces).
    uint64_t* sp = reinterpret_cast<uint64_t*>(top) - 2;  // 16-byte aligned: [0] = fiber_main, [1] = 0
    sp[0] = reinterpret_cast<uint64_t>(&fiber_main);
    sp[1] = 0;
    sp -= 7;
    for (int i = 1; i < 7; ++i) {
        sp[i] = 0;
    }
    uint32_t csr[2];
    asm volatile("stmxcsr %0\n\tfnstcw %1" : "=m"(csr[0]), "=m"(csr[1]));
    memcpy(sp, csr, 8);
    f.sp = sp;
#else
    getcontext(&f.ctx);
    f.ctx.uc_stack.ss_sp = top - kStackBytes + kPage;
    f.ctx.uc_stack.ss_size = kStackBytes - kPage;
    f.ctx.uc_link = nullptr;
    makecontext(&f.ctx, fiber_main, 0);
#endif
    f.wait = RUNNING;
}

void resume(unsigned t) {
    g_tid = t;
    const unsigned bx = blockDim.x;
    const unsigned bxy = blockDim.x * blockDim.y;
    threadIdx = {t % bx, (t / bx) % blockDim.y, t / bxy};
#if defined(__x86_64__)
    emu_switch(&g_sched_sp, g_fibers[t].sp);
#else
    swapcontext(&g_sched_ctx, &g_fibers[t].ctx);
#endif
}

void reserve_stacks(size_t n) {
    if (n <= g_stack_fibers) {
        return;
    }
    if (g_stacks != nullptr) {
        munmap(g_stacks, g_stack_fibers * kStackBytes);
    }
    void* p = mmap(nullptr, n * kStackBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1,
                   0);
    if (p == MAP_FAILED) {
        fail("cannot reserve %zu fiber stacks", n);
    }
    g_stacks = static_cast<char*>(p);
    for (size_t i = 0; i < n; ++i) {
        mprotect(g_stacks + i * kStackBytes, kPage, PROT_NONE);  // stack overflow guard
    }
    g_stack_fibers = n;
    g_fibers.resize(n);
}

// ------------------------------------------------------------------------------------------------------------------
// Barriers
// ------------------------------------------------------------------------------------------------------------------

unsigned g_threads = 0;  // threads of the running block
unsigned g_block_arrived = 0;
uint64_t g_block_gen = 0;

constexpr int kMaxWarps = 32;
struct Warp {
    unsigned arrived = 0;
    uint64_t gen = 0;
    const char* op[32];
    LaneWords words[2][32];  // double-buffered by generation parity
};
Warp g_warps[kMaxWarps];

unsigned warp_lanes(unsigned w) { return std::min(32u, g_threads - 32u * w); }

bool runnable(const Fiber& f, unsigned t) {
    switch (f.wait) {
        case RUNNING:
            return true;
        case AT_BLOCK_BARRIER:
            return f.gen != g_block_gen;
        case AT_WARP_COLLECTIVE:
            return f.gen != g_warps[t / 32].gen;
        default:
            return false;
    }
}

[[noreturn]] void report_deadlock() {
    fprintf(stderr, "emu: deadlock in %s (launched at %s:%d), block (%u, %u, %u): no thread can run\n",
            g_launch->kernel, g_launch->file, g_launch->line, blockIdx.x, blockIdx.y, blockIdx.z);
    unsigned exited = 0;
    unsigned at_block = 0;
    for (unsigned t = 0; t < g_threads; ++t) {
        exited += g_fibers[t].wait == EXITED;
        at_block += g_fibers[t].wait == AT_BLOCK_BARRIER;
    }
    fprintf(stderr, "emu:   %u threads returned, %u wait at __syncthreads\n", exited, at_block);
    for (unsigned w = 0; w * 32 < g_threads; ++w) {
        std::string lanes;
        const char* op = nullptr;
        for (unsigned l = 0; l < warp_lanes(w); ++l) {
            if (g_fibers[32 * w + l].wait == AT_WARP_COLLECTIVE) {
                lanes += " " + std::to_string(l);
                op = g_warps[w].op[l];
            }
        }
        if (op != nullptr) {
            fprintf(stderr, "emu:   warp %u: lanes%s wait in %s\n", w, lanes.c_str(), op);
        }
    }
    fflush(stderr);
    _exit(2);
}

// xorshift64, seeded from EMU_SEED once: the orders in which threads and warps run.
uint64_t g_rng = 0;
uint64_t next_random() {
    g_rng ^= g_rng << 13;
    g_rng ^= g_rng >> 7;
    g_rng ^= g_rng << 17;
    return g_rng;
}

void shuffle(std::vector<unsigned>& v) {
    for (size_t i = v.size(); i > 1; --i) {
        std::swap(v[i - 1], v[next_random() % i]);
    }
}

uint64_t g_blocks_run = 0;  // over all launches: picks the scheduling policy of a block

// Runs every thread of `threads` that can run, in that order, to its next synchronisation point; false if none could.
bool run_round(const std::vector<unsigned>& threads) {
    bool ran = false;
    for (unsigned t : threads) {
        Fiber& f = g_fibers[t];
        if (runnable(f, t)) {
            f.wait = RUNNING;
            ran = true;
            resume(t);
        }
    }
    return ran;
}

// ------------------------------------------------------------------------------------------------------------------
// Shared memory arena: dynamic shared memory at offset 0, then every __shared__ declaration site
// ------------------------------------------------------------------------------------------------------------------

// Room for dynamic shared memory: sm_90's maximum per block; launches are held to sm_80's, so that they run on both.
constexpr size_t kDynamicMax = 227 * 1024;
constexpr size_t kSm80DynamicMax = 163 * 1024;
constexpr size_t kArenaBytes = 64u << 20;
alignas(128) unsigned char g_arena[kArenaBytes];
size_t g_arena_used = kDynamicMax;

// ------------------------------------------------------------------------------------------------------------------
// Devices, function attributes, allocations
// ------------------------------------------------------------------------------------------------------------------

int g_device = 0;
int g_device_sms[64] = {132};
std::map<const void*, int> g_max_dynamic_smem;

struct Allocation {
    size_t bytes;
    char* map;
    size_t map_bytes;
};
std::map<uintptr_t, Allocation> g_allocs;  // by user address

[[maybe_unused]] void on_signal(int sig, siginfo_t* info, void*) {
    char w[512];
    where(w, sizeof w);
    const uintptr_t a = reinterpret_cast<uintptr_t>(info->si_addr);
    std::string what = "an invalid address";
    for (const auto& [user, al] : g_allocs) {
        if (a >= user + al.bytes && a < reinterpret_cast<uintptr_t>(al.map) + al.map_bytes + kPage) {
            what = "past the end of a device_alloc buffer of " + std::to_string(al.bytes) + " bytes at " +
                   std::to_string(user) + " (+" + std::to_string(a - user) + ")";
        }
    }
    if (g_stacks != nullptr && a >= reinterpret_cast<uintptr_t>(g_stacks) &&
        a < reinterpret_cast<uintptr_t>(g_stacks) + g_stack_fibers * kStackBytes) {
        what = "a thread's stack guard (stack overflow)";
    }
    fprintf(stderr, "emu: %s at %p: %s %s\n", sig == SIGFPE ? "arithmetic exception" : "invalid memory access",
            info->si_addr, what.c_str(), w);
    fflush(stderr);
    _exit(2);
}

struct Init {
    Init() {
#if !defined(EMU_NO_SIGNAL_HANDLERS)  // (the emulated-device JNI library: the JVM owns these signals)
        static char alt[64 * 1024];
        stack_t ss{};
        ss.ss_sp = alt;
        ss.ss_size = sizeof alt;
        sigaltstack(&ss, nullptr);
        struct sigaction sa{};
        sa.sa_sigaction = on_signal;
        sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
        sigaction(SIGSEGV, &sa, nullptr);
        sigaction(SIGBUS, &sa, nullptr);
        sigaction(SIGFPE, &sa, nullptr);
#endif
        const char* seed = getenv("EMU_SEED");
        g_rng = seed != nullptr ? strtoull(seed, nullptr, 0) : 0x9E3779B97F4A7C15ull;
        if (g_rng == 0) {
            g_rng = 1;
        }
        for (int d = 1; d < 64; ++d) {
            g_device_sms[d] = 132;
        }
    }
} g_init;

}  // namespace

// ------------------------------------------------------------------------------------------------------------------
// Public services
// ------------------------------------------------------------------------------------------------------------------

void fail(const char* fmt, ...) {
    char w[512];
    where(w, sizeof w);
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "emu: ");
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, " %s\n", w);
    fflush(stderr);
    _exit(2);
}

void set_device(int device, int sms) {
    if (device < 0 || device >= 64 || sms <= 0) {
        fail("set_device(%d, %d): devices 0..63, sms > 0", device, sms);
    }
    g_device = device;
    g_device_sms[device] = sms;
}

cudaError_t set_func_attribute(const void* func, cudaFuncAttribute attr, int value) {
    if (attr != cudaFuncAttributeMaxDynamicSharedMemorySize) {
        fail("cudaFuncSetAttribute: attribute %d is not emulated", static_cast<int>(attr));
    }
    if (value < 0 || static_cast<size_t>(value) > kSm80DynamicMax) {
        return cudaErrorInvalidValue;
    }
    g_max_dynamic_smem[func] = value;
    return cudaSuccess;
}

void* device_alloc(size_t bytes) {
    const size_t rounded = (bytes + 15) & ~static_cast<size_t>(15);
    const size_t data_pages = (rounded + kPage - 1) / kPage;
    const size_t map_bytes = (data_pages + 1) * kPage;
    void* m = mmap(nullptr, map_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) {
        fail("device_alloc(%zu): out of memory", bytes);
    }
    char* map = static_cast<char*>(m);
    mprotect(map + data_pages * kPage, kPage, PROT_NONE);
    char* user = map + data_pages * kPage - rounded;
    g_allocs[reinterpret_cast<uintptr_t>(user)] = {bytes, map, data_pages * kPage};
    return user;
}

void device_free(void* p) {
    if (p == nullptr) {
        return;
    }
    const auto it = g_allocs.find(reinterpret_cast<uintptr_t>(p));
    if (it == g_allocs.end()) {
        fail("device_free(%p): not a device_alloc pointer", p);
    }
    munmap(it->second.map, it->second.map_bytes + kPage);
    g_allocs.erase(it);
}

void* shared_alloc(size_t bytes, size_t align) {
    const size_t at = (g_arena_used + align - 1) & ~(align - 1);
    if (at + bytes > kArenaBytes) {
        fail("shared-memory arena exhausted");
    }
    g_arena_used = at + bytes;
    memset(g_arena + at, 0xFF, bytes);
    return g_arena + at;
}

void* dynamic_shared_base() { return g_arena; }

uint32_t shared_offset(const void* p) {
    const unsigned char* c = static_cast<const unsigned char*>(p);
    if (c < g_arena || c >= g_arena + g_arena_used) {
        fail("__cvta_generic_to_shared(%p): not a shared-memory address", p);
    }
    return static_cast<uint32_t>(c - g_arena);
}

void* shared_pointer(uint32_t offset, size_t bytes) {
    if (static_cast<size_t>(offset) + bytes > g_arena_used) {
        fail("shared-memory address %u (+%zu bytes) is outside shared memory", offset, bytes);
    }
    return g_arena + offset;
}

void block_barrier() {
    if (g_launch == nullptr) {
        fail("__syncthreads outside a kernel");
    }
    if (++g_block_arrived == g_threads) {
        g_block_arrived = 0;
        ++g_block_gen;
        return;
    }
    Fiber& f = g_fibers[g_tid];
    f.wait = AT_BLOCK_BARRIER;
    f.gen = g_block_gen;
    to_scheduler();
}

const LaneWords* warp_exchange(const char* op, unsigned mask, const uint64_t* words, int n) {
    if (g_launch == nullptr) {
        fail("%s outside a kernel", op);
    }
    const unsigned w = g_tid / 32;
    const unsigned l = g_tid % 32;
    const unsigned lanes = warp_lanes(w);
    const unsigned all = lanes == 32 ? 0xffffffffu : (1u << lanes) - 1u;
    if (mask != 0xffffffffu && mask != all) {
        fail("%s with mask %#x: only whole-warp masks are emulated", op, mask);
    }
    Warp& wp = g_warps[w];
    const int parity = static_cast<int>(wp.gen & 1u);
    for (int i = 0; i < n; ++i) {
        wp.words[parity][l][i] = words[i];
    }
    wp.op[l] = op;
    if (++wp.arrived == lanes) {
        for (unsigned k = 0; k < lanes; ++k) {
            if (strcmp(wp.op[k], op) != 0) {
                fail("lanes of warp %u are in different collectives: lane %u in %s, lane %u in %s", w, l, op, k,
                     wp.op[k]);
            }
        }
        wp.arrived = 0;
        ++wp.gen;
    } else {
        Fiber& f = g_fibers[g_tid];
        f.wait = AT_WARP_COLLECTIVE;
        f.gen = wp.gen;
        to_scheduler();
    }
    return wp.words[parity];
}

// Why CUDA would refuse to launch `cfg` (null when it would not): reported, and recorded as the last error.
const char* launch_problem(const LaunchCfg& cfg, const void* kernel) {
    const unsigned long long threads = static_cast<unsigned long long>(cfg.block.x) * cfg.block.y * cfg.block.z;
    const char* bad = nullptr;
    if (threads == 0 || threads > 1024 || cfg.block.z > 64) {
        bad = "block size";
    } else if (cfg.grid.x == 0 || cfg.grid.y == 0 || cfg.grid.z == 0 || cfg.grid.x > 0x7fffffffu ||
               cfg.grid.y > 65535 || cfg.grid.z > 65535) {
        bad = "grid size";
    } else if (cfg.smem > kSm80DynamicMax) {
        bad = "dynamic shared memory above the sm_80 limit";
    } else if (cfg.smem > 48 * 1024) {
        const auto it = g_max_dynamic_smem.find(kernel);
        if (it == g_max_dynamic_smem.end() || static_cast<size_t>(it->second) < cfg.smem) {
            bad = "dynamic shared memory above 48 KiB without cudaFuncAttributeMaxDynamicSharedMemorySize";
        }
    }
    if (bad != nullptr) {
        fprintf(stderr,
                "emu: launch of %s at %s:%d fails as on a GPU (%s): grid (%u, %u, %u), block (%u, %u, %u), "
                "%zu bytes of dynamic shared memory\n",
                cfg.kernel, cfg.file, cfg.line, bad, cfg.grid.x, cfg.grid.y, cfg.grid.z, cfg.block.x, cfg.block.y,
                cfg.block.z, cfg.smem);
        g_last_error = cudaErrorInvalidConfiguration;
    }
    return bad;
}

void run_grid(const LaunchCfg& cfg, const void* kernel, const std::function<void()>& body) {
    if (g_launch != nullptr) {
        fail("kernel launch from device code (%s) is not emulated", cfg.kernel);
    }
    if (launch_problem(cfg, kernel) != nullptr) {
        return;
    }
    const unsigned long long threads = static_cast<unsigned long long>(cfg.block.x) * cfg.block.y * cfg.block.z;
    if (getenv("EMU_TRACE") != nullptr) {
        fprintf(stderr, "emu: launch %s at %s:%d grid (%u, %u, %u) block (%u, %u, %u) smem %zu\n", cfg.kernel,
                cfg.file, cfg.line, cfg.grid.x, cfg.grid.y, cfg.grid.z, cfg.block.x, cfg.block.y, cfg.block.z,
                cfg.smem);
    }
    g_launch = &cfg;
    g_body = &body;
    g_threads = static_cast<unsigned>(threads);
    gridDim = cfg.grid;
    blockDim = cfg.block;
    reserve_stacks(g_threads);
    std::vector<unsigned> order(g_threads);
    for (unsigned t = 0; t < g_threads; ++t) {
        order[t] = t;
    }
    std::vector<unsigned> warp_order((g_threads + 31) / 32);
    for (unsigned w = 0; w < warp_order.size(); ++w) {
        warp_order[w] = w;
    }
    for (unsigned z = 0; z < cfg.grid.z; ++z) {
        for (unsigned y = 0; y < cfg.grid.y; ++y) {
            for (unsigned x = 0; x < cfg.grid.x; ++x) {
                blockIdx = {x, y, z};
                memset(g_arena, 0xFF, g_arena_used);  // shared memory starts undefined
                g_block_arrived = 0;
                for (Warp& w : g_warps) {
                    w.arrived = 0;
                }
                for (unsigned t = 0; t < g_threads; ++t) {
                    start_fiber(t);
                }
                // Even blocks (counted over all launches) run in rounds: every thread that can run runs to its next
                // synchronisation point, in a shuffled order. Odd blocks run warp after warp (in a shuffled order),
                // each as far as it can get before the others start: one warp runs ahead of the rest, as it may on
                // the hardware.
                const bool warp_serial = (g_blocks_run++ & 1u) != 0;
                for (;;) {
                    bool ran = false;
                    if (warp_serial) {
                        shuffle(warp_order);
                        for (unsigned w : warp_order) {
                            std::vector<unsigned> lanes;
                            for (unsigned t = 32 * w; t < std::min(g_threads, 32 * w + 32); ++t) {
                                lanes.push_back(t);
                            }
                            for (;;) {
                                shuffle(lanes);
                                if (!run_round(lanes)) {
                                    break;
                                }
                                ran = true;
                            }
                        }
                    } else {
                        shuffle(order);
                        ran = run_round(order);
                    }
                    bool alive = false;
                    for (unsigned t = 0; t < g_threads; ++t) {
                        alive = alive || g_fibers[t].wait != EXITED;
                    }
                    if (!alive) {
                        break;
                    }
                    if (!ran) {
                        report_deadlock();
                    }
                }
            }
        }
    }
    g_launch = nullptr;
}

// ------------------------------------------------------------------------------------------------------------------
// PTX
// ------------------------------------------------------------------------------------------------------------------

namespace {

struct Ptx {
    const char* tmpl;
    std::vector<PtxOperand> ops;  // outputs, then inputs
    std::vector<int> refs;        // %n in the order the template names them

    uint64_t get(int i) const {
        const PtxOperand& o = ops.at(refs.at(i));
        if (o.ptr == nullptr) {
            return o.bits;
        }
        uint64_t v = 0;
        memcpy(&v, o.ptr, o.size);
        return v;
    }
    void set(int i, uint64_t v) const {
        const PtxOperand& o = ops.at(refs.at(i));
        if (o.ptr == nullptr) {
            fail("PTX \"%s\": operand %d is written but is an input", tmpl, refs.at(i));
        }
        memcpy(o.ptr, &v, o.size);
    }
    void expect_refs(size_t n) const {
        if (refs.size() != n) {
            fail("PTX \"%s\": expected %zu operands, found %zu", tmpl, n, refs.size());
        }
    }
    void expect_size(int i, int size) const {
        if (ops.at(refs.at(i)).size != size) {
            fail("PTX \"%s\": operand %d has %d bytes, the instruction needs %d", tmpl, refs.at(i),
                 ops.at(refs.at(i)).size, size);
        }
    }
};

bool has(const std::string& s, const char* part) { return s.find(part) != std::string::npos; }

float half_at(uint32_t word, int hi) {
    const uint16_t b = static_cast<uint16_t>(hi ? word >> 16 : word & 0xFFFFu);
    __half h;
    memcpy(&h, &b, 2);
    return __half2float(h);
}

// ld[.global|.shared][.nc][.cache hints][.v2|.v4].{u,s,b,f}{8,16,32,64} {dst..}, [addr]
void ptx_ld(const Ptx& p, const std::string& op) {
    const int vec = has(op, ".v4") ? 4 : has(op, ".v2") ? 2 : 1;
    int size = 0;
    for (const char* t : {"8", "16", "32", "64"}) {
        for (const char* k : {".u", ".s", ".b", ".f"}) {
            const std::string suffix = std::string(k) + t;
            if (op.size() >= suffix.size() && op.compare(op.size() - suffix.size(), suffix.size(), suffix) == 0) {
                size = atoi(t) / 8;
            }
        }
    }
    if (size == 0) {
        fail("PTX load \"%s\": element type not emulated", p.tmpl);
    }
    p.expect_refs(vec + 1);
    const uint64_t a = p.get(vec);
    const size_t bytes = static_cast<size_t>(vec) * size;
    const unsigned char* src;
    if (has(op, ".shared")) {
        src = static_cast<const unsigned char*>(shared_pointer(static_cast<uint32_t>(a), bytes));
    } else {
        p.expect_size(vec, 8);
        src = reinterpret_cast<const unsigned char*>(a);
    }
    if (reinterpret_cast<uintptr_t>(src) % bytes != 0) {
        fail("PTX \"%s\": address %p is not aligned to %zu bytes", p.tmpl, static_cast<const void*>(src), bytes);
    }
    for (int i = 0; i < vec; ++i) {
        if (p.ops.at(p.refs.at(i)).size < size) {
            fail("PTX \"%s\": destination %d is smaller than the element", p.tmpl, p.refs.at(i));
        }
        uint64_t v = 0;
        memcpy(&v, src + static_cast<size_t>(i) * size, size);
        p.set(i, v);
    }
}

// ldmatrix.sync.aligned.m8n8.x{1,2,4}[.trans].shared.b16 {r..}, [addr]: lanes 8i..8i+7 give the row addresses of
// matrix i; lane l receives row l/4, columns 2(l%4) and 2(l%4)+1 of each matrix (.trans: of its transpose).
void ptx_ldmatrix(const Ptx& p, const std::string& op) {
    const int nm = has(op, ".x4") ? 4 : has(op, ".x2") ? 2 : 1;
    const bool trans = has(op, ".trans");
    p.expect_refs(nm + 1);
    const uint64_t mine = p.get(nm);
    const LaneWords* all = warp_exchange("ldmatrix", 0xffffffffu, &mine, 1);
    const unsigned l = lane();
    for (int i = 0; i < nm; ++i) {
        uint16_t e[2];
        for (int j = 0; j < 2; ++j) {
            const unsigned row = trans ? 2 * (l % 4) + j : l / 4;
            const unsigned col = trans ? l / 4 : 2 * (l % 4) + j;
            const uint32_t addr = static_cast<uint32_t>(all[8 * i + row][0]);
            if (addr % 16 != 0) {
                fail("ldmatrix: row address %u (lane %u) is not 16-byte aligned", addr, 8 * i + row);
            }
            memcpy(&e[j], static_cast<const char*>(shared_pointer(addr, 16)) + 2 * col, 2);
        }
        p.expect_size(i, 4);
        p.set(i, static_cast<uint32_t>(e[0]) | (static_cast<uint32_t>(e[1]) << 16));
    }
}

// mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 {d0..d3}, {a0..a3}, {b0, b1}, {c0..c3}. With g = lane / 4 and
// t = lane % 4 (PTX ISA, "Matrix Fragments for mma.m16n8k16" with .f16 inputs):
//   A (16 x 16): a0 = (row g, cols 2t, 2t+1), a1 = (row g+8, same cols), a2 = (row g, cols 2t+8, 2t+9), a3 = (g+8, ..)
//   B (16 x 8):  b0 = (rows 2t, 2t+1, col g), b1 = (rows 2t+8, 2t+9, col g)
//   C, D (16 x 8, fp32): c0, c1 = (row g, cols 2t, 2t+1), c2, c3 = (row g+8, same cols)
// so element A[r][k] is half (k % 2) of register (r / 8) + 2 (k / 8) of lane 4 (r % 8) + (k % 8) / 2, and B[k][n]
// is half (k % 2) of register k / 8 of lane 4 n + (k % 8) / 2.
void ptx_mma_m16n8k16_f32_f16(const Ptx& p) {
    p.expect_refs(14);
    uint64_t w[6];
    for (int i = 0; i < 6; ++i) {
        p.expect_size(4 + i, 4);
        w[i] = p.get(4 + i);
    }
    const LaneWords* all = warp_exchange("mma.m16n8k16", 0xffffffffu, w, 6);
    const unsigned l = lane();
    const unsigned g = l / 4;
    const unsigned t = l % 4;
    float d[4];
    for (int i = 0; i < 4; ++i) {
        const unsigned r = g + 8 * (i / 2);
        const unsigned n = 2 * t + (i % 2);
        p.expect_size(i, 4);
        p.expect_size(10 + i, 4);
        double s = emu::from_bits<float>(p.get(10 + i));
        for (unsigned k = 0; k < 16; ++k) {
            const uint32_t a = static_cast<uint32_t>(all[4 * (r % 8) + (k % 8) / 2][(r / 8) + 2 * (k / 8)]);
            const uint32_t b = static_cast<uint32_t>(all[4 * n + (k % 8) / 2][4 + k / 8]);
            s += static_cast<double>(half_at(a, k % 2)) * half_at(b, k % 2);
        }
        d[i] = static_cast<float>(s);
    }
    for (int i = 0; i < 4; ++i) {
        p.set(i, emu::to_bits(d[i]));
    }
}

}  // namespace

void ptx(const char* tmpl, std::initializer_list<PtxOperand> outs, std::initializer_list<PtxOperand> ins) {
    Ptx p{tmpl, {}, {}};
    p.ops.assign(outs.begin(), outs.end());
    p.ops.insert(p.ops.end(), ins.begin(), ins.end());
    for (const char* c = tmpl; *c != 0; ++c) {
        if (*c == '%' && c[1] >= '0' && c[1] <= '9') {
            p.refs.push_back(static_cast<int>(strtol(c + 1, nullptr, 10)));
        }
    }
    for (int r : p.refs) {
        if (r < 0 || static_cast<size_t>(r) >= p.ops.size()) {
            fail("PTX \"%s\": operand %%%d does not exist", tmpl, r);
        }
    }
    const char* s = tmpl;
    while (*s == ' ' || *s == '\t' || *s == '\n') {
        ++s;
    }
    std::string op(s, strcspn(s, " \t\n;"));
    if (op.rfind("ld.", 0) == 0) {
        ptx_ld(p, op);
    } else if (op.rfind("ldmatrix.sync.aligned.m8n8.", 0) == 0 && has(op, ".shared.b16")) {
        ptx_ldmatrix(p, op);
    } else if (op == "mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32") {
        ptx_mma_m16n8k16_f32_f16(p);
    } else {
        fail("PTX instruction \"%s\" is not emulated: add it to emu.cpp", op.c_str());
    }
}

}  // namespace emu

// ------------------------------------------------------------------------------------------------------------------
// Runtime API: one emulated device whose memory is host memory; every operation runs synchronously when it is issued,
// except on a stream being captured, where launches, copies, memsets and event records become the nodes of a graph
// (replayed in capture order by cudaGraphLaunch). One mutex serialises every call, so that the JNI library may be
// called from any Java thread.
// ------------------------------------------------------------------------------------------------------------------

struct CUgraph_st {
    std::vector<std::function<void()>> nodes;
};
struct CUgraphExec_st {
    std::vector<std::function<void()>> nodes;
};
struct CUstream_st {
    CUgraph_st* capture = nullptr;  // non-null while captured
    bool invalidated = false;       // an operation the capture cannot hold was issued during it
};
struct CUevent_st {
    std::chrono::steady_clock::time_point at{};
    bool recorded = false;
};

namespace emu {
namespace {

std::recursive_mutex g_api_mutex;
std::set<CUstream_st*> g_streams;
std::set<CUevent_st*> g_events;
std::set<CUgraph_st*> g_graphs;
std::set<CUgraphExec_st*> g_graph_execs;
int g_captures = 0;                          // streams being captured
constexpr size_t kTotalMemory = 16ull << 30;  // what cudaMemGetInfo reports as the device's memory
size_t g_allocated = 0;

typedef std::lock_guard<std::recursive_mutex> Lock;

cudaError_t fail_with(cudaError_t e) {
    g_last_error = e;
    return e;
}

// Ends every capture (invalidated) because of an operation a capture cannot hold: CUDA's rule for the legacy stream
// and for synchronous calls while a stream of the thread is captured.
cudaError_t capture_violation(const char* what) {
    fprintf(stderr, "emu: %s while a stream is being captured: the capture is invalidated\n", what);
    for (CUstream_st* s : g_streams) {
        if (s->capture != nullptr) {
            s->invalidated = true;
        }
    }
    return fail_with(cudaErrorStreamCaptureUnsupported);
}

// Runs `op` now, or records it when `stream` is captured.
cudaError_t issue(cudaStream_t stream, const char* what, std::function<void()> op) {
    if (stream != nullptr && g_streams.count(stream) == 0) {
        fprintf(stderr, "emu: %s on stream %p, which does not exist\n", what, static_cast<void*>(stream));
        return fail_with(cudaErrorInvalidResourceHandle);
    }
    if (stream != nullptr && stream->capture != nullptr) {
        stream->capture->nodes.push_back(std::move(op));
        return cudaSuccess;
    }
    if (stream == nullptr && g_captures > 0) {
        capture_violation(what);
        return fail_with(cudaErrorStreamCaptureImplicit);
    }
    op();
    return cudaSuccess;
}

cudaError_t no_capture(const char* what) { return g_captures > 0 ? capture_violation(what) : cudaSuccess; }

// Whether [p, p + bytes) lies inside one cudaMalloc'd allocation.
bool device_range(const void* p, size_t bytes) {
    const uintptr_t a = reinterpret_cast<uintptr_t>(p);
    auto it = g_allocs.upper_bound(a);
    if (it == g_allocs.begin()) {
        return false;
    }
    --it;
    return a >= it->first && a + bytes <= it->first + it->second.bytes;
}

cudaError_t check_copy(const char* what, void* dst, const void* src, size_t bytes, cudaMemcpyKind kind) {
    const bool dst_device = kind == cudaMemcpyHostToDevice || kind == cudaMemcpyDeviceToDevice;
    const bool src_device = kind == cudaMemcpyDeviceToHost || kind == cudaMemcpyDeviceToDevice;
    if (bytes == 0) {
        return cudaSuccess;
    }
    if (dst == nullptr || src == nullptr || (dst_device && !device_range(dst, bytes)) ||
        (src_device && !device_range(src, bytes))) {
        fprintf(stderr, "emu: %s of %zu bytes from %p to %p (kind %d): not inside device allocations\n", what, bytes,
                src, dst, static_cast<int>(kind));
        return fail_with(cudaErrorInvalidValue);
    }
    return cudaSuccess;
}

}  // namespace

void launch(const LaunchCfg& cfg, const void* kernel, std::function<void()> body) {
    Lock lock(g_api_mutex);
    if (cfg.stream != nullptr && g_streams.count(cfg.stream) == 0) {
        fprintf(stderr, "emu: launch of %s at %s:%d on stream %p, which does not exist\n", cfg.kernel, cfg.file,
                cfg.line, static_cast<void*>(cfg.stream));
        g_last_error = cudaErrorInvalidResourceHandle;
        return;
    }
    if (cfg.stream != nullptr && cfg.stream->capture != nullptr) {
        if (launch_problem(cfg, kernel) == nullptr) {  // CUDA reports a bad configuration when it is captured
            cfg.stream->capture->nodes.push_back([cfg, kernel, body = std::move(body)] { run_grid(cfg, kernel, body); });
        }
        return;
    }
    if (cfg.stream == nullptr && g_captures > 0) {
        capture_violation(cfg.kernel);
        g_last_error = cudaErrorStreamCaptureImplicit;
        return;
    }
    run_grid(cfg, kernel, body);
}

}  // namespace emu

cudaError_t cudaGetLastError() {
    const cudaError_t e = emu::g_last_error;
    emu::g_last_error = cudaSuccess;
    return e;
}

cudaError_t cudaPeekAtLastError() { return emu::g_last_error; }

const char* cudaGetErrorString(cudaError_t e) {
    switch (e) {
        case cudaSuccess:
            return "no error";
        case cudaErrorInvalidValue:
            return "invalid argument";
        case cudaErrorMemoryAllocation:
            return "out of memory";
        case cudaErrorInvalidConfiguration:
            return "invalid configuration argument";
        case cudaErrorNoDevice:
            return "no CUDA-capable device is detected";
        case cudaErrorInvalidDevice:
            return "invalid device ordinal";
        case cudaErrorInvalidResourceHandle:
            return "invalid resource handle";
        case cudaErrorStreamCaptureUnsupported:
            return "operation not permitted when stream is capturing";
        case cudaErrorStreamCaptureInvalidated:
            return "operation failed due to a previous error during capture";
        case cudaErrorStreamCaptureUnmatched:
            return "capture was not initiated in this stream";
        case cudaErrorStreamCaptureImplicit:
            return "operation would make the legacy stream depend on a capturing blocking stream";
        default:
            return "error";
    }
}

const char* cudaGetErrorName(cudaError_t e) {
    switch (e) {
        case cudaSuccess:
            return "cudaSuccess";
        case cudaErrorInvalidValue:
            return "cudaErrorInvalidValue";
        case cudaErrorMemoryAllocation:
            return "cudaErrorMemoryAllocation";
        case cudaErrorInvalidConfiguration:
            return "cudaErrorInvalidConfiguration";
        case cudaErrorNoDevice:
            return "cudaErrorNoDevice";
        case cudaErrorInvalidDevice:
            return "cudaErrorInvalidDevice";
        case cudaErrorInvalidResourceHandle:
            return "cudaErrorInvalidResourceHandle";
        case cudaErrorNotSupported:
            return "cudaErrorNotSupported";
        case cudaErrorStreamCaptureUnsupported:
            return "cudaErrorStreamCaptureUnsupported";
        case cudaErrorStreamCaptureInvalidated:
            return "cudaErrorStreamCaptureInvalidated";
        case cudaErrorStreamCaptureUnmatched:
            return "cudaErrorStreamCaptureUnmatched";
        case cudaErrorStreamCaptureImplicit:
            return "cudaErrorStreamCaptureImplicit";
        case cudaErrorCapturedEvent:
            return "cudaErrorCapturedEvent";
    }
    return "cudaErrorUnknown";
}

cudaError_t cudaGetDevice(int* device) {
    *device = emu::g_device;
    return cudaSuccess;
}

cudaError_t cudaDeviceGetAttribute(int* value, cudaDeviceAttr attr, int device) {
    if (device < 0 || device >= 64) {
        return cudaErrorInvalidDevice;
    }
    switch (attr) {
        case cudaDevAttrMultiProcessorCount:
            *value = emu::g_device_sms[device];
            return cudaSuccess;
        case cudaDevAttrMaxThreadsPerBlock:
            *value = 1024;
            return cudaSuccess;
        case cudaDevAttrMemoryClockRate:
            *value = 1593000;  // kHz (an A100's)
            return cudaSuccess;
        case cudaDevAttrGlobalMemoryBusWidth:
            *value = 5120;
            return cudaSuccess;
    }
    return cudaErrorInvalidValue;
}

// The runtime API of the emulated-device JNI library: device 0 only.
cudaError_t cudaGetDeviceCount(int* count) {
    *count = 1;
    return cudaSuccess;
}

cudaError_t cudaGetDeviceProperties(cudaDeviceProp* prop, int device) {
    if (device != 0) {
        return emu::fail_with(cudaErrorInvalidDevice);
    }
    *prop = cudaDeviceProp{};
    snprintf(prop->name, sizeof prop->name, "rewoo4j emulated device (CPU)");
    prop->totalGlobalMem = emu::kTotalMemory;
    prop->sharedMemPerBlock = 48 * 1024;
    prop->sharedMemPerBlockOptin = emu::kSm80DynamicMax;
    prop->regsPerBlock = 65536;
    prop->warpSize = 32;
    prop->maxThreadsPerBlock = 1024;
    prop->major = 8;  // launches are held to sm_80's limits
    prop->minor = 0;
    prop->multiProcessorCount = emu::g_device_sms[0];
    prop->l2CacheSize = 40 << 20;
    return cudaSuccess;
}

cudaError_t cudaSetDevice(int device) {
    emu::Lock lock(emu::g_api_mutex);
    if (device != 0) {
        return emu::fail_with(cudaErrorInvalidDevice);
    }
    emu::g_device = 0;
    return cudaSuccess;
}

cudaError_t cudaDriverGetVersion(int* version) {
    *version = CUDART_VERSION;
    return cudaSuccess;
}

cudaError_t cudaRuntimeGetVersion(int* version) {
    *version = CUDART_VERSION;
    return cudaSuccess;
}

cudaError_t cudaMemGetInfo(size_t* free_bytes, size_t* total_bytes) {
    emu::Lock lock(emu::g_api_mutex);
    *total_bytes = emu::kTotalMemory;
    *free_bytes = emu::g_allocated < emu::kTotalMemory ? emu::kTotalMemory - emu::g_allocated : 0;
    return cudaSuccess;
}

cudaError_t cudaMalloc(void** p, size_t bytes) {
    emu::Lock lock(emu::g_api_mutex);
    *p = nullptr;
    if (const cudaError_t e = emu::no_capture("cudaMalloc")) {
        return e;
    }
    if (bytes > emu::kTotalMemory - emu::g_allocated) {
        return emu::fail_with(cudaErrorMemoryAllocation);
    }
    *p = emu::device_alloc(bytes == 0 ? 1 : bytes);
    emu::g_allocated += bytes;
    return cudaSuccess;
}

cudaError_t cudaFree(void* p) {
    emu::Lock lock(emu::g_api_mutex);
    if (p == nullptr) {
        return cudaSuccess;
    }
    if (const cudaError_t e = emu::no_capture("cudaFree")) {
        return e;
    }
    const auto it = emu::g_allocs.find(reinterpret_cast<uintptr_t>(p));
    if (it == emu::g_allocs.end()) {
        fprintf(stderr, "emu: cudaFree(%p): not the start of an allocation\n", p);
        return emu::fail_with(cudaErrorInvalidValue);
    }
    emu::g_allocated -= it->second.bytes;
    emu::device_free(p);
    return cudaSuccess;
}

cudaError_t cudaMemcpy(void* dst, const void* src, size_t bytes, cudaMemcpyKind kind) {
    emu::Lock lock(emu::g_api_mutex);
    if (const cudaError_t e = emu::no_capture("cudaMemcpy")) {
        return e;
    }
    if (const cudaError_t e = emu::check_copy("cudaMemcpy", dst, src, bytes, kind)) {
        return e;
    }
    if (bytes != 0) {
        memmove(dst, src, bytes);
    }
    return cudaSuccess;
}

cudaError_t cudaMemcpyAsync(void* dst, const void* src, size_t bytes, cudaMemcpyKind kind, cudaStream_t stream) {
    emu::Lock lock(emu::g_api_mutex);
    if (const cudaError_t e = emu::check_copy("cudaMemcpyAsync", dst, src, bytes, kind)) {
        return e;
    }
    return emu::issue(stream, "cudaMemcpyAsync", [dst, src, bytes] {
        if (bytes != 0) {
            memmove(dst, src, bytes);
        }
    });
}

cudaError_t cudaMemset(void* p, int value, size_t bytes) {
    emu::Lock lock(emu::g_api_mutex);
    if (const cudaError_t e = emu::no_capture("cudaMemset")) {
        return e;
    }
    return cudaMemsetAsync(p, value, bytes, nullptr);
}

cudaError_t cudaMemsetAsync(void* p, int value, size_t bytes, cudaStream_t stream) {
    emu::Lock lock(emu::g_api_mutex);
    if (bytes != 0 && !emu::device_range(p, bytes)) {
        fprintf(stderr, "emu: cudaMemsetAsync of %zu bytes at %p: not inside a device allocation\n", bytes, p);
        return emu::fail_with(cudaErrorInvalidValue);
    }
    return emu::issue(stream, "cudaMemsetAsync", [p, value, bytes] { memset(p, value, bytes); });
}

cudaError_t cudaDeviceSynchronize() {
    emu::Lock lock(emu::g_api_mutex);
    return emu::no_capture("cudaDeviceSynchronize");
}

cudaError_t cudaStreamCreate(cudaStream_t* stream) { return cudaStreamCreateWithFlags(stream, cudaStreamDefault); }

cudaError_t cudaStreamCreateWithFlags(cudaStream_t* stream, unsigned int) {
    emu::Lock lock(emu::g_api_mutex);
    *stream = new CUstream_st();
    emu::g_streams.insert(*stream);
    return cudaSuccess;
}

cudaError_t cudaStreamDestroy(cudaStream_t stream) {
    emu::Lock lock(emu::g_api_mutex);
    if (emu::g_streams.erase(stream) == 0) {
        return emu::fail_with(cudaErrorInvalidResourceHandle);
    }
    if (stream->capture != nullptr) {
        --emu::g_captures;
        delete stream->capture;
    }
    delete stream;
    return cudaSuccess;
}

cudaError_t cudaStreamSynchronize(cudaStream_t stream) {
    emu::Lock lock(emu::g_api_mutex);
    if (stream != nullptr && emu::g_streams.count(stream) == 0) {
        return emu::fail_with(cudaErrorInvalidResourceHandle);
    }
    return emu::no_capture("cudaStreamSynchronize");
}

cudaError_t cudaStreamBeginCapture(cudaStream_t stream, cudaStreamCaptureMode) {
    emu::Lock lock(emu::g_api_mutex);
    if (stream == nullptr || emu::g_streams.count(stream) == 0) {
        return emu::fail_with(stream == nullptr ? cudaErrorStreamCaptureUnsupported : cudaErrorInvalidResourceHandle);
    }
    if (stream->capture != nullptr) {
        return emu::fail_with(cudaErrorStreamCaptureUnsupported);  // already captured
    }
    stream->capture = new CUgraph_st();
    stream->invalidated = false;
    ++emu::g_captures;
    return cudaSuccess;
}

cudaError_t cudaStreamEndCapture(cudaStream_t stream, cudaGraph_t* graph) {
    emu::Lock lock(emu::g_api_mutex);
    *graph = nullptr;
    if (stream == nullptr || emu::g_streams.count(stream) == 0) {
        return emu::fail_with(cudaErrorInvalidResourceHandle);
    }
    if (stream->capture == nullptr) {
        return emu::fail_with(cudaErrorStreamCaptureUnmatched);
    }
    CUgraph_st* g = stream->capture;
    stream->capture = nullptr;
    --emu::g_captures;
    if (stream->invalidated) {
        stream->invalidated = false;
        delete g;
        return emu::fail_with(cudaErrorStreamCaptureInvalidated);
    }
    emu::g_graphs.insert(g);
    *graph = g;
    return cudaSuccess;
}

cudaError_t cudaGraphInstantiate(cudaGraphExec_t* exec, cudaGraph_t graph, unsigned long long) {
    emu::Lock lock(emu::g_api_mutex);
    *exec = nullptr;
    if (emu::g_graphs.count(graph) == 0) {
        return emu::fail_with(cudaErrorInvalidResourceHandle);
    }
    *exec = new CUgraphExec_st{graph->nodes};
    emu::g_graph_execs.insert(*exec);
    return cudaSuccess;
}

cudaError_t cudaGraphDestroy(cudaGraph_t graph) {
    emu::Lock lock(emu::g_api_mutex);
    if (emu::g_graphs.erase(graph) == 0) {
        return emu::fail_with(cudaErrorInvalidResourceHandle);
    }
    delete graph;
    return cudaSuccess;
}

cudaError_t cudaGraphExecDestroy(cudaGraphExec_t exec) {
    emu::Lock lock(emu::g_api_mutex);
    if (emu::g_graph_execs.erase(exec) == 0) {
        return emu::fail_with(cudaErrorInvalidResourceHandle);
    }
    delete exec;
    return cudaSuccess;
}

cudaError_t cudaGraphLaunch(cudaGraphExec_t exec, cudaStream_t stream) {
    emu::Lock lock(emu::g_api_mutex);
    if (emu::g_graph_execs.count(exec) == 0) {
        return emu::fail_with(cudaErrorInvalidResourceHandle);
    }
    // (A graph launched into a captured stream would become a child graph: its nodes are recorded in order.)
    for (const std::function<void()>& node : exec->nodes) {
        if (const cudaError_t e = emu::issue(stream, "cudaGraphLaunch", node)) {
            return e;
        }
    }
    return cudaSuccess;
}

cudaError_t cudaEventCreate(cudaEvent_t* event) {
    emu::Lock lock(emu::g_api_mutex);
    *event = new CUevent_st();
    emu::g_events.insert(*event);
    return cudaSuccess;
}

cudaError_t cudaEventDestroy(cudaEvent_t event) {
    emu::Lock lock(emu::g_api_mutex);
    if (emu::g_events.erase(event) == 0) {
        return emu::fail_with(cudaErrorInvalidResourceHandle);
    }
    delete event;
    return cudaSuccess;
}

cudaError_t cudaEventRecord(cudaEvent_t event, cudaStream_t stream) {
    emu::Lock lock(emu::g_api_mutex);
    if (emu::g_events.count(event) == 0) {
        return emu::fail_with(cudaErrorInvalidResourceHandle);
    }
    return emu::issue(stream, "cudaEventRecord", [event] {
        event->at = std::chrono::steady_clock::now();
        event->recorded = true;
    });
}

cudaError_t cudaEventSynchronize(cudaEvent_t event) {
    emu::Lock lock(emu::g_api_mutex);
    if (emu::g_events.count(event) == 0) {
        return emu::fail_with(cudaErrorInvalidResourceHandle);
    }
    return emu::no_capture("cudaEventSynchronize");
}

cudaError_t cudaEventElapsedTime(float* ms, cudaEvent_t start, cudaEvent_t end) {
    emu::Lock lock(emu::g_api_mutex);
    if (emu::g_events.count(start) == 0 || emu::g_events.count(end) == 0) {
        return emu::fail_with(cudaErrorInvalidResourceHandle);
    }
    if (!start->recorded || !end->recorded) {
        return emu::fail_with(cudaErrorInvalidResourceHandle);
    }
    *ms = std::chrono::duration<float, std::milli>(end->at - start->at).count();
    return cudaSuccess;
}
