#!/usr/bin/env bash
# Checks the CUDA backend on a machine with an NVIDIA GPU: the GPU tests (every io.rewoo4j.runtime.cuda.*Test), the
# decode benchmark (CudaDecodeBenchmark on a synthetic full-size Mixtral-8x7B GPTQ 4-bit model) and the PyTorch fp16
# baseline of the same decode step's matrix work (pytorch_baseline.py).
#
# A GPU machine usually has neither Maven nor the Maven repository, so this runs in two steps:
#
#   1. On a build machine (a JDK 17, ./mvnw and a filled ~/.m2; nvcc and cmake on the PATH so that the build compiles
#      librewoo4j_cuda.so into target/classes):
#        model-runtime/scripts/cuda/device-check.sh prepare
#      builds model-runtime (main and test classes, the CUDA library), gathers the test class path's jars plus
#      junit-platform-launcher, compiles CudaTestRunner.java (a JUnit launcher main) against them, links a small Java
#      runtime with jlink (unless DEVICE_JRE=none: then the GPU machine needs Java 17+ as `java` or $JAVA) and packs it
#      all into model-runtime/target/device-bundle.tar.xz (about 40 MB).
#
#   2. Copy the repository and that archive (same path) to the GPU machine and run there, from the repository root:
#        model-runtime/scripts/cuda/device-check.sh            # or: ... run
#      The archive is unpacked to $BUNDLE_DIR (default /tmp/rewoo4j-device-bundle). Logs and results go to $OUT when
#      it is set, else to model-runtime/target/device-check: nvidia-smi.txt, gpu-tests.log, cuda-decode.{log,md,json},
#      pytorch-baseline.{log,json}.
#
# Environment for the run step: LAYERS (benchmark layers, default 32; 4 for a quick look), REBUILD_NATIVE=1 (rebuild
# librewoo4j_cuda.so there with nvcc/cmake instead of using the one built in step 1), TESTS (a class-name regular
# expression, default every io.rewoo4j.runtime.cuda test), SKIP_TESTS=1, SKIP_BENCH=1, SKIP_TORCH=1.
# Exit status: 1 when a test failed or a step could not run, else 0.
set -uo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
module_dir=$(cd "$script_dir/../.." && pwd)
repo_dir=$(cd "$module_dir/.." && pwd)
archive=$module_dir/target/device-bundle.tar.xz
mode=${1:-run}

