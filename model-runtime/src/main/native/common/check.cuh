// Error helpers shared by the kernel launchers (*.cu) and jni_bindings.cpp.
//
// Launchers return cudaError_t and never synchronise: they validate what only they know (kernel limits), launch,
// and return the launch status. jni_bindings.cpp turns any error into io.rewoo4j.runtime.cuda.CudaException.
#pragma once

#include <cstdint>
#include <cuda_runtime.h>

// Returns from the enclosing cudaError_t function with the status of `call` when it is not cudaSuccess.
#define RW_CUDA_TRY(call)                                  \
    do {                                                   \
        const cudaError_t rw_status_ = (call);             \
        if (rw_status_ != cudaSuccess) return rw_status_;  \
    } while (0)

// Returns cudaErrorInvalidValue from the enclosing cudaError_t function when `cond` does not hold (arguments a
// launcher cannot handle; the JNI layer has already checked everything it can, so this is a last line of defence).
#define RW_REQUIRE(cond)                                          \
    do {                                                          \
        if (!(cond)) return cudaErrorInvalidValue;                \
    } while (0)

namespace rw {

// The status of the kernel launch just made on this thread (bad configuration, too many resources, ...). It also
// clears the thread's last error so that a later launch does not report this one again.
inline cudaError_t launch_status() { return cudaGetLastError(); }

}  // namespace rw
