// JNI bindings of io.rewoo4j.runtime.cuda.CudaNative: every native method of the library is in this file.
//
// * JNI_OnLoad registers all of them from one table (kNatives) with RegisterNatives, after checking that each
//   (name, signature) exists in the Java class and that the class declares no native method the table lacks: a
//   mismatch between the Java class and this library fails System.load with an UnsatisfiedLinkError naming it.
// * Device memory is handed out by malloc() and recorded (address -> bytes, element type) in a mutex-guarded
//   ordered map. Streams, executable graphs and events made here are recorded too.
// * Every kernel binding checks its arguments before anything reaches CUDA, in this order:
//     1. dimensions and scalar arguments (positive sizes, ld >= width, head_dim even and <= 256, ...);
//     2. device pointers, in parameter order: each must be non-zero, inside a live allocation of the expected
//        element type, aligned to that type, and the allocation must hold the extent the dimensions imply from the
//        pointer to its end;
//     3. the stream: 0 (the legacy default stream) or one made by streamCreate.
//   A violation throws java.lang.IllegalArgumentException "<binding>: <argument> ..." with the numbers involved.
// * Then the rw:: launcher runs; a failing CUDA call throws io.rewoo4j.runtime.cuda.CudaException
//   "<operation>: <cudaGetErrorString> (<cudaGetErrorName>)". C++ exceptions never cross into the JVM.

#include <jni.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <exception>
#include <initializer_list>
#include <limits>
#include <map>
#include <mutex>
#include <new>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <cuda_runtime.h>

#include "attention.cuh"
#include "common/check.cuh"
#include "common/device_matrix.cuh"
#include "gptq.cuh"
#include "moe.cuh"
#include "norm.cuh"
#include "sampling.cuh"

#ifndef REWOO4J_VERSION
#define REWOO4J_VERSION "dev"
#endif
#ifndef REWOO4J_CUDA_ARCHS
#define REWOO4J_CUDA_ARCHS "unknown"
#endif