prepare() {
  set -e
  local bundle=$module_dir/target/device-bundle
  cd "$repo_dir"
  ./mvnw -q -B -o -pl model-runtime test-compile
  ./mvnw -q -B -o -pl model-runtime dependency:build-classpath -Dmdep.includeScope=test \
      -Dmdep.outputFile="$module_dir/target/device-cp.txt"
  if [[ ! -f "$module_dir/target/classes/io/rewoo4j/runtime/cuda/native/linux-x86_64/librewoo4j_cuda.so" ]]; then
    echo "warning: target/classes has no librewoo4j_cuda.so (nvcc was not on the PATH): the run step will need" \
         "REBUILD_NATIVE=1" >&2
  fi
  rm -rf "$bundle"
  mkdir -p "$bundle/lib" "$bundle/runner"
  cp -r "$module_dir/target/classes" "$bundle/classes"
  cp -r "$module_dir/target/test-classes" "$bundle/test-classes"
  tr ":" "\n" < "$module_dir/target/device-cp.txt" | while read -r jar || [[ -n "$jar" ]]; do
    [[ -n "$jar" ]] && cp "$jar" "$bundle/lib/"
  done
  # the launcher is not a test dependency of the module: take the one matching junit-platform-engine
  local engine version launcher
  engine=$(ls "$bundle"/lib/junit-platform-engine-*.jar | head -1)
  version=$(basename "$engine" .jar)
  version=${version#junit-platform-engine-}
  launcher=$HOME/.m2/repository/org/junit/platform/junit-platform-launcher/$version/junit-platform-launcher-$version.jar
  if [[ ! -f "$launcher" ]]; then
    echo "junit-platform-launcher $version is not in ~/.m2 (run the module's tests once with Maven to fetch it)" >&2
    exit 1
  fi
  cp "$launcher" "$bundle/lib/"
  javac -d "$bundle/runner" -cp "$bundle/lib/*" "$script_dir/CudaTestRunner.java"
  if [[ "${DEVICE_JRE:-jlink}" != none ]]; then
    # headers kept: build.sh needs jni.h when REBUILD_NATIVE=1
    jlink --add-modules java.base,java.compiler,jdk.compiler,java.logging,java.management,java.instrument,java.sql,java.xml,jdk.unsupported,jdk.incubator.vector \
        --strip-debug --no-man-pages --compress=2 --output "$bundle/jre"
  fi
  tar -C "$module_dir/target" -cJf "$archive" device-bundle
  echo "wrote $archive ($(du -h "$archive" | cut -f1)); carry it to the GPU machine and run $0 there"
}

run() {
  local bundle=${BUNDLE_DIR:-/tmp/rewoo4j-device-bundle}
  local out=${OUT:-$module_dir/target/device-check}
  local layers=${LAYERS:-32}
  local status=0
  mkdir -p "$out"
  if [[ ! -d "$bundle/device-bundle" ]]; then
    if [[ ! -f "$archive" ]]; then
      echo "no $archive: run '$0 prepare' on a build machine first and copy the archive here" >&2
      exit 1
    fi
    mkdir -p "$bundle"
    tar -C "$bundle" -xJf "$archive"
  fi
  local b=$bundle/device-bundle
  local java=${JAVA:-}
  if [[ -z "$java" ]]; then
    if [[ -x "$b/jre/bin/java" ]]; then java=$b/jre/bin/java; else java=java; fi
  fi
  local cp="$b/classes:$b/test-classes:$b/runner:$b/lib/*"

  { nvidia-smi; echo; "$java" -version; } > "$out/nvidia-smi.txt" 2>&1 || true

  if [[ "${REBUILD_NATIVE:-0}" == 1 ]]; then
    local home
    if [[ -x "$b/jre/bin/java" ]]; then home=$b/jre; else home=${JAVA_HOME:-}; fi
    REWOO4J_NATIVE_BUILD_DIR=/tmp/rewoo4j-native-build \
        bash "$module_dir/src/main/native/build.sh" "$b/classes" "$home" device-check \
        > "$out/native-build.log" 2>&1 || { echo "native build failed, see $out/native-build.log" >&2; exit 1; }
  fi

  if [[ "${SKIP_TESTS:-0}" != 1 ]]; then
    echo "== GPU tests"
    "$java" --add-modules jdk.incubator.vector -Xmx8g -XX:MaxDirectMemorySize=4g -cp "$cp" CudaTestRunner \
        ${TESTS:+"$TESTS"} 2>&1 | tee "$out/gpu-tests.log"
    [[ ${PIPESTATUS[0]} -eq 0 ]] || status=1
  fi

  if [[ "${SKIP_BENCH:-0}" != 1 ]]; then
    echo "== CUDA decode benchmark ($layers layers)"
    "$java" -Xmx4g -cp "$cp" io.rewoo4j.runtime.cuda.bench.CudaDecodeBenchmark "layers=$layers" \
        "out=$out/cuda-decode" 2>&1 | tee "$out/cuda-decode.log"
    [[ ${PIPESTATUS[0]} -eq 0 ]] || status=1
  fi

  if [[ "${SKIP_TORCH:-0}" != 1 ]]; then
    echo "== PyTorch fp16 baseline ($layers layers)"
    PYTHONUNBUFFERED=1 python3 "$script_dir/pytorch_baseline.py" --layers "$layers" \
        --json "$out/pytorch-baseline.json" 2>&1 | tee "$out/pytorch-baseline.log"
    [[ ${PIPESTATUS[0]} -eq 0 ]] || status=1
  fi
  echo "results in $out"
  return $status
}

case "$mode" in
  prepare) prepare ;;
  run) run; exit $? ;;
  *) echo "usage: $0 [prepare|run]" >&2; exit 2 ;;
esac
