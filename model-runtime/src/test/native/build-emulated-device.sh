#!/usr/bin/env bash
# Builds the emulated-device variant of the JNI library: jni_bindings.cpp and every kernel source of src/main/native,
# compiled with g++ against the CPU emulator (emu.h, emu.cpp), which also implements the CUDA runtime API the
# bindings call (one device, "rewoo4j emulated device (CPU)", whose memory is host memory; streams, events and graphs
# run synchronously). Loading it with -Drewoo.cuda.library=BUILD_DIR/librewoo4j_cuda_emulated.so runs the GPU tests
# of io.rewoo4j.runtime.cuda on the CPU (slowly: every GPU thread is a fiber).
#
# Usage: build-emulated-device.sh BUILD_DIR [JAVA_HOME] [VERSION]
#   BUILD_DIR  rewritten sources, objects and the library (kept between runs: only what changed is rebuilt)
#   JAVA_HOME  JDK whose include/ holds jni.h (default: $JAVA_HOME, then javac's JDK)
#   VERSION    reported by CudaNative.buildInfo() (default: dev)
# Environment: CXX (default g++), EMU_JOBS (parallel compilations, default: the number of CPUs).
# Exit status: 0 when the library was built or is up to date; 0 as well, with one line and no library, when the
# compiler cannot build the emulator (no _Float16: GCC 12 or newer on x86-64) or this is not Linux (the tests that
# use the library then skip, as without a device); 1 on any build error.
set -euo pipefail

if [[ $# -lt 1 || -z "$1" ]]; then
  echo "usage: $0 BUILD_DIR [JAVA_HOME] [VERSION]" >&2
  exit 2
fi
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
native=$(cd "$here/../../main/native" && pwd)
mkdir -p "$1"
build=$(cd "$1" && pwd)
java_home=${2:-${JAVA_HOME:-}}
version=${3:-dev}
cxx=${CXX:-g++}
jobs=${EMU_JOBS:-$(nproc 2>/dev/null || echo 2)}
lib=$build/librewoo4j_cuda_emulated.so
start=$(date +%s)

if [[ $(uname -s) != Linux ]]; then
  echo "[rewoo4j-emulated-device] not Linux: the emulator's fibers need it; the library is not built"
  rm -f "$lib"
  exit 0
fi
if ! echo '_Float16 h = 1; int main() { return (int)h - 1; }' | "$cxx" -x c++ -fsyntax-only - 2>/dev/null; then
  echo "[rewoo4j-emulated-device] $cxx has no _Float16 (GCC 12 or newer is needed on x86-64): the library is not built"
  rm -f "$lib"
  exit 0
fi
if [[ -n "$java_home" && ! -f "$java_home/include/jni.h" && -f "$java_home/../include/jni.h" ]]; then
  java_home=$java_home/..
fi
if [[ -z "$java_home" || ! -f "$java_home/include/jni.h" ]] && command -v javac >/dev/null 2>&1; then
  java_home=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
fi
if [[ ! -f "$java_home/include/jni.h" ]]; then
  echo "[rewoo4j-emulated-device] jni.h not found (JAVA_HOME='$java_home')" >&2
  exit 1
fi

# As run.sh, plus: position-independent code for the shared library, the JNI headers, and no signal handlers of the
# emulator's own (the JVM owns SIGSEGV; an access past a buffer's end still stops at its guard page, as a JVM crash).
flags=(-std=c++17 -O2 -g1 -fPIC -fno-strict-aliasing -Wall -Wextra -Wno-unknown-pragmas -Wno-unused-parameter
       -Wno-sign-compare -DEMU_NO_SIGNAL_HANDLERS "-DREWOO4J_VERSION=\"$version (emulated device)\""
       "-DREWOO4J_CUDA_ARCHS=\"emulated\"" -include "$here/emu.h" -I "$here/include" -I "$here" -I "$build/gen"
       -I "$java_home/include" -I "$java_home/include/linux")

stale() {  # stale OBJECT SOURCE: missing, older than SOURCE or this script, or than a file its .d lists
  local out=$1 dep
  [[ -f $out && -f $out.d ]] || return 0
  [[ $2 -nt $out || ${BASH_SOURCE[0]} -nt $out ]] && return 0
  for dep in $(sed -e 's/^[^:]*://' -e 's/\\$//' "$out.d"); do
    [[ -e $dep && ! $dep -nt $out ]] || return 0
  done
  return 1
}

# 1. The rewriter, and a rewritten copy of every source (jni_bindings.cpp too: it includes the .cuh headers by
#    relative path, so it must sit next to their rewritten copies).
mkdir -p "$build/gen" "$build/obj"
if [[ ! -x $build/rewrite || $here/rewrite.cpp -nt $build/rewrite ]]; then
  "$cxx" -std=c++17 -O1 -o "$build/rewrite" "$here/rewrite.cpp"
fi
while IFS= read -r -d '' src; do
  copy=$build/gen/${src#"$native"/}
  mkdir -p "$(dirname "$copy")"
  "$build/rewrite" "$src" "$copy.tmp"
  if cmp -s "$copy.tmp" "$copy"; then rm "$copy.tmp"; else mv "$copy.tmp" "$copy"; fi
done < <(find "$native" \( -name '*.cu' -o -name '*.cuh' -o -name 'jni_bindings.cpp' \) -print0 | sort -z)

# 2. Objects, in parallel, then the library.
sources=("$here/emu.cpp")
for src in "$build"/gen/*.cu "$build/gen/jni_bindings.cpp"; do
  sources+=("$src")
done
pids=()
objects=()
failed=0
for src in "${sources[@]}"; do
  obj=$build/obj/$(basename "$src").o
  objects+=("$obj")
  if stale "$obj" "$src"; then
    while [[ ${#pids[@]} -ge $jobs ]]; do
      wait "${pids[0]}" || failed=$((failed + 1))
      pids=("${pids[@]:1}")
    done
    "$cxx" "${flags[@]}" -MMD -MF "$obj.d" -c -x c++ "$src" -o "$obj" &
    pids+=($!)
  fi
done
for pid in "${pids[@]}"; do
  wait "$pid" || failed=$((failed + 1))
done
if [[ $failed -ne 0 ]]; then
  echo "[rewoo4j-emulated-device] $failed compilations failed" >&2
  exit 1
fi
relink=0
[[ -f $lib ]] || relink=1
for obj in "${objects[@]}"; do
  [[ $obj -nt $lib ]] && relink=1
done
if [[ $relink -eq 1 ]]; then
  "$cxx" -shared -o "$lib.tmp" "${objects[@]}" -Wl,--no-undefined -lpthread
  mv "$lib.tmp" "$lib"
fi
echo "[rewoo4j-emulated-device] $lib ($(( $(date +%s) - start )) s)"
