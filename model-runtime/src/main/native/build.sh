#!/usr/bin/env bash
# Builds librewoo4j_cuda.so (the CUDA backend of the model runtime) and copies it to
#   TARGET_DIR/io/rewoo4j/runtime/cuda/native/linux-x86_64/librewoo4j_cuda.so
# where io.rewoo4j.runtime.cuda.CudaLibrary finds it on the class path.
#
# Usage: build.sh TARGET_DIR [JAVA_HOME] [VERSION]
#   TARGET_DIR  class output directory (Maven passes ${project.build.outputDirectory})
#   JAVA_HOME   JDK whose include/ holds jni.h (Maven passes ${java.home}; default: $JAVA_HOME, then javac's JDK)
#   VERSION     reported by CudaNative.buildInfo() (Maven passes ${project.version})
# Environment: REWOO4J_NATIVE_BUILD_DIR overrides the CMake build directory (default: model-runtime/target/native-build,
# kept between builds so that a rebuild only recompiles what changed); CUDAARCHS overrides the architectures;
# REWOO4J_CUDA_LINEINFO=ON keeps source lines in the kernels for profilers.
#
# Without nvcc or cmake on the PATH this prints one line and succeeds: the jar then has no CUDA library and the
# runtime uses its CPU backend. With them, any configuration or compilation error fails the build.
set -euo pipefail

if [[ $# -lt 1 || -z "$1" ]]; then
  echo "usage: $0 TARGET_DIR [JAVA_HOME] [VERSION]" >&2
  exit 2
fi

for tool in nvcc cmake; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "[rewoo4j-cuda] $tool not found: the CUDA backend is not built; the CPU backend will be used"
    exit 0
  fi
done

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
target_dir=$1
java_home=${2:-${JAVA_HOME:-}}
version=${3:-dev}
build_dir=${REWOO4J_NATIVE_BUILD_DIR:-$script_dir/../../../target/native-build}

# ${java.home} is the JDK itself since Java 9; a Java 8 style ".../jre" has the headers one level up.
if [[ -n "$java_home" && ! -f "$java_home/include/jni.h" && -f "$java_home/../include/jni.h" ]]; then
  java_home=$java_home/..
fi
if [[ -z "$java_home" || ! -f "$java_home/include/jni.h" ]]; then
  if command -v javac >/dev/null 2>&1; then
    java_home=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
  fi
fi
if [[ ! -f "$java_home/include/jni.h" ]]; then
  echo "[rewoo4j-cuda] jni.h not found (JAVA_HOME='$java_home'): pass a JDK as the second argument" >&2
  exit 1
fi
java_home=$(cd "$java_home" && pwd)

generator=()
if command -v ninja >/dev/null 2>&1; then
  generator=(-G Ninja)
  wanted_generator=Ninja
else
  wanted_generator="Unix Makefiles"
fi
mkdir -p "$build_dir"
build_dir=$(cd "$build_dir" && pwd)
# CMake refuses to switch generators in an existing build directory: start over when it would have to.
if [[ -f "$build_dir/CMakeCache.txt" ]] \
    && ! grep -qxF "CMAKE_GENERATOR:INTERNAL=$wanted_generator" "$build_dir/CMakeCache.txt"; then
  rm -rf "${build_dir:?}"/*
fi

# Always passed, so that a build directory configured with CUDAARCHS once does not keep it.
architectures=${CUDAARCHS:-80-real;90}

echo "[rewoo4j-cuda] building librewoo4j_cuda.so with $(command -v nvcc) in $build_dir"
cmake -S "$script_dir" -B "$build_dir" ${generator[@]+"${generator[@]}"} -Wno-dev --log-level=WARNING \
  -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_CUDA_COMPILER="$(command -v nvcc)" \
  -DREWOO4J_JAVA_HOME="$java_home" \
  -DREWOO4J_VERSION="$version" \
  -DREWOO4J_CUDA_LINEINFO="${REWOO4J_CUDA_LINEINFO:-OFF}" \
  -DCMAKE_CUDA_ARCHITECTURES="$architectures" >/dev/null
cmake --build "$build_dir" --parallel

library=$build_dir/librewoo4j_cuda.so
destination=$target_dir/io/rewoo4j/runtime/cuda/native/linux-x86_64
mkdir -p "$destination"
# Copy only when it changed, so that an unchanged library does not make the jar look stale.
if ! cmp -s "$library" "$destination/librewoo4j_cuda.so"; then
  cp "$library" "$destination/librewoo4j_cuda.so.tmp"
  mv -f "$destination/librewoo4j_cuda.so.tmp" "$destination/librewoo4j_cuda.so"
fi
echo "[rewoo4j-cuda] $destination/librewoo4j_cuda.so"
