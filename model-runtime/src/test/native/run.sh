#!/usr/bin/env bash
# Builds the CUDA kernels of src/main/native for the CPU emulator (emu.h) with g++ and runs the emulated kernel tests.
#
# Usage: run.sh BUILD_DIR [FAMILY...]
#   BUILD_DIR  where the rewritten sources, objects, test programs and logs go (kept between runs: only what changed
#              is rebuilt)
#   FAMILY     emu gptq norm moe attention sampling (default: all). The test of family F is either test_F.cpp,
#              linked with the kernels of src/main/native/F.cu, or a self-contained test_F.cu (emu: the emulator's
#              own tests), rewritten like the kernel sources
# Environment: CXX (default g++), EMU_JOBS (parallel jobs, default: the number of CPUs), EMU_SEED (thread order),
# EMU_TIMEOUT (seconds per test program, default 600), EMU_TRACE (set: print every launch).
# Exit status: 0 when every case of every test passed; 77 when the compiler cannot build the emulator (no _Float16:
# GCC 12 or newer is needed on x86-64); 1 otherwise (build errors included).
set -euo pipefail

if [[ $# -lt 1 ]]; then
  echo "usage: $0 BUILD_DIR [FAMILY...]" >&2
  exit 2
fi
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
native=$(cd "$here/../../main/native" && pwd)
mkdir -p "$1"
build=$(cd "$1" && pwd)
shift
families=("$@")
if [[ ${#families[@]} -eq 0 ]]; then
  families=(emu gptq norm moe attention sampling)
fi
cxx=${CXX:-g++}
jobs=${EMU_JOBS:-$(nproc 2>/dev/null || echo 2)}
start=$(date +%s)

if ! echo '_Float16 h = 1; int main() { return (int)h - 1; }' | "$cxx" -x c++ -fsyntax-only - 2>/dev/null; then
  echo "run.sh: $cxx has no _Float16 (GCC 12 or newer is needed on x86-64): the kernel tests cannot run"
  exit 77
fi

# -fno-strict-aliasing: device code reinterprets memory freely (fp16 buffers read as uint4, ...), which C++ forbids.
# -Wno-sign-compare: device code compares the unsigned threadIdx with ints everywhere.
flags=(-std=c++17 -O2 -g1 -fno-strict-aliasing -Wall -Wextra -Wno-unknown-pragmas -Wno-unused-parameter
       -Wno-sign-compare -include "$here/emu.h" -I "$here/include" -I "$here" -I "$build/gen")

# Is $1 missing or older than $2, this script (its flags), or a file its dependency list $1.d names?
stale() {
  local out=$1 dep
  [[ -f $out && -f $out.d ]] || return 0
  [[ $2 -nt $out || $here/run.sh -nt $out ]] && return 0
  for dep in $(sed -e 's/^[^:]*://' -e 's/\\$//' "$out.d"); do
    [[ -e $dep && ! $dep -nt $out ]] || return 0
  done
  return 1
}

# 1. The rewriter, then a rewritten copy of every kernel source and CUDA-syntax test in gen/ (a copy is replaced
#    only when it changes, so that unchanged sources are not recompiled).
mkdir -p "$build/gen" "$build/obj" "$build/logs"
if [[ ! -x $build/rewrite || $here/rewrite.cpp -nt $build/rewrite ]]; then
  "$cxx" -std=c++17 -O1 -o "$build/rewrite" "$here/rewrite.cpp"
fi
rewrite() {  # rewrite SOURCE COPY
  mkdir -p "$(dirname "$2")"
  "$build/rewrite" "$1" "$2.tmp"
  if cmp -s "$2.tmp" "$2"; then
    rm "$2.tmp"
  else
    mv "$2.tmp" "$2"
  fi
}
while IFS= read -r -d '' src; do
  rewrite "$src" "$build/gen/${src#"$native"/}"
done < <(find "$native" \( -name '*.cu' -o -name '*.cuh' \) -print0 | sort -z)
for src in "$here"/test_*.cu; do
  rewrite "$src" "$build/gen/$(basename "$src")"
done

# 2. Objects, in parallel: the emulator, each family's kernels (compiled as C++) and its test.
compile() {  # compile SOURCE OBJECT [extra flags...]
  local src=$1 obj=$2
  shift 2
  if stale "$obj" "$src"; then
    "$cxx" "${flags[@]}" "$@" -MMD -MF "$obj.d" -c -x c++ "$src" -o "$obj"
  fi
}
pids=()
failed_builds=0
wait_some() {  # waits for the oldest job when $1 or more are running
  while [[ ${#pids[@]} -ge $1 ]]; do
    wait "${pids[0]}" || failed_builds=$((failed_builds + 1))
    pids=("${pids[@]:1}")
  done
}
compile "$here/emu.cpp" "$build/obj/emu.o" &
pids+=($!)
for f in "${families[@]}"; do
  if [[ -f $here/test_$f.cu ]]; then
    wait_some "$jobs"
    compile "$build/gen/test_$f.cu" "$build/obj/test_$f.o" &
    pids+=($!)
  elif [[ -f $native/$f.cu && -f $here/test_$f.cpp ]]; then
    wait_some "$jobs"
    compile "$build/gen/$f.cu" "$build/obj/$f.o" &
    pids+=($!)
    wait_some "$jobs"
    compile "$here/test_$f.cpp" "$build/obj/test_$f.o" &
    pids+=($!)
  else
    echo "run.sh: unknown family '$f' (needs $here/test_$f.cu, or $native/$f.cu and $here/test_$f.cpp)" >&2
    exit 1
  fi
done
wait_some 1
if [[ $failed_builds -ne 0 ]]; then
  echo "run.sh: $failed_builds compilations failed" >&2
  exit 1
fi
for f in "${families[@]}"; do
  kernels=()
  [[ -f $here/test_$f.cu ]] || kernels=("$build/obj/$f.o")
  "$cxx" -o "$build/test_$f" "$build/obj/test_$f.o" "${kernels[@]}" "$build/obj/emu.o"
done
built=$(date +%s)
echo "run.sh: built ${families[*]} in $((built - start)) s with $("$cxx" --version | head -n 1)"

# 3. The tests, in parallel; each one's output is printed whole, in order.
for f in "${families[@]}"; do
  wait_some "$jobs"
  ( t0=$(date +%s%N); rc=0; timeout "${EMU_TIMEOUT:-600}" "$build/test_$f" > "$build/logs/$f.log" 2>&1 || rc=$?
    echo "test_$f: exit status $rc, $((($(date +%s%N) - t0) / 1000000)) ms" >> "$build/logs/$f.log"
    echo "$rc" > "$build/logs/$f.rc" ) &
  pids+=($!)
done
wait_some 1
failed=()
for f in "${families[@]}"; do
  cat "$build/logs/$f.log"
  [[ $(cat "$build/logs/$f.rc") == 0 ]] || failed+=("$f")
done
echo "run.sh: ${#families[@]} test programs, ${#failed[@]} failed${failed[*]:+: ${failed[*]}}" \
  "($(( $(date +%s) - start )) s)"
[[ ${#failed[@]} -eq 0 ]]
