// Helpers shared by the emulated kernel tests: guarded device buffers, poisoning, random data, and per-case results.
// Every test program prints one line per case ("PASS name ..." or "FAIL name ...", with details below a failure)
// and exits with status 1 when any case failed.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "emu.h"

namespace t {

// A device buffer: memory from emu::device_alloc, so reads and writes past its end stop the test.
template <class T>
class Buf {
public:
    Buf() = default;
    explicit Buf(size_t n) : n_(n), p_(static_cast<T*>(emu::device_alloc((n ? n : 1) * sizeof(T)))) {}
    Buf(const std::vector<T>& v) : Buf(v.size()) { std::copy(v.begin(), v.end(), p_); }
    Buf(Buf&& o) noexcept : n_(std::exchange(o.n_, 0)), p_(std::exchange(o.p_, nullptr)) {}
    Buf& operator=(Buf&& o) noexcept {
        std::swap(n_, o.n_);
        std::swap(p_, o.p_);
        return *this;
    }
    Buf(const Buf&) = delete;
    Buf& operator=(const Buf&) = delete;
    ~Buf() { emu::device_free(p_); }
    T* data() { return p_; }
    const T* data() const { return p_; }
    size_t size() const { return n_; }
    T& operator[](size_t i) { return p_[i]; }
    const T& operator[](size_t i) const { return p_[i]; }
    void fill(T v) { std::fill(p_, p_ + n_, v); }
    std::vector<T> vec() const { return std::vector<T>(p_, p_ + n_); }

private:
    size_t n_ = 0;
    T* p_ = nullptr;
};

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr int32_t kIntPoison = -0x5A5A5A5A;

// Deterministic random numbers (each test program seeds its own).
struct Rng {
    std::mt19937_64 g;
    explicit Rng(uint64_t seed) : g(seed) {}
    float uniform(float lo, float hi) { return std::uniform_real_distribution<float>(lo, hi)(g); }
    int below(int n) { return std::uniform_int_distribution<int>(0, n - 1)(g); }
    float normal() { return std::normal_distribution<float>(0.f, 1.f)(g); }
};

// The results of one case. Failures print at once (the first few in detail) and make the case fail.
class Case {
public:
    explicit Case(std::string name) : name_(std::move(name)) {}
    void fail(const char* fmt, ...) __attribute__((format(printf, 2, 3))) {
        if (failures_++ < 8) {
            char buf[512];
            va_list ap;
            va_start(ap, fmt);
            vsnprintf(buf, sizeof buf, fmt, ap);
            va_end(ap);
            details_ += "      " + std::string(buf) + "\n";
        }
    }
    // Records a failure unless cond holds.
    bool expect(bool cond, const char* fmt, ...) __attribute__((format(printf, 3, 4))) {
        if (!cond) {
            char buf[512];
            va_list ap;
            va_start(ap, fmt);
            vsnprintf(buf, sizeof buf, fmt, ap);
            va_end(ap);
            fail("%s", buf);
        }
        return cond;
    }
    void note(const char* fmt, ...) __attribute__((format(printf, 2, 3))) {
        char buf[256];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(buf, sizeof buf, fmt, ap);
        va_end(ap);
        note_ += (note_.empty() ? "" : ", ") + std::string(buf);
    }
    bool ok() const { return failures_ == 0; }
    int failures() const { return failures_; }
    // Prints the case's line; returns 1 when it failed.
    int report() const {
        printf("%s  %-58s %s\n", ok() ? "PASS" : "FAIL", name_.c_str(), note_.c_str());
        if (!ok()) {
            printf("%s", details_.c_str());
            if (failures_ > 8) {
                printf("      ... %d failures in all\n", failures_);
            }
        }
        fflush(stdout);
        return ok() ? 0 : 1;
    }

private:
    std::string name_;
    std::string note_;
    std::string details_;
    int failures_ = 0;
};

// The summary line of a test program and its exit status.
inline int finish(const char* program, int cases, int failed) {
    printf("%s: %d cases, %d failed\n", program, cases, failed);
    return failed == 0 ? 0 : 1;
}

inline float half_to_float(__half h) { return __half2float(h); }
inline __half to_half(float f) { return __float2half_rn(f); }

}  // namespace t