namespace {

constexpr const char* kNativeClass = "io/rewoo4j/runtime/cuda/CudaNative";
constexpr const char* kNativeClassName = "io.rewoo4j.runtime.cuda.CudaNative";
constexpr const char* kCudaExceptionClass = "io/rewoo4j/runtime/cuda/CudaException";
// Present only on the test class path: lets tests on machines without a device register address ranges that the
// argument checks accept, so that every check can be exercised. Refused whenever a device is visible.
constexpr const char* kFakeAllocationsClass = "io/rewoo4j/runtime/cuda/CudaTestSupport$FakeAllocations";

// ---------------------------------------------------------------------------------------------------------------
// Element types (CudaNative.F32 ...)
// ---------------------------------------------------------------------------------------------------------------

enum ElementType : int { F32 = 0, F16 = 1, I32 = 2, U32 = 3, BYTES = 4 };
constexpr int kElementTypeCount = 5;

const char* type_name(int type) {
    switch (type) {
        case F32: return "F32";
        case F16: return "F16";
        case I32: return "I32";
        case U32: return "U32";
        case BYTES: return "BYTES";
        default: return "?";
    }
}

uint64_t type_size(int type) {
    switch (type) {
        case F32: return 4;
        case F16: return 2;
        case I32: return 4;
        case U32: return 4;
        default: return 1;
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------------------------

// A violated precondition: becomes java.lang.IllegalArgumentException.
struct ArgumentError : std::exception {
    std::string message;
    explicit ArgumentError(std::string m) : message(std::move(m)) {}
    const char* what() const noexcept override { return message.c_str(); }
};

// A failed CUDA call: becomes io.rewoo4j.runtime.cuda.CudaException.
struct CudaFailure : std::exception {
    std::string operation;
    cudaError_t error;
    CudaFailure(std::string op, cudaError_t e) : operation(std::move(op)), error(e) {}
    const char* what() const noexcept override { return operation.c_str(); }
};

// A Java exception is already pending (raised by a JNI function): return to Java with it.
struct JavaPending {};

template <typename... Parts>
std::string cat(const Parts&... parts) {
    std::ostringstream out;
    (out << ... << parts);
    return out.str();
}

std::string hex(uint64_t value) {
    std::ostringstream out;
    out << "0x" << std::hex << value;
    return out.str();
}

// Throws CudaFailure for a failed call, after clearing the thread's last error (so that a later kernel launch,
// whose launcher reads cudaGetLastError, does not report this failure again).
[[noreturn]] void cuda_failed(cudaError_t status, std::string operation) {
    cudaGetLastError();
    throw CudaFailure(std::move(operation), status);
}

inline void check(cudaError_t status, const char* operation) {
    if (status != cudaSuccess) cuda_failed(status, operation);
}

template <typename T>
T* device_ptr(jlong address) {
    return reinterpret_cast<T*>(static_cast<uintptr_t>(address));
}

cudaStream_t stream_of(jlong handle) { return reinterpret_cast<cudaStream_t>(static_cast<uintptr_t>(handle)); }

uint64_t sat_mul(uint64_t a, uint64_t b) {
    if (a != 0 && b > std::numeric_limits<uint64_t>::max() / a) return std::numeric_limits<uint64_t>::max();
    return a * b;
}

uint64_t sat_add(uint64_t a, uint64_t b) {
    return b > std::numeric_limits<uint64_t>::max() - a ? std::numeric_limits<uint64_t>::max() : a + b;
}

// Elements spanned by `rows` rows of `width` elements at stride `ld` (rows >= 1).
uint64_t strided(int64_t rows, int64_t ld, int64_t width) {
    return sat_add(sat_mul(static_cast<uint64_t>(rows - 1), static_cast<uint64_t>(ld)), static_cast<uint64_t>(width));
}

// ---------------------------------------------------------------------------------------------------------------
// Java classes used from native code (global references, set in JNI_OnLoad)
// ---------------------------------------------------------------------------------------------------------------

struct JavaRefs {
    jclass cuda_exception = nullptr;
    jmethodID cuda_exception_init = nullptr;  // (String message, String cudaError)
    jclass illegal_argument = nullptr;
    jclass illegal_state = nullptr;
    jclass out_of_memory = nullptr;
    jmethodID buffer_position = nullptr;
    jmethodID buffer_limit = nullptr;
};
JavaRefs g_java;

// Modified UTF-8 is only safe for ASCII here: anything else (a device name, say) becomes '?'.
jstring new_string(JNIEnv* env, const std::string& text) {
    std::string ascii(text);
    for (char& c : ascii) {
        const unsigned char u = static_cast<unsigned char>(c);
        if (u == 0 || u >= 0x80) c = '?';
    }
    jstring s = env->NewStringUTF(ascii.c_str());
    if (s == nullptr) throw JavaPending{};
    return s;
}

void throw_new(JNIEnv* env, jclass type, const char* message) noexcept {
    if (env->ExceptionCheck()) return;
    if (type != nullptr) env->ThrowNew(type, message);
}

void throw_cuda(JNIEnv* env, const CudaFailure& failure) noexcept {
    if (env->ExceptionCheck()) return;
    try {
        const std::string message = cat(failure.operation, ": ", cudaGetErrorString(failure.error), " (",
                                        cudaGetErrorName(failure.error), ")");
        jstring jmessage = new_string(env, message);
        jstring jname = new_string(env, cudaGetErrorName(failure.error));
        jobject exception = env->NewObject(g_java.cuda_exception, g_java.cuda_exception_init, jmessage, jname);
        if (exception != nullptr) env->Throw(static_cast<jthrowable>(exception));
    } catch (...) {
        throw_new(env, g_java.out_of_memory, "librewoo4j_cuda: could not build a CudaException");
    }
}

// Runs a binding's body and turns whatever it throws into the matching Java exception.
template <typename R, typename Body>
R guarded(JNIEnv* env, R fallback, Body&& body) noexcept {
    try {
        return body();
    } catch (const ArgumentError& e) {
        throw_new(env, g_java.illegal_argument, e.what());
    } catch (const CudaFailure& e) {
        throw_cuda(env, e);
    } catch (const JavaPending&) {
        // already pending
    } catch (const std::bad_alloc&) {
        throw_new(env, g_java.out_of_memory, "librewoo4j_cuda: native heap exhausted");
    } catch (const std::exception& e) {
        throw_new(env, g_java.illegal_state, e.what());
    } catch (...) {
        throw_new(env, g_java.illegal_state, "librewoo4j_cuda: unexpected native exception");
    }
    return fallback;
}

template <typename Body>
void guarded_void(JNIEnv* env, Body&& body) noexcept {
    guarded(env, 0, [&]() {
        body();
        return 0;
    });
}

// ---------------------------------------------------------------------------------------------------------------
// Registry of live allocations and handles
// ---------------------------------------------------------------------------------------------------------------

struct Allocation {
    uint64_t bytes;
    int type;
    bool fake;  // registered by tests, never handed to CUDA
};

struct Registry {
    std::mutex mutex;
    std::map<uint64_t, Allocation> allocations;  // base address -> allocation
    uint64_t allocated_bytes = 0;
    std::set<uint64_t> streams;
    std::set<uint64_t> graphs;
    std::set<uint64_t> events;

    // The allocation containing `address` (lock held), or end().
    std::map<uint64_t, Allocation>::const_iterator containing(uint64_t address) const {
        auto it = allocations.upper_bound(address);
        if (it == allocations.begin()) return allocations.end();
        --it;
        if (address - it->first < it->second.bytes) return it;
        return allocations.end();
    }
};

// Never destroyed: JVM threads may still call in while the process exits.
Registry& registry() {
    static Registry* instance = new Registry();
    return *instance;
}

// ---------------------------------------------------------------------------------------------------------------
// Argument checks
// ---------------------------------------------------------------------------------------------------------------

class Args {
  public:
    explicit Args(const char* binding) : binding_(binding) {}

    [[noreturn]] void fail(const std::string& what) const { throw ArgumentError(cat(binding_, ": ", what)); }

    void positive(const char* name, int64_t value) const {
        if (value <= 0) fail(cat(name, " must be positive, got ", value));
    }

    void non_negative(const char* name, int64_t value) const {
        if (value < 0) fail(cat(name, " must not be negative, got ", value));
    }

    // value >= minimum, where the minimum is described by `what` (e.g. "dim").
    void at_least(const char* name, int64_t value, const char* what, int64_t minimum) const {
        if (value < minimum) fail(cat(name, " (", value, ") must be at least ", what, " (", minimum, ")"));
    }

    void at_most(const char* name, int64_t value, const char* what, int64_t maximum) const {
        if (value > maximum) fail(cat(name, " (", value, ") must be at most ", what, " (", maximum, ")"));
    }

    void finite(const char* name, double value) const {
        if (!std::isfinite(value)) fail(cat(name, " must be finite, got ", value));
    }

    // Grouped-query attention shapes shared by the attention bindings.
    void attention_shape(int heads, int kv_heads, int head_dim) const {
        positive("heads", heads);
        positive("kvHeads", kv_heads);
        if (heads % kv_heads != 0) {
            fail(cat("heads (", heads, ") must be a multiple of kvHeads (", kv_heads, ")"));
        }
        positive("headDim", head_dim);
        if (head_dim % 2 != 0 || head_dim > 256) {
            fail(cat("headDim must be even and at most 256, got ", head_dim));
        }
    }

    // `address` must lie inside a live allocation of `type`, aligned to it, with at least `elements` elements of
    // it from there to the allocation's end. `extent()` describes how `elements` follows from the dimensions; it
    // is only called to build the message of a failure.
    template <typename Extent>
    void buffer(const char* name, jlong address, int type, uint64_t elements, Extent&& extent) const {
        const uint64_t a = static_cast<uint64_t>(address);
        if (a == 0) fail(cat(name, " is null (0); it must point into a live allocation of type ", type_name(type)));
        const uint64_t size = type_size(type);
        Allocation found{};
        uint64_t base = 0;
        {
            Registry& r = registry();
            std::lock_guard<std::mutex> lock(r.mutex);
            auto it = r.containing(a);
            if (it == r.allocations.end()) {
                fail(cat(name, " (", hex(a), ") is not inside a live device allocation"));
            }
            base = it->first;
            found = it->second;
        }
        if (found.type != type) {
            fail(cat(name, " must point into an allocation of type ", type_name(type), ", but ", hex(a),
                     " lies in one of type ", type_name(found.type), " (", found.bytes, " bytes at ", hex(base), ")"));
        }
        const uint64_t offset = a - base;
        if (offset % size != 0) {
            fail(cat(name, " (", hex(a), ") is not aligned to its ", size, "-byte elements (offset ", offset,
                     " into the allocation at ", hex(base), ")"));
        }
        const uint64_t available = (found.bytes - offset) / size;
        if (elements > available) {
            fail(cat(name, " needs ", elements, " ", type_name(type), " elements (", extent(), ") but its allocation (",
                     found.bytes, " bytes at ", hex(base), ") holds only ", available, " from offset ", offset));
        }
    }

    // `bytes` bytes from `address`, inside one live allocation of any type (copies, memset).
    void range(const char* name, jlong address, int64_t bytes) const {
        const uint64_t a = static_cast<uint64_t>(address);
        if (a == 0) fail(cat(name, " is null (0); it must point into a live device allocation"));
        Registry& r = registry();
        std::lock_guard<std::mutex> lock(r.mutex);
        auto it = r.containing(a);
        if (it == r.allocations.end()) fail(cat(name, " (", hex(a), ") is not inside a live device allocation"));
        const uint64_t left = it->second.bytes - (a - it->first);
        if (static_cast<uint64_t>(bytes) > left) {
            fail(cat(name, " needs ", bytes, " bytes but its allocation (", it->second.bytes, " bytes at ",
                     hex(it->first), ") has only ", left, " from ", hex(a)));
        }
    }

    // Like range(), and the allocation's element type must be one of `types`.
    void typed_range(const char* name, jlong address, int64_t bytes, std::initializer_list<int> types) const {
        range(name, address, bytes);
        Registry& r = registry();
        std::lock_guard<std::mutex> lock(r.mutex);
        auto it = r.containing(static_cast<uint64_t>(address));
        if (it == r.allocations.end()) fail(cat(name, " was freed concurrently"));
        for (int t : types) {
            if (it->second.type == t) return;
        }
        std::string expected;
        for (int t : types) expected += cat(expected.empty() ? "" : " or ", type_name(t));
        fail(cat(name, " must point into an allocation of type ", expected, ", but ",
                 hex(static_cast<uint64_t>(address)), " lies in one of type ", type_name(it->second.type)));
    }

    // 0 (the legacy default stream) or a stream from streamCreate.
    void stream(jlong handle) const {
        if (handle == 0) return;
        Registry& r = registry();
        std::lock_guard<std::mutex> lock(r.mutex);
        if (r.streams.count(static_cast<uint64_t>(handle)) == 0) {
            fail(cat("stream (", hex(static_cast<uint64_t>(handle)), ") is not a live stream from streamCreate"));
        }
    }

    // A non-zero stream from streamCreate (graph capture cannot use the legacy stream).
    void created_stream(jlong handle) const {
        if (handle == 0) fail("stream must be a stream from streamCreate, not the legacy default stream (0)");
        stream(handle);
    }

  private:
    const char* binding_;
};

// Removes and returns a registered handle, or fails naming it.
void take_handle(const Args& args, std::set<uint64_t> Registry::*set, jlong handle, const char* what) {
    Registry& r = registry();
    std::lock_guard<std::mutex> lock(r.mutex);
    auto& handles = r.*set;
    if (handles.erase(static_cast<uint64_t>(handle)) == 0) {
        args.fail(cat(what, " (", hex(static_cast<uint64_t>(handle)), ") is not live"));
    }
}

void require_handle(const Args& args, std::set<uint64_t> Registry::*set, jlong handle, const char* what) {
    Registry& r = registry();
    std::lock_guard<std::mutex> lock(r.mutex);
    if ((r.*set).count(static_cast<uint64_t>(handle)) == 0) {
        args.fail(cat(what, " (", hex(static_cast<uint64_t>(handle)), ") is not live"));
    }
}

void add_handle(std::set<uint64_t> Registry::*set, uint64_t handle) {
    Registry& r = registry();
    std::lock_guard<std::mutex> lock(r.mutex);
    (r.*set).insert(handle);
}

// A kernel launcher's status.
void launched(cudaError_t status, const char* launcher) {
    if (status != cudaSuccess) cuda_failed(status, launcher);
}

// Releases a primitive array pinned with GetPrimitiveArrayCritical when the scope ends, however it ends.
class CriticalArray {
  public:
    CriticalArray(JNIEnv* env, jarray array, jint release_mode)
        : env_(env), array_(array), mode_(release_mode), data_(env->GetPrimitiveArrayCritical(array, nullptr)) {
        if (data_ == nullptr) throw JavaPending{};
    }
    ~CriticalArray() { env_->ReleasePrimitiveArrayCritical(array_, data_, mode_); }
    CriticalArray(const CriticalArray&) = delete;
    CriticalArray& operator=(const CriticalArray&) = delete;
    void* data() const { return data_; }
    void abort() { mode_ = JNI_ABORT; }

  private:
    JNIEnv* env_;
    jarray array_;
    jint mode_;
    void* data_;
};

// offset/length must describe a slice of a Java array of `array_length` elements.
void check_slice(const Args& args, jint offset, jint length, jsize array_length) {
    args.non_negative("offset", offset);
    args.non_negative("length", length);
    if (static_cast<int64_t>(offset) + length > array_length) {
        args.fail(cat("offset (", offset, ") + length (", length, ") exceeds the array's length (", array_length, ")"));
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Library and devices
// ---------------------------------------------------------------------------------------------------------------

jstring JNICALL build_info(JNIEnv* env, jclass) {
    return guarded<jstring>(env, nullptr, [&]() {
        const std::string info = cat("rewoo4j-cuda ", REWOO4J_VERSION, "; CUDA runtime ", CUDART_VERSION / 1000, ".",
                                     (CUDART_VERSION % 1000) / 10, " (static); architectures ", REWOO4J_CUDA_ARCHS);
        return new_string(env, info);
    });
}

jintArray JNICALL struct_layout(JNIEnv* env, jclass) {
    return guarded<jintArray>(env, nullptr, [&]() {
        const jint layout[3] = {static_cast<jint>(sizeof(rw::DeviceMatrix)),
                                static_cast<jint>(offsetof(rw::DeviceMatrix, kind)),
                                static_cast<jint>(offsetof(rw::DeviceMatrix, y_col_offset))};
        jintArray result = env->NewIntArray(3);
        if (result == nullptr) throw JavaPending{};
        env->SetIntArrayRegion(result, 0, 3, layout);
        return result;
    });
}

jint JNICALL device_count(JNIEnv* env, jclass) {
    return guarded<jint>(env, 0, [&]() {
        int count = 0;
        check(cudaGetDeviceCount(&count), "cudaGetDeviceCount");
        if (count <= 0) cuda_failed(cudaErrorNoDevice, "cudaGetDeviceCount");
        return static_cast<jint>(count);
    });
}

jint JNICALL driver_version(JNIEnv* env, jclass) {
    return guarded<jint>(env, 0, [&]() {
        int version = 0;
        if (cudaDriverGetVersion(&version) != cudaSuccess) {
            cudaGetLastError();
            return 0;
        }
        return static_cast<jint>(version);
    });
}

jstring JNICALL device_name(JNIEnv* env, jclass, jint device) {
    return guarded<jstring>(env, nullptr, [&]() {
        Args("deviceName").non_negative("device", device);
        cudaDeviceProp prop{};
        check(cudaGetDeviceProperties(&prop, device), "cudaGetDeviceProperties");
        prop.name[sizeof(prop.name) - 1] = '\0';
        return new_string(env, prop.name);
    });
}

jlongArray JNICALL device_properties(JNIEnv* env, jclass, jint device) {
    return guarded<jlongArray>(env, nullptr, [&]() {
        Args("deviceProperties").non_negative("device", device);
        cudaDeviceProp prop{};
        check(cudaGetDeviceProperties(&prop, device), "cudaGetDeviceProperties");
        int memory_clock_khz = 0;
        int bus_width = 0;
        check(cudaDeviceGetAttribute(&memory_clock_khz, cudaDevAttrMemoryClockRate, device),
              "cudaDeviceGetAttribute(cudaDevAttrMemoryClockRate)");
        check(cudaDeviceGetAttribute(&bus_width, cudaDevAttrGlobalMemoryBusWidth, device),
              "cudaDeviceGetAttribute(cudaDevAttrGlobalMemoryBusWidth)");
        const jlong values[7] = {prop.major,
                                 prop.minor,
                                 static_cast<jlong>(prop.totalGlobalMem),
                                 prop.multiProcessorCount,
                                 prop.l2CacheSize,
                                 bus_width,
                                 memory_clock_khz};
        jlongArray result = env->NewLongArray(7);
        if (result == nullptr) throw JavaPending{};
        env->SetLongArrayRegion(result, 0, 7, values);
        return result;
    });
}

void JNICALL set_device(JNIEnv* env, jclass, jint device) {
    guarded_void(env, [&]() {
        Args("setDevice").non_negative("device", device);
        check(cudaSetDevice(device), "cudaSetDevice");
    });
}

jlongArray JNICALL memory_info(JNIEnv* env, jclass) {
    return guarded<jlongArray>(env, nullptr, [&]() {
        size_t free_bytes = 0;
        size_t total_bytes = 0;
        check(cudaMemGetInfo(&free_bytes, &total_bytes), "cudaMemGetInfo");
        const jlong values[2] = {static_cast<jlong>(free_bytes), static_cast<jlong>(total_bytes)};
        jlongArray result = env->NewLongArray(2);
        if (result == nullptr) throw JavaPending{};
        env->SetLongArrayRegion(result, 0, 2, values);
        return result;
    });
}

// ---------------------------------------------------------------------------------------------------------------
// Memory
// ---------------------------------------------------------------------------------------------------------------

jlong JNICALL device_malloc(JNIEnv* env, jclass, jlong bytes, jint element_type) {
    return guarded<jlong>(env, 0, [&]() {
        Args args("malloc");
        args.positive("bytes", bytes);
        if (element_type < 0 || element_type >= kElementTypeCount) {
            args.fail(cat("elementType must be F32 (0), F16 (1), I32 (2), U32 (3) or BYTES (4), got ", element_type));
        }
        if (static_cast<uint64_t>(bytes) % type_size(element_type) != 0) {
            args.fail(cat("bytes (", bytes, ") is not a multiple of the ", type_size(element_type), "-byte ",
                          type_name(element_type), " element"));
        }
        void* pointer = nullptr;
        const cudaError_t status = cudaMalloc(&pointer, static_cast<size_t>(bytes));
        if (status != cudaSuccess) cuda_failed(status, cat("cudaMalloc(", bytes, " bytes)"));
        const uint64_t address = reinterpret_cast<uintptr_t>(pointer);
        try {
            Registry& r = registry();
            std::lock_guard<std::mutex> lock(r.mutex);
            r.allocations[address] = Allocation{static_cast<uint64_t>(bytes), element_type, false};
            r.allocated_bytes += static_cast<uint64_t>(bytes);
        } catch (...) {
            cudaFree(pointer);
            throw;
        }
        return static_cast<jlong>(address);
    });
}

void JNICALL device_free(JNIEnv* env, jclass, jlong address) {
    guarded_void(env, [&]() {
        Args args("free");
        const uint64_t a = static_cast<uint64_t>(address);
        {
            Registry& r = registry();
            std::lock_guard<std::mutex> lock(r.mutex);
            auto it = r.allocations.find(a);
            if (it == r.allocations.end() || it->second.fake) {
                auto inside = r.containing(a);
                if (inside != r.allocations.end() && !inside->second.fake) {
                    args.fail(cat("address (", hex(a), ") is inside the allocation at ", hex(inside->first),
                                  " but is not its start"));
                }
                args.fail(cat("address (", hex(a), ") is not the start of a live device allocation"));
            }
            r.allocated_bytes -= it->second.bytes;
            r.allocations.erase(it);
        }
        check(cudaFree(device_ptr<void>(address)), "cudaFree");
    });
}

jlong JNICALL allocated_bytes(JNIEnv* env, jclass) {
    return guarded<jlong>(env, 0, [&]() {
        Registry& r = registry();
        std::lock_guard<std::mutex> lock(r.mutex);
        return static_cast<jlong>(r.allocated_bytes);
    });
}

// Host address and usable bytes (limit - position) of a direct buffer.
std::pair<char*, int64_t> direct_buffer(JNIEnv* env, const Args& args, const char* name, jobject buffer) {
    if (buffer == nullptr) args.fail(cat(name, " is null"));
    char* address = static_cast<char*>(env->GetDirectBufferAddress(buffer));
    if (address == nullptr) args.fail(cat(name, " is not a direct buffer"));
    const jint position = env->CallIntMethod(buffer, g_java.buffer_position);
    if (env->ExceptionCheck()) throw JavaPending{};
    const jint limit = env->CallIntMethod(buffer, g_java.buffer_limit);
    if (env->ExceptionCheck()) throw JavaPending{};
    const jlong capacity = env->GetDirectBufferCapacity(buffer);
    if (position < 0 || limit < position || limit > capacity) {
        args.fail(cat(name, " has an inconsistent position (", position, ") / limit (", limit, ")"));
    }
    return {address + position, static_cast<int64_t>(limit) - position};
}

void JNICALL copy_to_device(JNIEnv* env, jclass, jlong dst, jobject src, jlong bytes) {
    guarded_void(env, [&]() {
        Args args("copyToDevice");
        args.non_negative("bytes", bytes);
        auto [host, remaining] = direct_buffer(env, args, "src", src);
        if (bytes > remaining) args.fail(cat("bytes (", bytes, ") exceeds src's remaining bytes (", remaining, ")"));
        args.range("dst", dst, bytes);
        if (bytes == 0) return;
        check(cudaMemcpy(device_ptr<void>(dst), host, static_cast<size_t>(bytes), cudaMemcpyHostToDevice),
              "cudaMemcpy(host to device)");
    });
}

void JNICALL copy_to_host(JNIEnv* env, jclass, jobject dst, jlong src, jlong bytes) {
    guarded_void(env, [&]() {
        Args args("copyToHost");
        args.non_negative("bytes", bytes);
        auto [host, remaining] = direct_buffer(env, args, "dst", dst);
        if (bytes > remaining) args.fail(cat("bytes (", bytes, ") exceeds dst's remaining bytes (", remaining, ")"));
        args.range("src", src, bytes);
        if (bytes == 0) return;
        check(cudaMemcpy(host, device_ptr<const void>(src), static_cast<size_t>(bytes), cudaMemcpyDeviceToHost),
              "cudaMemcpy(device to host)");
    });
}

// Host array -> device (synchronous on the legacy default stream, which orders it with the blocking streams made
// by streamCreate). The source is copied out of the array before cudaMemcpy returns.
void array_to_device(JNIEnv* env, const char* binding, jlong dst, jarray src, jint offset, jint length,
                     std::initializer_list<int> types) {
    Args args(binding);
    if (src == nullptr) args.fail("src is null");
    check_slice(args, offset, length, env->GetArrayLength(src));
    args.typed_range("dst", dst, static_cast<int64_t>(length) * 4, types);
    if (length == 0) return;
    CriticalArray array(env, src, JNI_ABORT);
    check(cudaMemcpy(device_ptr<void>(dst), static_cast<const char*>(array.data()) + static_cast<size_t>(offset) * 4,
                     static_cast<size_t>(length) * 4, cudaMemcpyHostToDevice),
          "cudaMemcpy(host to device)");
}

// Device -> host array, after the work queued on `stream` (waited for before the array is pinned).
void array_to_host(JNIEnv* env, const char* binding, jarray dst, jint offset, jint length, jlong src, jlong stream,
                   std::initializer_list<int> types) {
    Args args(binding);
    if (dst == nullptr) args.fail("dst is null");
    check_slice(args, offset, length, env->GetArrayLength(dst));
    args.typed_range("src", src, static_cast<int64_t>(length) * 4, types);
    args.stream(stream);
    check(cudaStreamSynchronize(stream_of(stream)), "cudaStreamSynchronize");
    if (length == 0) return;
    CriticalArray array(env, dst, 0);
    const cudaError_t status =
        cudaMemcpy(static_cast<char*>(array.data()) + static_cast<size_t>(offset) * 4, device_ptr<const void>(src),
                   static_cast<size_t>(length) * 4, cudaMemcpyDeviceToHost);
    if (status != cudaSuccess) {
        array.abort();
        cuda_failed(status, "cudaMemcpy(device to host)");
    }
}

void JNICALL copy_floats_to_device(JNIEnv* env, jclass, jlong dst, jfloatArray src, jint offset, jint length) {
    guarded_void(env, [&]() { array_to_device(env, "copyFloatsToDevice", dst, src, offset, length, {F32, BYTES}); });
}

void JNICALL copy_floats_to_host(JNIEnv* env, jclass, jfloatArray dst, jint offset, jint length, jlong src,
                                 jlong stream) {
    guarded_void(env, [&]() {
        array_to_host(env, "copyFloatsToHost", dst, offset, length, src, stream, {F32, BYTES});
    });
}

void JNICALL copy_ints_to_device(JNIEnv* env, jclass, jlong dst, jintArray src, jint offset, jint length) {
    guarded_void(env, [&]() { array_to_device(env, "copyIntsToDevice", dst, src, offset, length, {I32, U32, BYTES}); });
}

void JNICALL copy_ints_to_host(JNIEnv* env, jclass, jintArray dst, jint offset, jint length, jlong src,
                               jlong stream) {
    guarded_void(env, [&]() {
        array_to_host(env, "copyIntsToHost", dst, offset, length, src, stream, {I32, U32, BYTES});
    });
}

void JNICALL copy_device_to_device(JNIEnv* env, jclass, jlong dst, jlong src, jlong bytes, jlong stream) {
    guarded_void(env, [&]() {
        Args args("copyDeviceToDevice");
        args.non_negative("bytes", bytes);
        args.range("dst", dst, bytes);
        args.range("src", src, bytes);
        args.stream(stream);
        if (bytes == 0) return;
        check(cudaMemcpyAsync(device_ptr<void>(dst), device_ptr<const void>(src), static_cast<size_t>(bytes),
                              cudaMemcpyDeviceToDevice, stream_of(stream)),
              "cudaMemcpyAsync(device to device)");
    });
}

void JNICALL device_memset(JNIEnv* env, jclass, jlong address, jint value, jlong bytes, jlong stream) {
    guarded_void(env, [&]() {
        Args args("memset");
        if (value < 0 || value > 255) args.fail(cat("value must be a byte (0..255), got ", value));
        args.non_negative("bytes", bytes);
        args.range("address", address, bytes);
        args.stream(stream);
        if (bytes == 0) return;
        check(cudaMemsetAsync(device_ptr<void>(address), value, static_cast<size_t>(bytes), stream_of(stream)),
              "cudaMemsetAsync");
    });
}

// ---------------------------------------------------------------------------------------------------------------
// Streams, graphs, events
// ---------------------------------------------------------------------------------------------------------------

jlong JNICALL stream_create(JNIEnv* env, jclass) {
    return guarded<jlong>(env, 0, [&]() {
        cudaStream_t stream = nullptr;
        // A blocking stream: synchronous copies on the legacy default stream are ordered with its work.
        check(cudaStreamCreateWithFlags(&stream, cudaStreamDefault), "cudaStreamCreate");
        const uint64_t handle = reinterpret_cast<uintptr_t>(stream);
        try {
            add_handle(&Registry::streams, handle);
        } catch (...) {
            cudaStreamDestroy(stream);
            throw;
        }
        return static_cast<jlong>(handle);
    });
}

void JNICALL stream_destroy(JNIEnv* env, jclass, jlong stream) {
    guarded_void(env, [&]() {
        Args args("streamDestroy");
        if (stream == 0) args.fail("stream 0 (the legacy default stream) cannot be destroyed");
        take_handle(args, &Registry::streams, stream, "stream");
        check(cudaStreamDestroy(stream_of(stream)), "cudaStreamDestroy");
    });
}

void JNICALL stream_synchronize(JNIEnv* env, jclass, jlong stream) {
    guarded_void(env, [&]() {
        Args("streamSynchronize").stream(stream);
        check(cudaStreamSynchronize(stream_of(stream)), "cudaStreamSynchronize");
    });
}

void JNICALL graph_begin_capture(JNIEnv* env, jclass, jlong stream) {
    guarded_void(env, [&]() {
        Args("graphBeginCapture").created_stream(stream);
        check(cudaStreamBeginCapture(stream_of(stream), cudaStreamCaptureModeThreadLocal), "cudaStreamBeginCapture");
    });
}

jlong JNICALL graph_end_capture(JNIEnv* env, jclass, jlong stream) {
    return guarded<jlong>(env, 0, [&]() {
        Args("graphEndCapture").created_stream(stream);
        cudaGraph_t graph = nullptr;
        check(cudaStreamEndCapture(stream_of(stream), &graph), "cudaStreamEndCapture");
        cudaGraphExec_t exec = nullptr;
        const cudaError_t status = cudaGraphInstantiate(&exec, graph, 0);
        const cudaError_t destroyed = cudaGraphDestroy(graph);  // the executable graph does not need it
        if (status != cudaSuccess) cuda_failed(status, "cudaGraphInstantiate");
        if (destroyed != cudaSuccess) {
            cudaGraphExecDestroy(exec);
            cuda_failed(destroyed, "cudaGraphDestroy");
        }
        const uint64_t handle = reinterpret_cast<uintptr_t>(exec);
        try {
            add_handle(&Registry::graphs, handle);
        } catch (...) {
            cudaGraphExecDestroy(exec);
            throw;
        }
        return static_cast<jlong>(handle);
    });
}

void JNICALL graph_launch(JNIEnv* env, jclass, jlong graph, jlong stream) {
    guarded_void(env, [&]() {
        Args args("graphLaunch");
        require_handle(args, &Registry::graphs, graph, "graph");
        args.stream(stream);
        check(cudaGraphLaunch(reinterpret_cast<cudaGraphExec_t>(static_cast<uintptr_t>(graph)), stream_of(stream)),
              "cudaGraphLaunch");
    });
}

void JNICALL graph_destroy(JNIEnv* env, jclass, jlong graph) {
    guarded_void(env, [&]() {
        take_handle(Args("graphDestroy"), &Registry::graphs, graph, "graph");
        check(cudaGraphExecDestroy(reinterpret_cast<cudaGraphExec_t>(static_cast<uintptr_t>(graph))),
              "cudaGraphExecDestroy");
    });
}

cudaEvent_t event_of(jlong handle) { return reinterpret_cast<cudaEvent_t>(static_cast<uintptr_t>(handle)); }

jlong JNICALL event_create(JNIEnv* env, jclass) {
    return guarded<jlong>(env, 0, [&]() {
        cudaEvent_t event = nullptr;
        check(cudaEventCreate(&event), "cudaEventCreate");
        const uint64_t handle = reinterpret_cast<uintptr_t>(event);
        try {
            add_handle(&Registry::events, handle);
        } catch (...) {
            cudaEventDestroy(event);
            throw;
        }
        return static_cast<jlong>(handle);
    });
}

void JNICALL event_record(JNIEnv* env, jclass, jlong event, jlong stream) {
    guarded_void(env, [&]() {
        Args args("eventRecord");
        require_handle(args, &Registry::events, event, "event");
        args.stream(stream);
        check(cudaEventRecord(event_of(event), stream_of(stream)), "cudaEventRecord");
    });
}

jfloat JNICALL event_elapsed_millis(JNIEnv* env, jclass, jlong start, jlong end) {
    return guarded<jfloat>(env, 0.0f, [&]() {
        Args args("eventElapsedMillis");
        require_handle(args, &Registry::events, start, "start");
        require_handle(args, &Registry::events, end, "end");
        check(cudaEventSynchronize(event_of(end)), "cudaEventSynchronize");
        float millis = 0.0f;
        check(cudaEventElapsedTime(&millis, event_of(start), event_of(end)), "cudaEventElapsedTime");
        return millis;
    });
}

void JNICALL event_destroy(JNIEnv* env, jclass, jlong event) {
    guarded_void(env, [&]() {
        take_handle(Args("eventDestroy"), &Registry::events, event, "event");
        check(cudaEventDestroy(event_of(event)), "cudaEventDestroy");
    });
}

// ---------------------------------------------------------------------------------------------------------------
// Kernels
// ---------------------------------------------------------------------------------------------------------------

void JNICALL linear(JNIEnv* env, jclass, jlong stream, jlong matrices, jint nmat, jint experts, jint kind, jint bits,
                    jint in, jint max_out, jlong x, jint ldx, jint rows, jint input_mode, jint output_mode, jlong y,
                    jint ldy, jint y_rows, jint topk, jlong expert_offset, jlong sorted_assign, jlong assign_weight,
                    jint max_tasks_per_expert) {
    guarded_void(env, [&]() {
        Args args("linear");
        // 1. dimensions
        args.positive("nmat", nmat);
        args.positive("experts", experts);
        if (kind != rw::MATRIX_GPTQ && kind != rw::MATRIX_DENSE) {
            args.fail(cat("kind must be MATRIX_GPTQ (0) or MATRIX_DENSE (1), got ", kind));
        }
        args.positive("in", in);
        if (kind == rw::MATRIX_GPTQ) {
            if (bits != 2 && bits != 3 && bits != 4 && bits != 8) {
                args.fail(cat("bits must be 2, 3, 4 or 8, got ", bits));
            }
            if (in % 32 != 0) args.fail(cat("in (", in, ") must be a multiple of 32 for GPTQ matrices"));
        }
        args.positive("maxOut", max_out);
        args.positive("rows", rows);
        if (input_mode != rw::INPUT_TOKEN && input_mode != rw::INPUT_SILU_MUL) {
            args.fail(cat("inputMode must be INPUT_TOKEN (0) or INPUT_SILU_MUL (1), got ", input_mode));
        }
        if (output_mode != rw::OUTPUT_TASK && output_mode != rw::OUTPUT_TOKEN_WEIGHTED) {
            args.fail(cat("outputMode must be OUTPUT_TASK (0) or OUTPUT_TOKEN_WEIGHTED (1), got ", output_mode));
        }
        const int given = (expert_offset != 0) + (sorted_assign != 0) + (assign_weight != 0);
        if (given != 0 && given != 3) {
            args.fail(cat("expertOffset (", hex(static_cast<uint64_t>(expert_offset)), "), sortedAssign (",
                          hex(static_cast<uint64_t>(sorted_assign)), ") and assignWeight (",
                          hex(static_cast<uint64_t>(assign_weight)),
                          ") must be given together (routing) or all be 0 (no routing)"));
        }
        const bool routed = given == 3;
        int64_t tasks = rows;
        if (routed) {
            args.positive("topk", topk);
            args.at_most("topk", topk, "experts", experts);
            tasks = static_cast<int64_t>(rows) * topk;
            args.at_most("rows * topk", tasks, "2^31 - 1", std::numeric_limits<jint>::max());
        } else if (experts != 1) {
            args.fail(cat("experts must be 1 without routing, got ", experts));
        }
        const int64_t input_width = input_mode == rw::INPUT_SILU_MUL ? 2 * static_cast<int64_t>(in) : in;
        const int64_t input_rows = input_mode == rw::INPUT_SILU_MUL ? tasks : rows;
        args.at_least("ldx", ldx, input_mode == rw::INPUT_SILU_MUL ? "2 * in" : "in", input_width);
        args.at_least("ldy", ldy, "maxOut", max_out);
        if (output_mode == rw::OUTPUT_TASK) {
            args.at_least("yRows", y_rows, routed ? "rows * topk (tasks)" : "rows (tasks)", tasks);
        } else {
            args.at_least("yRows", y_rows, "rows", rows);
        }
        args.positive("maxTasksPerExpert", max_tasks_per_expert);
        args.at_most("maxTasksPerExpert", max_tasks_per_expert, routed ? "rows * topk" : "rows", tasks);
        // 2. pointers
        const uint64_t table_bytes = sat_mul(sat_mul(static_cast<uint64_t>(experts), static_cast<uint64_t>(nmat)),
                                             sizeof(rw::DeviceMatrix));
        args.buffer("matrices", matrices, BYTES, table_bytes, [&] {
            return cat("experts ", experts, " * nmat ", nmat, " * ", sizeof(rw::DeviceMatrix), "-byte DeviceMatrix");
        });
        if (static_cast<uint64_t>(matrices) % alignof(rw::DeviceMatrix) != 0) {
            args.fail(cat("matrices (", hex(static_cast<uint64_t>(matrices)), ") is not ", alignof(rw::DeviceMatrix),
                          "-byte aligned"));
        }
        args.buffer("x", x, F32, strided(input_rows, ldx, input_width), [&] {
            return cat("(", input_mode == rw::INPUT_SILU_MUL ? "tasks " : "rows ", input_rows, " - 1) * ldx ", ldx,
                       " + ", input_mode == rw::INPUT_SILU_MUL ? "2 * in " : "in ", input_width);
        });
        args.buffer("y", y, F32, sat_mul(static_cast<uint64_t>(y_rows), static_cast<uint64_t>(ldy)),
                    [&] { return cat("yRows ", y_rows, " * ldy ", ldy); });
        if (routed) {
            args.buffer("expertOffset", expert_offset, I32, static_cast<uint64_t>(experts) + 1,
                        [&] { return cat("experts ", experts, " + 1"); });
            args.buffer("sortedAssign", sorted_assign, I32, static_cast<uint64_t>(tasks),
                        [&] { return cat("rows ", rows, " * topk ", topk); });
            args.buffer("assignWeight", assign_weight, F32, static_cast<uint64_t>(tasks),
                        [&] { return cat("rows ", rows, " * topk ", topk); });
        }
        // 3. stream
        args.stream(stream);

        rw::LinearBatch batch{};
        batch.mats = device_ptr<const rw::DeviceMatrix>(matrices);
        batch.nmat = nmat;
        batch.experts = experts;
        batch.x = device_ptr<const float>(x);
        batch.ldx = ldx;
        batch.rows = rows;
        batch.input_mode = input_mode;
        batch.output_mode = output_mode;
        batch.y = device_ptr<float>(y);
        batch.ldy = ldy;
        batch.topk = routed ? topk : 1;
        batch.expert_offset = routed ? device_ptr<const int32_t>(expert_offset) : nullptr;
        batch.sorted_assign = routed ? device_ptr<const int32_t>(sorted_assign) : nullptr;
        batch.assign_weight = routed ? device_ptr<const float>(assign_weight) : nullptr;
        launched(rw::linear_forward(batch, kind, bits, in, max_out, max_tasks_per_expert, stream_of(stream)),
                 "linear_forward");
    });
}

void JNICALL embed_rows(JNIEnv* env, jclass, jlong stream, jlong table, jint vocab, jint hidden, jlong tokens,
                        jint rows, jlong x) {
    guarded_void(env, [&]() {
        Args args("embedRows");
        args.positive("vocab", vocab);
        args.positive("hidden", hidden);
        args.positive("rows", rows);
        args.buffer("table", table, F16, sat_mul(vocab, hidden),
                    [&] { return cat("vocab ", vocab, " * hidden ", hidden); });
        args.buffer("tokens", tokens, I32, rows, [&] { return cat("rows ", rows); });
        args.buffer("x", x, F32, sat_mul(rows, hidden), [&] { return cat("rows ", rows, " * hidden ", hidden); });
        args.stream(stream);
        launched(rw::embed_rows(device_ptr<const __half>(table), vocab, hidden, device_ptr<const int32_t>(tokens),
                                rows, device_ptr<float>(x), stream_of(stream)),
                 "embed_rows");
    });
}

void JNICALL rms_norm(JNIEnv* env, jclass, jlong stream, jlong x, jint ldx, jlong weight, jint rows, jint dim,
                      jfloat eps, jlong y, jint ldy) {
    guarded_void(env, [&]() {
        Args args("rmsNorm");
        args.positive("rows", rows);
        args.positive("dim", dim);
        args.at_least("ldx", ldx, "dim", dim);
        args.at_least("ldy", ldy, "dim", dim);
        args.finite("eps", eps);
        if (eps < 0) args.fail(cat("eps must not be negative, got ", eps));
        const uint64_t x_elements = strided(rows, ldx, dim);
        const uint64_t y_elements = strided(rows, ldy, dim);
        if (x == y && ldx != ldy) args.fail(cat("in place (y == x) needs ldy == ldx, got ", ldy, " and ", ldx));
        args.buffer("x", x, F32, x_elements,
                    [&] { return cat("(rows ", rows, " - 1) * ldx ", ldx, " + dim ", dim); });
        args.buffer("weight", weight, F32, dim, [&] { return cat("dim ", dim); });
        args.buffer("y", y, F32, y_elements,
                    [&] { return cat("(rows ", rows, " - 1) * ldy ", ldy, " + dim ", dim); });
        if (x != y) {
            const uint64_t xa = static_cast<uint64_t>(x);
            const uint64_t ya = static_cast<uint64_t>(y);
            if (xa < ya + y_elements * 4 && ya < xa + x_elements * 4) {
                args.fail(cat("y (", hex(ya), ") overlaps x (", hex(xa), "); in place needs y == x"));
            }
        }
        args.stream(stream);
        launched(rw::rms_norm(device_ptr<const float>(x), ldx, device_ptr<const float>(weight), rows, dim, eps,
                              device_ptr<float>(y), ldy, stream_of(stream)),
                 "rms_norm");
    });
}

void JNICALL positions_fill(JNIEnv* env, jclass, jlong stream, jlong seq, jlong pos, jint rows, jint seq_value,
                            jint start) {
    guarded_void(env, [&]() {
        Args args("positionsFill");
        args.positive("rows", rows);
        args.non_negative("seqValue", seq_value);
        args.non_negative("start", start);
        args.at_most("start + rows", static_cast<int64_t>(start) + rows, "2^31 - 1", std::numeric_limits<jint>::max());
        args.buffer("seq", seq, I32, rows, [&] { return cat("rows ", rows); });
        args.buffer("pos", pos, I32, rows, [&] { return cat("rows ", rows); });
        args.stream(stream);
        launched(rw::positions_fill(device_ptr<int32_t>(seq), device_ptr<int32_t>(pos), rows, seq_value, start,
                                    stream_of(stream)),
                 "positions_fill");
    });
}

void JNICALL counters_advance(JNIEnv* env, jclass, jlong stream, jlong counters, jint n, jint by) {
    guarded_void(env, [&]() {
        Args args("countersAdvance");
        args.positive("n", n);
        args.buffer("counters", counters, I32, n, [&] { return cat("n ", n); });
        args.stream(stream);
        launched(rw::counters_advance(device_ptr<int32_t>(counters), n, by, stream_of(stream)), "counters_advance");
    });
}

// Elements of one layer's k (or v) cache.
uint64_t cache_elements(int max_seqs, int max_pos, int kv_heads, int head_dim) {
    return sat_mul(sat_mul(static_cast<uint64_t>(max_seqs), static_cast<uint64_t>(max_pos)),
                   sat_mul(static_cast<uint64_t>(kv_heads), static_cast<uint64_t>(head_dim)));
}

// The checks the three attention bindings share: rows of q|k|v at stride ld, and the layer's KV cache.
struct QkvRows {
    const Args& args;
    int rows, ld, heads, kv_heads, head_dim, max_seqs, max_pos;
    int64_t width;  // (heads + 2 * kv_heads) * head_dim

    QkvRows(const Args& a, int rows_, int ld_, int heads_, int kv_heads_, int head_dim_, int max_seqs_, int max_pos_)
        : args(a), rows(rows_), ld(ld_), heads(heads_), kv_heads(kv_heads_), head_dim(head_dim_),
          max_seqs(max_seqs_), max_pos(max_pos_),
          width((static_cast<int64_t>(heads_) + 2 * static_cast<int64_t>(kv_heads_)) * head_dim_) {}

    // rows, the head shape, ld, maxSeqs and maxPos, in that order.
    void check_dimensions() const {
        args.positive("rows", rows);
        args.attention_shape(heads, kv_heads, head_dim);
        args.at_least("ld", ld, "(heads + 2 * kvHeads) * headDim", width);
        args.positive("maxSeqs", max_seqs);
        args.positive("maxPos", max_pos);
    }

    void check_qkv(jlong qkv) const {
        args.buffer("qkv", qkv, F32, strided(rows, ld, width), [&] {
            return cat("(rows ", rows, " - 1) * ld ", ld, " + (heads ", heads, " + 2 * kvHeads ", kv_heads,
                       ") * headDim ", head_dim);
        });
    }

    void check_cache(jlong k_cache, jlong v_cache) const {
        const uint64_t cache = cache_elements(max_seqs, max_pos, kv_heads, head_dim);
        auto extent = [&] {
            return cat("maxSeqs ", max_seqs, " * maxPos ", max_pos, " * kvHeads ", kv_heads, " * headDim ", head_dim);
        };
        args.buffer("kCache", k_cache, F16, cache, extent);
        args.buffer("vCache", v_cache, F16, cache, extent);
    }

    // The attention output, heads * head_dim per row at stride ldo (its ldo check comes with the dimensions).
    void check_ldo(int ldo) const {
        args.at_least("ldo", ldo, "heads * headDim", static_cast<int64_t>(heads) * head_dim);
    }

    void check_out(jlong out, int ldo) const {
        args.buffer("out", out, F32, strided(rows, ldo, static_cast<int64_t>(heads) * head_dim), [&] {
            return cat("(rows ", rows, " - 1) * ldo ", ldo, " + heads ", heads, " * headDim ", head_dim);
        });
    }
};

void JNICALL rope_and_store_kv(JNIEnv* env, jclass, jlong stream, jlong qkv, jint ld, jint rows, jint heads,
                               jint kv_heads, jint head_dim, jlong seq, jlong pos, jlong cos_table, jlong sin_table,
                               jlong k_cache, jlong v_cache, jint max_seqs, jint max_pos) {
    guarded_void(env, [&]() {
        Args args("ropeAndStoreKv");
        const QkvRows shape(args, rows, ld, heads, kv_heads, head_dim, max_seqs, max_pos);
        shape.check_dimensions();
        const uint64_t angles = sat_mul(max_pos, head_dim / 2);
        shape.check_qkv(qkv);
        args.buffer("seq", seq, I32, rows, [&] { return cat("rows ", rows); });
        args.buffer("pos", pos, I32, rows, [&] { return cat("rows ", rows); });
        args.buffer("cosTable", cos_table, F32, angles,
                    [&] { return cat("maxPos ", max_pos, " * headDim / 2 ", head_dim / 2); });
        args.buffer("sinTable", sin_table, F32, angles,
                    [&] { return cat("maxPos ", max_pos, " * headDim / 2 ", head_dim / 2); });
        shape.check_cache(k_cache, v_cache);
        args.stream(stream);
        launched(rw::rope_and_store_kv(device_ptr<float>(qkv), ld, rows, heads, kv_heads, head_dim,
                                       device_ptr<const int32_t>(seq), device_ptr<const int32_t>(pos),
                                       device_ptr<const float>(cos_table), device_ptr<const float>(sin_table),
                                       device_ptr<__half>(k_cache), device_ptr<__half>(v_cache), max_seqs, max_pos,
                                       stream_of(stream)),
                 "rope_and_store_kv");
    });
}

void JNICALL attention_decode(JNIEnv* env, jclass, jlong stream, jlong qkv, jint ld, jint rows, jint heads,
                              jint kv_heads, jint head_dim, jlong seq, jlong pos, jlong k_cache, jlong v_cache,
                              jint max_seqs, jint max_pos, jint window, jfloat scale, jlong out, jint ldo) {
    guarded_void(env, [&]() {
        Args args("attentionDecode");
        const QkvRows shape(args, rows, ld, heads, kv_heads, head_dim, max_seqs, max_pos);
        shape.check_dimensions();
        args.finite("scale", scale);
        if (!(scale > 0)) args.fail(cat("scale must be positive, got ", scale));
        shape.check_ldo(ldo);
        shape.check_qkv(qkv);
        args.buffer("seq", seq, I32, rows, [&] { return cat("rows ", rows); });
        args.buffer("pos", pos, I32, rows, [&] { return cat("rows ", rows); });
        shape.check_cache(k_cache, v_cache);
        shape.check_out(out, ldo);
        args.stream(stream);
        launched(rw::attention_decode(device_ptr<const float>(qkv), ld, rows, heads, kv_heads, head_dim,
                                      device_ptr<const int32_t>(seq), device_ptr<const int32_t>(pos),
                                      device_ptr<const __half>(k_cache), device_ptr<const __half>(v_cache), max_seqs,
                                      max_pos, window, scale, device_ptr<float>(out), ldo, stream_of(stream)),
                 "attention_decode");
    });
}

void JNICALL attention_prefill(JNIEnv* env, jclass, jlong stream, jlong qkv, jint ld, jint rows, jint heads,
                               jint kv_heads, jint head_dim, jint seq, jint start_pos, jlong k_cache, jlong v_cache,
                               jint max_seqs, jint max_pos, jint window, jfloat scale, jlong out, jint ldo) {
    guarded_void(env, [&]() {
        Args args("attentionPrefill");
        const QkvRows shape(args, rows, ld, heads, kv_heads, head_dim, max_seqs, max_pos);
        shape.check_dimensions();
        args.non_negative("seq", seq);
        if (seq >= max_seqs) args.fail(cat("seq (", seq, ") must be less than maxSeqs (", max_seqs, ")"));
        args.non_negative("startPos", start_pos);
        args.at_most("startPos + rows", static_cast<int64_t>(start_pos) + rows, "maxPos", max_pos);
        args.finite("scale", scale);
        if (!(scale > 0)) args.fail(cat("scale must be positive, got ", scale));
        shape.check_ldo(ldo);
        shape.check_qkv(qkv);
        shape.check_cache(k_cache, v_cache);
        shape.check_out(out, ldo);
        args.stream(stream);
        launched(rw::attention_prefill(device_ptr<const float>(qkv), ld, rows, heads, kv_heads, head_dim, seq,
                                       start_pos, device_ptr<const __half>(k_cache), device_ptr<const __half>(v_cache),
                                       max_seqs, max_pos, window, scale, device_ptr<float>(out), ldo,
                                       stream_of(stream)),
                 "attention_prefill");
    });
}

void JNICALL moe_route(JNIEnv* env, jclass, jlong stream, jlong logits, jint rows, jint experts, jint topk,
                       jlong topk_ids, jlong topk_weight, jlong expert_offset, jlong sorted_assign) {
    guarded_void(env, [&]() {
        Args args("moeRoute");
        args.positive("rows", rows);
        args.positive("experts", experts);
        args.positive("topk", topk);
        args.at_most("topk", topk, "experts", experts);
        const uint64_t assignments = sat_mul(rows, topk);
        auto per_assignment = [&] { return cat("rows ", rows, " * topk ", topk); };
        args.buffer("logits", logits, F32, sat_mul(rows, experts),
                    [&] { return cat("rows ", rows, " * experts ", experts); });
        args.buffer("topkIds", topk_ids, I32, assignments, per_assignment);
        args.buffer("topkWeight", topk_weight, F32, assignments, per_assignment);
        args.buffer("expertOffset", expert_offset, I32, static_cast<uint64_t>(experts) + 1,
                    [&] { return cat("experts ", experts, " + 1"); });
        args.buffer("sortedAssign", sorted_assign, I32, assignments, per_assignment);
        args.stream(stream);
        launched(rw::moe_route(device_ptr<const float>(logits), rows, experts, topk, device_ptr<int32_t>(topk_ids),
                               device_ptr<float>(topk_weight), device_ptr<int32_t>(expert_offset),
                               device_ptr<int32_t>(sorted_assign), stream_of(stream)),
                 "moe_route");
    });
}

void JNICALL argmax_rows(JNIEnv* env, jclass, jlong stream, jlong logits, jint rows, jint vocab, jlong out) {
    guarded_void(env, [&]() {
        Args args("argmaxRows");
        args.positive("rows", rows);
        args.positive("vocab", vocab);
        args.buffer("logits", logits, F32, sat_mul(rows, vocab),
                    [&] { return cat("rows ", rows, " * vocab ", vocab); });
        args.buffer("out", out, I32, rows, [&] { return cat("rows ", rows); });
        args.stream(stream);
        launched(rw::argmax_rows(device_ptr<const float>(logits), rows, vocab, device_ptr<int32_t>(out),
                                 stream_of(stream)),
                 "argmax_rows");
    });
}

void JNICALL sample_top_k(JNIEnv* env, jclass, jlong stream, jlong logits, jint rows, jint vocab, jint k,
                          jfloat temperature, jlong seed, jlong step, jlong out) {
    guarded_void(env, [&]() {
        Args args("sampleTopK");
        args.positive("rows", rows);
        args.positive("vocab", vocab);
        args.positive("k", k);
        args.at_most("k", k, "vocab", vocab);
        args.finite("temperature", temperature);
        if (!(temperature > 0)) args.fail(cat("temperature must be positive, got ", temperature));
        args.buffer("logits", logits, F32, sat_mul(rows, vocab),
                    [&] { return cat("rows ", rows, " * vocab ", vocab); });
        args.buffer("step", step, I32, 1, [] { return std::string("one counter"); });
        args.buffer("out", out, I32, rows, [&] { return cat("rows ", rows); });
        args.stream(stream);
        launched(rw::sample_top_k(device_ptr<const float>(logits), rows, vocab, k, temperature,
                                  static_cast<uint64_t>(seed), device_ptr<const int32_t>(step),
                                  device_ptr<int32_t>(out), stream_of(stream)),
                 "sample_top_k");
    });
}

void check_fill_range(const Args& args, jfloat lo, jfloat hi) {
    args.finite("lo", lo);
    args.finite("hi", hi);
    if (lo > hi) args.fail(cat("lo (", lo, ") must not exceed hi (", hi, ")"));
}

void JNICALL fill_random_bits(JNIEnv* env, jclass, jlong stream, jlong address, jlong words, jlong seed) {
    guarded_void(env, [&]() {
        Args args("fillRandomBits");
        args.positive("words", words);
        args.buffer("address", address, U32, static_cast<uint64_t>(words), [&] { return cat("words ", words); });
        args.stream(stream);
        launched(rw::fill_random_bits(device_ptr<uint32_t>(address), static_cast<size_t>(words),
                                      static_cast<uint64_t>(seed), stream_of(stream)),
                 "fill_random_bits");
    });
}

void JNICALL fill_random_half(JNIEnv* env, jclass, jlong stream, jlong address, jlong n, jfloat lo, jfloat hi,
                              jlong seed) {
    guarded_void(env, [&]() {
        Args args("fillRandomHalf");
        args.positive("n", n);
        check_fill_range(args, lo, hi);
        args.buffer("address", address, F16, static_cast<uint64_t>(n), [&] { return cat("n ", n); });
        args.stream(stream);
        launched(rw::fill_random_half(device_ptr<__half>(address), static_cast<size_t>(n), lo, hi,
                                      static_cast<uint64_t>(seed), stream_of(stream)),
                 "fill_random_half");
    });
}

void JNICALL fill_random_scale_zero(JNIEnv* env, jclass, jlong stream, jlong address, jlong n, jfloat lo, jfloat hi,
                                    jint max_zero, jlong seed) {
    guarded_void(env, [&]() {
        Args args("fillRandomScaleZero");
        args.positive("n", n);
        check_fill_range(args, lo, hi);
        if (max_zero < 0 || max_zero > 1023) args.fail(cat("maxZero must be in 0..1023, got ", max_zero));
        // half2 pairs live in F16 allocations: n pairs are 2n halves.
        args.buffer("address", address, F16, sat_mul(static_cast<uint64_t>(n), 2),
                    [&] { return cat("n ", n, " half2 pairs"); });
        if (static_cast<uint64_t>(address) % 4 != 0) {
            args.fail(cat("address (", hex(static_cast<uint64_t>(address)), ") is not 4-byte aligned for half2"));
        }
        args.stream(stream);
        launched(rw::fill_random_scale_zero(device_ptr<__half2>(address), static_cast<size_t>(n), lo, hi, max_zero,
                                            static_cast<uint64_t>(seed), stream_of(stream)),
                 "fill_random_scale_zero");
    });
}

// ---------------------------------------------------------------------------------------------------------------
// Test registrations (see kFakeAllocationsClass)
// ---------------------------------------------------------------------------------------------------------------

void JNICALL fake_add(JNIEnv* env, jclass, jlong address, jlong bytes, jint element_type) {
    guarded_void(env, [&]() {
        Args args("FakeAllocations.add");
        int count = 0;
        if (cudaGetDeviceCount(&count) == cudaSuccess && count > 0) {
            args.fail("refused: a CUDA device is visible, so the checked kernels would really run");
        }
        cudaGetLastError();
        args.positive("address", address);
        args.positive("bytes", bytes);
        if (element_type < 0 || element_type >= kElementTypeCount) args.fail("unknown element type");
        Registry& r = registry();
        std::lock_guard<std::mutex> lock(r.mutex);
        const uint64_t a = static_cast<uint64_t>(address);
        auto next = r.allocations.lower_bound(a);
        if (r.containing(a) != r.allocations.end() ||
            (next != r.allocations.end() && next->first < a + static_cast<uint64_t>(bytes))) {
            args.fail("overlaps a registered allocation");
        }
        r.allocations[a] = Allocation{static_cast<uint64_t>(bytes), element_type, true};
    });
}

void JNICALL fake_remove(JNIEnv* env, jclass, jlong address) {
    guarded_void(env, [&]() {
        Registry& r = registry();
        std::lock_guard<std::mutex> lock(r.mutex);
        auto it = r.allocations.find(static_cast<uint64_t>(address));
        if (it == r.allocations.end() || !it->second.fake) {
            Args("FakeAllocations.remove").fail(cat(hex(static_cast<uint64_t>(address)), " is not a fake allocation"));
        }
        r.allocations.erase(it);
    });
}

// ---------------------------------------------------------------------------------------------------------------
// Registration
// ---------------------------------------------------------------------------------------------------------------

#define RW_NATIVE(name, signature, function) \
    JNINativeMethod { const_cast<char*>(name), const_cast<char*>(signature), reinterpret_cast<void*>(function) }

const JNINativeMethod kNatives[] = {
    RW_NATIVE("buildInfo", "()Ljava/lang/String;", build_info),
    RW_NATIVE("structLayout", "()[I", struct_layout),
    RW_NATIVE("deviceCount", "()I", device_count),
    RW_NATIVE("driverVersion", "()I", driver_version),
    RW_NATIVE("deviceName", "(I)Ljava/lang/String;", device_name),
    RW_NATIVE("deviceProperties", "(I)[J", device_properties),
    RW_NATIVE("setDevice", "(I)V", set_device),
    RW_NATIVE("memoryInfo", "()[J", memory_info),
    RW_NATIVE("malloc", "(JI)J", device_malloc),
    RW_NATIVE("free", "(J)V", device_free),
    RW_NATIVE("allocatedBytes", "()J", allocated_bytes),
    RW_NATIVE("copyToDevice", "(JLjava/nio/ByteBuffer;J)V", copy_to_device),
    RW_NATIVE("copyToHost", "(Ljava/nio/ByteBuffer;JJ)V", copy_to_host),
    RW_NATIVE("copyFloatsToDevice", "(J[FII)V", copy_floats_to_device),
    RW_NATIVE("copyFloatsToHost", "([FIIJJ)V", copy_floats_to_host),
    RW_NATIVE("copyIntsToDevice", "(J[III)V", copy_ints_to_device),
    RW_NATIVE("copyIntsToHost", "([IIIJJ)V", copy_ints_to_host),
    RW_NATIVE("copyDeviceToDevice", "(JJJJ)V", copy_device_to_device),
    RW_NATIVE("memset", "(JIJJ)V", device_memset),
    RW_NATIVE("streamCreate", "()J", stream_create),
    RW_NATIVE("streamDestroy", "(J)V", stream_destroy),
    RW_NATIVE("streamSynchronize", "(J)V", stream_synchronize),
    RW_NATIVE("graphBeginCapture", "(J)V", graph_begin_capture),
    RW_NATIVE("graphEndCapture", "(J)J", graph_end_capture),
    RW_NATIVE("graphLaunch", "(JJ)V", graph_launch),
    RW_NATIVE("graphDestroy", "(J)V", graph_destroy),
    RW_NATIVE("eventCreate", "()J", event_create),
    RW_NATIVE("eventRecord", "(JJ)V", event_record),
    RW_NATIVE("eventElapsedMillis", "(JJ)F", event_elapsed_millis),
    RW_NATIVE("eventDestroy", "(J)V", event_destroy),
    RW_NATIVE("linear", "(JJIIIIIIJIIIIJIIIJJJI)V", linear),
    RW_NATIVE("embedRows", "(JJIIJIJ)V", embed_rows),
    RW_NATIVE("rmsNorm", "(JJIJIIFJI)V", rms_norm),
    RW_NATIVE("positionsFill", "(JJJIII)V", positions_fill),
    RW_NATIVE("countersAdvance", "(JJII)V", counters_advance),
    RW_NATIVE("ropeAndStoreKv", "(JJIIIIIJJJJJJII)V", rope_and_store_kv),
    RW_NATIVE("attentionDecode", "(JJIIIIIJJJJIIIFJI)V", attention_decode),
    RW_NATIVE("attentionPrefill", "(JJIIIIIIIJJIIIFJI)V", attention_prefill),
    RW_NATIVE("moeRoute", "(JJIIIJJJJ)V", moe_route),
    RW_NATIVE("argmaxRows", "(JJIIJ)V", argmax_rows),
    RW_NATIVE("sampleTopK", "(JJIIIFJJJ)V", sample_top_k),
    RW_NATIVE("fillRandomBits", "(JJJJ)V", fill_random_bits),
    RW_NATIVE("fillRandomHalf", "(JJJFFJ)V", fill_random_half),
    RW_NATIVE("fillRandomScaleZero", "(JJJFFIJ)V", fill_random_scale_zero),
};

const JNINativeMethod kFakeAllocationNatives[] = {
    RW_NATIVE("add", "(JJI)V", fake_add),
    RW_NATIVE("remove", "(J)V", fake_remove),
};

#undef RW_NATIVE

// Fails the load with an UnsatisfiedLinkError carrying `message` (any pending exception is replaced).
jint load_failed(JNIEnv* env, const std::string& message) {
    env->ExceptionClear();
    jclass error = env->FindClass("java/lang/UnsatisfiedLinkError");
    if (error != nullptr) env->ThrowNew(error, message.c_str());
    return JNI_ERR;
}

jclass global_class(JNIEnv* env, const char* name) {
    jclass local = env->FindClass(name);
    if (local == nullptr) return nullptr;
    jclass global = static_cast<jclass>(env->NewGlobalRef(local));
    env->DeleteLocalRef(local);
    return global;
}

// The names of the native methods `cls` declares (through reflection), or an empty vector with an exception pending.
std::vector<std::string> declared_natives(JNIEnv* env, jclass cls) {
    std::vector<std::string> names;
    jclass class_class = env->FindClass("java/lang/Class");
    jclass method_class = env->FindClass("java/lang/reflect/Method");
    if (class_class == nullptr || method_class == nullptr) return names;
    jmethodID get_methods = env->GetMethodID(class_class, "getDeclaredMethods", "()[Ljava/lang/reflect/Method;");
    jmethodID get_modifiers = env->GetMethodID(method_class, "getModifiers", "()I");
    jmethodID get_name = env->GetMethodID(method_class, "getName", "()Ljava/lang/String;");
    if (get_methods == nullptr || get_modifiers == nullptr || get_name == nullptr) return names;
    auto methods = static_cast<jobjectArray>(env->CallObjectMethod(cls, get_methods));
    if (methods == nullptr || env->ExceptionCheck()) return names;
    const jsize count = env->GetArrayLength(methods);
    constexpr jint kNativeModifier = 0x0100;  // java.lang.reflect.Modifier.NATIVE
    for (jsize i = 0; i < count; ++i) {
        jobject method = env->GetObjectArrayElement(methods, i);
        const jint modifiers = env->CallIntMethod(method, get_modifiers);
        if (env->ExceptionCheck()) return {};
        if ((modifiers & kNativeModifier) != 0) {
            auto name = static_cast<jstring>(env->CallObjectMethod(method, get_name));
            if (name == nullptr || env->ExceptionCheck()) return {};
            const char* chars = env->GetStringUTFChars(name, nullptr);
            if (chars == nullptr) return {};
            names.emplace_back(chars);
            env->ReleaseStringUTFChars(name, chars);
            env->DeleteLocalRef(name);
        }
        env->DeleteLocalRef(method);
    }
    env->DeleteLocalRef(methods);
    return names;
}

// Registers `natives` on `cls` after checking both sides agree; returns an error message, empty on success.
std::string register_natives(JNIEnv* env, jclass cls, const char* class_name, const JNINativeMethod* natives,
                             size_t count) {
    for (size_t i = 0; i < count; ++i) {
        if (env->GetStaticMethodID(cls, natives[i].name, natives[i].signature) == nullptr) {
            env->ExceptionClear();
            return cat(class_name, " has no static method ", natives[i].name, natives[i].signature,
                       " that librewoo4j_cuda implements: the Java class and the native library come from "
                       "different versions (rebuild both)");
        }
    }
    std::vector<std::string> declared = declared_natives(env, cls);
    if (env->ExceptionCheck()) {
        env->ExceptionClear();
        return cat("could not list the native methods of ", class_name);
    }
    std::string missing;
    for (const std::string& name : declared) {
        bool found = false;
        for (size_t i = 0; i < count && !found; ++i) found = name == natives[i].name;
        if (!found) missing += cat(missing.empty() ? "" : ", ", name);
    }
    if (!missing.empty()) {
        return cat(class_name, " declares native methods that librewoo4j_cuda does not implement: ", missing,
                   " (the Java class and the native library come from different versions; rebuild both)");
    }
    if (declared.size() != count) {
        return cat(class_name, " declares ", declared.size(), " native methods, librewoo4j_cuda implements ", count);
    }
    if (env->RegisterNatives(cls, natives, static_cast<jint>(count)) != JNI_OK) {
        env->ExceptionClear();
        return cat("RegisterNatives failed for ", class_name);
    }
    return {};
}

}  // namespace

extern "C" JNIEXPORT jint JNICALL JNI_OnLoad(JavaVM* vm, void*) {
    JNIEnv* env = nullptr;
    if (vm->GetEnv(reinterpret_cast<void**>(&env), JNI_VERSION_1_8) != JNI_OK || env == nullptr) return JNI_ERR;
    try {
        jclass native_class = env->FindClass(kNativeClass);
        if (native_class == nullptr) {
            return load_failed(env, cat("librewoo4j_cuda: class ", kNativeClassName,
                                        " is not visible from the class loader that loads the library"));
        }
        g_java.cuda_exception = global_class(env, kCudaExceptionClass);
        g_java.illegal_argument = global_class(env, "java/lang/IllegalArgumentException");
        g_java.illegal_state = global_class(env, "java/lang/IllegalStateException");
        g_java.out_of_memory = global_class(env, "java/lang/OutOfMemoryError");
        jclass buffer = env->FindClass("java/nio/Buffer");
        if (g_java.cuda_exception == nullptr || g_java.illegal_argument == nullptr ||
            g_java.illegal_state == nullptr || g_java.out_of_memory == nullptr || buffer == nullptr) {
            return load_failed(env, "librewoo4j_cuda: a class it needs (io.rewoo4j.runtime.cuda.CudaException, "
                                    "java.nio.Buffer, ...) could not be found");
        }
        g_java.cuda_exception_init =
            env->GetMethodID(g_java.cuda_exception, "<init>", "(Ljava/lang/String;Ljava/lang/String;)V");
        g_java.buffer_position = env->GetMethodID(buffer, "position", "()I");
        g_java.buffer_limit = env->GetMethodID(buffer, "limit", "()I");
        if (g_java.cuda_exception_init == nullptr || g_java.buffer_position == nullptr ||
            g_java.buffer_limit == nullptr) {
            return load_failed(env, "librewoo4j_cuda: io.rewoo4j.runtime.cuda.CudaException has no "
                                    "(String message, String cudaError) constructor");
        }
        std::string error = register_natives(env, native_class, kNativeClassName, kNatives,
                                             sizeof(kNatives) / sizeof(kNatives[0]));
        if (!error.empty()) return load_failed(env, "librewoo4j_cuda: " + error);

        jclass fakes = env->FindClass(kFakeAllocationsClass);
        if (fakes == nullptr) {
            env->ExceptionClear();  // the usual case: not on a test class path
        } else {
            error = register_natives(env, fakes, "CudaTestSupport.FakeAllocations", kFakeAllocationNatives,
                                     sizeof(kFakeAllocationNatives) / sizeof(kFakeAllocationNatives[0]));
            if (!error.empty()) return load_failed(env, "librewoo4j_cuda: " + error);
        }
        return JNI_VERSION_1_8;
    } catch (const std::exception& e) {
        return load_failed(env, cat("librewoo4j_cuda: loading failed: ", e.what()));
    } catch (...) {
        return load_failed(env, "librewoo4j_cuda: loading failed");
    }
}

extern "C" JNIEXPORT void JNICALL JNI_OnUnload(JavaVM* vm, void*) {
    JNIEnv* env = nullptr;
    if (vm->GetEnv(reinterpret_cast<void**>(&env), JNI_VERSION_1_8) != JNI_OK || env == nullptr) return;
    for (jclass* ref : {&g_java.cuda_exception, &g_java.illegal_argument, &g_java.illegal_state,
                        &g_java.out_of_memory}) {
        if (*ref != nullptr) env->DeleteGlobalRef(*ref);
        *ref = nullptr;
    }
}
