package io.rewoo4j.runtime.cuda;

import static io.rewoo4j.runtime.cuda.CudaNative.BYTES;
import static io.rewoo4j.runtime.cuda.CudaNative.F16;
import static io.rewoo4j.runtime.cuda.CudaNative.F32;
import static io.rewoo4j.runtime.cuda.CudaNative.I32;
import static io.rewoo4j.runtime.cuda.CudaNative.U32;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The argument checks of the JNI bindings, which run before anything reaches CUDA, so that they can be proven on a
 * machine without a GPU. The order is: (1) dimensions and scalars, (2) device pointers in parameter order, each
 * inside a live allocation of the expected type, aligned, and large enough for the extent the dimensions imply,
 * (3) the stream. Every violation is an IllegalArgumentException "&lt;binding&gt;: &lt;argument&gt; ...".
 *
 * <p>The first group needs only the loaded library (no allocation is live, so pointers are always rejected). The
 * second registers fake allocations, which the library accepts only when no device is visible: then a call that
 * passes every check reaches CUDA and fails there with a CudaException, which proves the checks let it through.
 */
class JniBindingChecksTest {

    // arbitrary addresses that are never registered
    static final long P1 = 0x7000_0000_1000L;
    static final long P2 = 0x7000_0000_2000L;
    static final long P3 = 0x7000_0000_3000L;
    static final long P4 = 0x7000_0000_4000L;
    static final long P5 = 0x7000_0000_5000L;
    static final long P6 = 0x7000_0000_6000L;
    static final long P7 = 0x7000_0000_7000L;

    private static IllegalArgumentException iae(ThrowingCallable call) {
        Throwable thrown = catchThrowable(call);
        assertThat(thrown).isInstanceOf(IllegalArgumentException.class);
        return (IllegalArgumentException) thrown;
    }

    // =============================================================================================================
    // Without allocations
    // =============================================================================================================

    @Test
    void validDimensionsWithUnregisteredPointersNameTheFirstPointer() {
        CudaTestSupport.assumeLibraryLoaded();
        assertThat(iae(() -> CudaNative.rmsNorm(0, P1, 64, P2, 2, 64, 1e-5f, P3, 64)))
                .hasMessage("rmsNorm: x (0x700000001000) is not inside a live device allocation");
    }

    @Test
    void dimensionErrorsAreReportedBeforePointerErrors() {
        CudaTestSupport.assumeLibraryLoaded();
        // rows is wrong and every pointer is unregistered: the dimension wins
        assertThat(iae(() -> CudaNative.rmsNorm(0, P1, 64, P2, 0, 64, 1e-5f, P3, 64)))
                .hasMessage("rmsNorm: rows must be positive, got 0");
        assertThat(iae(() -> CudaNative.rmsNorm(0, P1, 63, P2, 4, 64, 1e-5f, P3, 64)))
                .hasMessage("rmsNorm: ldx (63) must be at least dim (64)");
    }

    @Test
    void nullPointerIsNamed() {
        CudaTestSupport.assumeLibraryLoaded();
        assertThat(iae(() -> CudaNative.argmaxRows(0, 0, 3, 100, P2)))
                .hasMessage("argmaxRows: logits is null (0); it must point into a live allocation of type F32");
    }

    static Stream<Arguments> firstPointers() {
        return Stream.of(
                Arguments.of("linear", "matrices", (ThrowingCallable) () -> CudaNative.linear(0, P1, 3, 1, 0, 4,
                        128, 96, P2, 128, 5, 0, 0, P3, 288, 5, 0, 0, 0, 0, 5)),
                Arguments.of("embedRows", "table",
                        (ThrowingCallable) () -> CudaNative.embedRows(0, P1, 1000, 64, P2, 3, P3)),
                Arguments.of("rmsNorm", "x",
                        (ThrowingCallable) () -> CudaNative.rmsNorm(0, P1, 64, P2, 3, 64, 1e-6f, P1, 64)),
                Arguments.of("positionsFill", "seq",
                        (ThrowingCallable) () -> CudaNative.positionsFill(0, P1, P2, 4, 0, 10)),
                Arguments.of("countersAdvance", "counters",
                        (ThrowingCallable) () -> CudaNative.countersAdvance(0, P1, 4, 1)),
                Arguments.of("ropeAndStoreKv", "qkv", (ThrowingCallable) () -> CudaNative.ropeAndStoreKv(0, P1, 256,
                        2, 4, 2, 32, P2, P3, P4, P5, P6, P7, 2, 64)),
                Arguments.of("attentionDecode", "qkv", (ThrowingCallable) () -> CudaNative.attentionDecode(0, P1,
                        256, 2, 4, 2, 32, P2, P3, P4, P5, 2, 64, 0, 0.17f, P6, 128)),
                Arguments.of("attentionPrefill", "qkv", (ThrowingCallable) () -> CudaNative.attentionPrefill(0, P1,
                        256, 2, 4, 2, 32, 1, 10, P4, P5, 2, 64, 0, 0.17f, P6, 128)),
                Arguments.of("moeRoute", "logits",
                        (ThrowingCallable) () -> CudaNative.moeRoute(0, P1, 7, 8, 2, P2, P3, P4, P5)),
                Arguments.of("argmaxRows", "logits",
                        (ThrowingCallable) () -> CudaNative.argmaxRows(0, P1, 3, 100, P2)),
                Arguments.of("sampleTopK", "logits",
                        (ThrowingCallable) () -> CudaNative.sampleTopK(0, P1, 3, 100, 5, 0.8f, 42, P2, P3)),
                Arguments.of("fillRandomBits", "address",
                        (ThrowingCallable) () -> CudaNative.fillRandomBits(0, P1, 100, 1)),
                Arguments.of("fillRandomHalf", "address",
                        (ThrowingCallable) () -> CudaNative.fillRandomHalf(0, P1, 100, -1f, 1f, 1)),
                Arguments.of("fillRandomScaleZero", "address",
                        (ThrowingCallable) () -> CudaNative.fillRandomScaleZero(0, P1, 100, 0.01f, 0.02f, 15, 1)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("firstPointers")
    void everyKernelBindingRejectsUnregisteredPointers(String binding, String argument, ThrowingCallable call) {
        CudaTestSupport.assumeLibraryLoaded();
        assertThat(iae(call)).hasMessage(binding + ": " + argument + " (0x700000001000) is not inside a live device"
                + " allocation");
    }

    static Stream<Arguments> dimensionErrors() {
        return Stream.of(
                // linear: stream, matrices, nmat, experts, kind, bits, in, maxOut, x, ldx, rows, inputMode,
                // outputMode, y, ldy, yRows, topk, expertOffset, sortedAssign, assignWeight, maxTasksPerExpert
                Arguments.of("linear: bits must be 2, 3, 4 or 8, got 5", (ThrowingCallable) () -> CudaNative.linear(
                        0, P1, 1, 1, 0, 5, 128, 64, P2, 128, 3, 0, 0, P3, 64, 3, 0, 0, 0, 0, 3)),
                Arguments.of("linear: in (100) must be a multiple of 32 for GPTQ matrices",
                        (ThrowingCallable) () -> CudaNative.linear(0, P1, 1, 1, 0, 4, 100, 64, P2, 128, 3, 0, 0, P3,
                                64, 3, 0, 0, 0, 0, 3)),
                Arguments.of("linear: kind must be MATRIX_GPTQ (0) or MATRIX_DENSE (1), got 7",
                        (ThrowingCallable) () -> CudaNative.linear(0, P1, 1, 1, 7, 4, 128, 64, P2, 128, 3, 0, 0, P3,
                                64, 3, 0, 0, 0, 0, 3)),
                Arguments.of("linear: expertOffset (0x700000005000), sortedAssign (0x0) and assignWeight "
                        + "(0x700000007000) must be given together (routing) or all be 0 (no routing)",
                        (ThrowingCallable) () -> CudaNative.linear(0, P1, 1, 8, 0, 4, 128, 64, P2, 128, 3, 0, 1, P3,
                                64, 3, 2, P5, 0, P7, 3)),
                Arguments.of("linear: topk (3) must be at most experts (2)",
                        (ThrowingCallable) () -> CudaNative.linear(0, P1, 1, 2, 0, 4, 128, 64, P2, 128, 3, 0, 1, P3,
                                64, 3, 3, P5, P6, P7, 3)),
                Arguments.of("linear: experts must be 1 without routing, got 4",
                        (ThrowingCallable) () -> CudaNative.linear(0, P1, 1, 4, 0, 4, 128, 64, P2, 128, 3, 0, 0, P3,
                                64, 3, 0, 0, 0, 0, 3)),
                Arguments.of("linear: ldx (256) must be at least 2 * in (512)",
                        (ThrowingCallable) () -> CudaNative.linear(0, P1, 1, 1, 1, 0, 256, 64, P2, 256, 3, 1, 0, P3,
                                64, 3, 0, 0, 0, 0, 3)),
                Arguments.of("linear: ldy (63) must be at least maxOut (64)",
                        (ThrowingCallable) () -> CudaNative.linear(0, P1, 1, 1, 1, 0, 256, 64, P2, 256, 3, 0, 0, P3,
                                63, 3, 0, 0, 0, 0, 3)),
                Arguments.of("linear: yRows (13) must be at least rows * topk (tasks) (14)",
                        (ThrowingCallable) () -> CudaNative.linear(0, P1, 2, 8, 0, 4, 128, 64, P2, 128, 7, 0, 0, P3,
                                128, 13, 2, P5, P6, P7, 7)),
                Arguments.of("linear: maxTasksPerExpert (4) must be at most rows (3)",
                        (ThrowingCallable) () -> CudaNative.linear(0, P1, 1, 1, 1, 0, 256, 64, P2, 256, 3, 0, 0, P3,
                                64, 3, 0, 0, 0, 0, 4)),
                Arguments.of("embedRows: hidden must be positive, got -1",
                        (ThrowingCallable) () -> CudaNative.embedRows(0, P1, 1000, -1, P2, 3, P3)),
                Arguments.of("rmsNorm: eps must be finite, got nan",
                        (ThrowingCallable) () -> CudaNative.rmsNorm(0, P1, 64, P2, 3, 64, Float.NaN, P3, 64)),
                Arguments.of("rmsNorm: in place (y == x) needs ldy == ldx, got 64 and 80",
                        (ThrowingCallable) () -> CudaNative.rmsNorm(0, P1, 80, P2, 3, 64, 1e-5f, P1, 64)),
                Arguments.of("positionsFill: start must not be negative, got -1",
                        (ThrowingCallable) () -> CudaNative.positionsFill(0, P1, P2, 4, 0, -1)),
                Arguments.of("countersAdvance: n must be positive, got 0",
                        (ThrowingCallable) () -> CudaNative.countersAdvance(0, P1, 0, 1)),
                Arguments.of("ropeAndStoreKv: kvHeads must be positive, got 0", (ThrowingCallable) () -> CudaNative
                        .ropeAndStoreKv(0, P1, 256, 2, 4, 0, 32, P2, P3, P4, P5, P6, P7, 2, 64)),
                Arguments.of("attentionDecode: headDim must be even and at most 256, got 65",
                        (ThrowingCallable) () -> CudaNative.attentionDecode(0, P1, 520, 2, 4, 2, 65, P2, P3, P4, P5,
                                2, 64, 0, 0.17f, P6, 260)),
                Arguments.of("attentionDecode: headDim must be even and at most 256, got 258",
                        (ThrowingCallable) () -> CudaNative.attentionDecode(0, P1, 2064, 2, 4, 2, 258, P2, P3, P4,
                                P5, 2, 64, 0, 0.17f, P6, 1032)),
                Arguments.of("attentionDecode: heads (6) must be a multiple of kvHeads (4)",
                        (ThrowingCallable) () -> CudaNative.attentionDecode(0, P1, 1024, 2, 6, 4, 32, P2, P3, P4, P5,
                                2, 64, 0, 0.17f, P6, 192)),
                Arguments.of("attentionDecode: ld (255) must be at least (heads + 2 * kvHeads) * headDim (256)",
                        (ThrowingCallable) () -> CudaNative.attentionDecode(0, P1, 255, 2, 4, 2, 32, P2, P3, P4, P5,
                                2, 64, 0, 0.17f, P6, 128)),
                Arguments.of("attentionDecode: scale must be positive, got 0",
                        (ThrowingCallable) () -> CudaNative.attentionDecode(0, P1, 256, 2, 4, 2, 32, P2, P3, P4, P5,
                                2, 64, 0, 0f, P6, 128)),
                Arguments.of("attentionDecode: ldo (127) must be at least heads * headDim (128)",
                        (ThrowingCallable) () -> CudaNative.attentionDecode(0, P1, 256, 2, 4, 2, 32, P2, P3, P4, P5,
                                2, 64, 0, 0.17f, P6, 127)),
                Arguments.of("attentionPrefill: startPos + rows (65) must be at most maxPos (64)",
                        (ThrowingCallable) () -> CudaNative.attentionPrefill(0, P1, 256, 5, 4, 2, 32, 0, 60, P4, P5,
                                2, 64, 0, 0.17f, P6, 128)),
                Arguments.of("attentionPrefill: seq (2) must be less than maxSeqs (2)",
                        (ThrowingCallable) () -> CudaNative.attentionPrefill(0, P1, 256, 5, 4, 2, 32, 2, 0, P4, P5,
                                2, 64, 0, 0.17f, P6, 128)),
                Arguments.of("moeRoute: topk (3) must be at most experts (2)",
                        (ThrowingCallable) () -> CudaNative.moeRoute(0, P1, 7, 2, 3, P2, P3, P4, P5)),
                Arguments.of("argmaxRows: vocab must be positive, got 0",
                        (ThrowingCallable) () -> CudaNative.argmaxRows(0, P1, 3, 0, P2)),
                Arguments.of("sampleTopK: k (101) must be at most vocab (100)",
                        (ThrowingCallable) () -> CudaNative.sampleTopK(0, P1, 3, 100, 101, 0.8f, 42, P2, P3)),
                Arguments.of("sampleTopK: temperature must be positive, got 0",
                        (ThrowingCallable) () -> CudaNative.sampleTopK(0, P1, 3, 100, 5, 0f, 42, P2, P3)),
                Arguments.of("sampleTopK: temperature must be finite, got inf",
                        (ThrowingCallable) () -> CudaNative.sampleTopK(0, P1, 3, 100, 5, Float.POSITIVE_INFINITY, 42,
                                P2, P3)),
                Arguments.of("fillRandomHalf: lo (1) must not exceed hi (-1)",
                        (ThrowingCallable) () -> CudaNative.fillRandomHalf(0, P1, 100, 1f, -1f, 1)),
                Arguments.of("fillRandomScaleZero: maxZero must be in 0..1023, got 1024",
                        (ThrowingCallable) () -> CudaNative.fillRandomScaleZero(0, P1, 100, 0.01f, 0.02f, 1024, 1)),
                Arguments.of("malloc: bytes must be positive, got 0",
                        (ThrowingCallable) () -> CudaNative.malloc(0, F32)),
                Arguments.of("malloc: elementType must be F32 (0), F16 (1), I32 (2), U32 (3) or BYTES (4), got 9",
                        (ThrowingCallable) () -> CudaNative.malloc(64, 9)),
                Arguments.of("malloc: bytes (6) is not a multiple of the 4-byte F32 element",
                        (ThrowingCallable) () -> CudaNative.malloc(6, F32)),
                Arguments.of("memset: value must be a byte (0..255), got 300",
                        (ThrowingCallable) () -> CudaNative.memset(P1, 300, 16, 0)));
    }

    /** Each call has bad dimensions and unregistered pointers: the dimension error is the one reported. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dimensionErrors")
    void dimensionErrorsNameTheArgumentAndTheNumbers(String message, ThrowingCallable call) {
        CudaTestSupport.assumeLibraryLoaded();
        assertThat(iae(call)).hasMessage(message);
    }

    @Test
    void freeOfAnUnknownAddressIsRejected() {
        CudaTestSupport.assumeLibraryLoaded();
        assertThat(iae(() -> CudaNative.free(P1)))
                .hasMessage("free: address (0x700000001000) is not the start of a live device allocation");
        assertThat(iae(() -> CudaNative.free(0))).hasMessageContaining("is not the start of a live device allocation");
    }

    @Test
    void copiesCheckTheHostSideFirst() {
        CudaTestSupport.assumeLibraryLoaded();
        assertThat(iae(() -> CudaNative.copyFloatsToDevice(P1, new float[4], 2, 3)))
                .hasMessage("copyFloatsToDevice: offset (2) + length (3) exceeds the array's length (4)");
        assertThat(iae(() -> CudaNative.copyIntsToHost(new int[4], -1, 1, P1, 0)))
                .hasMessage("copyIntsToHost: offset must not be negative, got -1");
        assertThat(iae(() -> CudaNative.copyFloatsToDevice(P1, new float[4], 0, 4)))
                .hasMessage("copyFloatsToDevice: dst (0x700000001000) is not inside a live device allocation");
        assertThat(iae(() -> CudaNative.copyFloatsToDevice(P1, null, 0, 4)))
                .hasMessage("copyFloatsToDevice: src is null");
        assertThat(iae(() -> CudaNative.copyToDevice(P1, ByteBuffer.allocate(16), 16)))
                .hasMessage("copyToDevice: src is not a direct buffer");
        ByteBuffer direct = ByteBuffer.allocateDirect(16);
        direct.position(4);
        assertThat(iae(() -> CudaNative.copyToDevice(P1, direct, 13)))
                .hasMessage("copyToDevice: bytes (13) exceeds src's remaining bytes (12)");
        assertThat(iae(() -> CudaNative.copyToHost(direct, P1, 12)))
                .hasMessage("copyToHost: src (0x700000001000) is not inside a live device allocation");
        assertThat(iae(() -> CudaNative.copyDeviceToDevice(P1, P2, 16, 0)))
                .hasMessage("copyDeviceToDevice: dst (0x700000001000) is not inside a live device allocation");
    }

    @Test
    void handlesMustBeLive() {
        CudaTestSupport.assumeLibraryLoaded();
        assertThat(iae(() -> CudaNative.streamDestroy(0x1234)))
                .hasMessage("streamDestroy: stream (0x1234) is not live");
        assertThat(iae(() -> CudaNative.streamDestroy(0)))
                .hasMessage("streamDestroy: stream 0 (the legacy default stream) cannot be destroyed");
        assertThat(iae(() -> CudaNative.streamSynchronize(0x77)))
                .hasMessage("streamSynchronize: stream (0x77) is not a live stream from streamCreate");
        assertThat(iae(() -> CudaNative.graphBeginCapture(0))).hasMessage(
                "graphBeginCapture: stream must be a stream from streamCreate, not the legacy default stream (0)");
        assertThat(iae(() -> CudaNative.graphLaunch(0x99, 0))).hasMessage("graphLaunch: graph (0x99) is not live");
        assertThat(iae(() -> CudaNative.graphDestroy(0x99))).hasMessage("graphDestroy: graph (0x99) is not live");
        assertThat(iae(() -> CudaNative.eventRecord(0x5, 0))).hasMessage("eventRecord: event (0x5) is not live");
        assertThat(iae(() -> CudaNative.eventElapsedMillis(0x5, 0x6)))
                .hasMessage("eventElapsedMillis: start (0x5) is not live");
    }

    // =============================================================================================================
    // With fake allocations (only without a device)
    // =============================================================================================================

    @Nested
    class WithFakeAllocations {
        private static long next = 0x5a00_0000_0000L;
        private final List<Long> fakes = new ArrayList<>();

        /** Registers {@code bytes} bytes of {@code type} at a fresh address and returns it. */
        long fake(long bytes, int type) {
            CudaTestSupport.assumeLibraryWithoutDevice();
            long address = next;
            next += (bytes + 0xFFFF) & ~0xFFFFL;
            next += 0x10000;
            CudaTestSupport.FakeAllocations.add(address, bytes, type);
            fakes.add(address);
            return address;
        }

        long floats(long n) {
            return fake(4 * n, F32);
        }

        long ints(long n) {
            return fake(4 * n, I32);
        }

        long halfs(long n) {
            return fake(2 * n, F16);
        }

        @AfterEach
        void removeFakes() {
            for (long address : fakes) {
                CudaTestSupport.FakeAllocations.remove(address);
            }
            fakes.clear();
        }

        /** The call passed every check: it reached CUDA, which fails without a device. */
        void reachesCuda(ThrowingCallable call, String operation) {
            Throwable thrown = catchThrowable(call);
            assertThat(thrown).as("the call should pass the checks and fail in CUDA")
                    .isInstanceOf(CudaException.class).hasMessageStartingWith(operation + ": ");
            assertThat(((CudaException) thrown).cudaError()).startsWith("cudaError");
        }

        @Test
        void extentIsCheckedExactlyAtTheBoundary() {
            // rows 3, ldx 100, dim 60: x needs 2 * 100 + 60 = 260 floats
            long shortX = floats(259);
            long w = floats(60);
            long y = floats(3 * 60);
            assertThat(iae(() -> CudaNative.rmsNorm(0, shortX, 100, w, 3, 60, 1e-5f, y, 60))).hasMessage(
                    "rmsNorm: x needs 260 F32 elements ((rows 3 - 1) * ldx 100 + dim 60) but its allocation (1036 "
                            + "bytes at 0x" + Long.toHexString(shortX) + ") holds only 259 from offset 0");
            long x = floats(260);
            reachesCuda(() -> CudaNative.rmsNorm(0, x, 100, w, 3, 60, 1e-5f, y, 60), "rms_norm");
            // from inside an allocation, what counts is what is left after the pointer
            long bigger = floats(262);
            reachesCuda(() -> CudaNative.rmsNorm(0, bigger + 8, 100, w, 3, 60, 1e-5f, y, 60), "rms_norm");
            assertThat(iae(() -> CudaNative.rmsNorm(0, bigger + 12, 100, w, 3, 60, 1e-5f, y, 60)))
                    .hasMessageEndingWith("holds only 259 from offset 12");
        }

        @Test
        void elementTypeAndAlignmentAreChecked() {
            long ix = ints(64);
            long w = floats(64);
            long y = floats(64);
            assertThat(iae(() -> CudaNative.rmsNorm(0, ix, 64, w, 1, 64, 1e-5f, y, 64))).hasMessage(
                    "rmsNorm: x must point into an allocation of type F32, but 0x" + Long.toHexString(ix)
                            + " lies in one of type I32 (256 bytes at 0x" + Long.toHexString(ix) + ")");
            long x = floats(80);
            assertThat(iae(() -> CudaNative.rmsNorm(0, x + 2, 64, w, 1, 64, 1e-5f, y, 64))).hasMessage(
                    "rmsNorm: x (0x" + Long.toHexString(x + 2) + ") is not aligned to its 4-byte elements (offset 2"
                            + " into the allocation at 0x" + Long.toHexString(x) + ")");
        }

        @Test
        void pointersAreCheckedInParameterOrderThenTheStream() {
            long x = floats(64);
            long w = floats(64);
            long y = floats(64);
            // weight unregistered, y unregistered: weight comes first
            assertThat(iae(() -> CudaNative.rmsNorm(0, x, 64, P2, 1, 64, 1e-5f, P3, 64)))
                    .hasMessageStartingWith("rmsNorm: weight (");
            assertThat(iae(() -> CudaNative.rmsNorm(0x1234, x, 64, w, 1, 64, 1e-5f, P3, 64)))
                    .hasMessageStartingWith("rmsNorm: y (");
            assertThat(iae(() -> CudaNative.rmsNorm(0x1234, x, 64, w, 1, 64, 1e-5f, y, 64)))
                    .hasMessage("rmsNorm: stream (0x1234) is not a live stream from streamCreate");
            reachesCuda(() -> CudaNative.rmsNorm(0, x, 64, w, 1, 64, 1e-5f, y, 64), "rms_norm");
            // in place is fine, overlapping is not
            reachesCuda(() -> CudaNative.rmsNorm(0, x, 64, w, 1, 64, 1e-5f, x, 64), "rms_norm");
            long both = floats(128);
            assertThat(iae(() -> CudaNative.rmsNorm(0, both, 64, w, 1, 64, 1e-5f, both + 4, 64)))
                    .hasMessageContaining("overlaps x");
        }

        @Test
        void linearWithoutRouting() {
            // q|k|v of 3 dense matrices: in 256, rows 5, maxOut 128, y rows of 384
            long table = fake(3 * 96, BYTES);
            long x = floats(4 * 300 + 256);
            long y = floats(5 * 384);
            reachesCuda(() -> CudaNative.linear(0, table, 3, 1, 1, 0, 256, 128, x, 300, 5, 0, 0, y, 384, 5, 0, 0,
                    0, 0, 5), "linear_forward");
            assertThat(iae(() -> CudaNative.linear(0, table, 4, 1, 1, 0, 256, 128, x, 300, 5, 0, 0, y, 384, 5, 0,
                    0, 0, 0, 5))).hasMessage("linear: matrices needs 384 BYTES elements (experts 1 * nmat 4 * "
                            + "96-byte DeviceMatrix) but its allocation (288 bytes at 0x" + Long.toHexString(table)
                            + ") holds only 288 from offset 0");
            assertThat(iae(() -> CudaNative.linear(0, x, 3, 1, 1, 0, 256, 128, x, 300, 5, 0, 0, y, 384, 5, 0, 0,
                    0, 0, 5))).hasMessageStartingWith("linear: matrices must point into an allocation of type BYTES");
            assertThat(iae(() -> CudaNative.linear(0, table, 3, 1, 1, 0, 256, 128, x, 300, 6, 0, 0, y, 384, 6, 0,
                    0, 0, 0, 5))).hasMessageStartingWith("linear: x needs 1756 F32 elements ((rows 6 - 1) * ldx 300 "
                            + "+ in 256)");
            assertThat(iae(() -> CudaNative.linear(0, table, 3, 1, 1, 0, 256, 128, x, 300, 5, 0, 0, y, 385, 5, 0,
                    0, 0, 0, 5))).hasMessageStartingWith("linear: y needs 1925 F32 elements (yRows 5 * ldy 385)");
            // GPTQ: 4-bit, in a multiple of 32
            reachesCuda(() -> CudaNative.linear(0, table, 3, 1, 0, 4, 256, 128, x, 300, 5, 0, 0, y, 384, 5, 0, 0,
                    0, 0, 5), "linear_forward");
        }

        @Test
        void linearWithRouting() {
            // Mixtral-style down projection: 8 experts, top-2, 7 tokens, SiLU-mul input of 2 * 128 per task
            int experts = 8;
            int topk = 2;
            int rows = 7;
            int in = 128;
            long table = fake(experts * 96L, BYTES);
            long x = floats((long) rows * topk * 2 * in);
            long y = floats((long) rows * 64);
            long offsets = ints(experts + 1);
            long sorted = ints(rows * topk);
            long weights = floats(rows * topk);
            reachesCuda(() -> CudaNative.linear(0, table, 1, experts, 0, 4, in, 64, x, 2 * in, rows, 1, 1, y, 64,
                    rows, topk, offsets, sorted, weights, rows), "linear_forward");
            long shortSorted = ints(rows * topk - 1);
            assertThat(iae(() -> CudaNative.linear(0, table, 1, experts, 0, 4, in, 64, x, 2 * in, rows, 1, 1, y, 64,
                    rows, topk, offsets, shortSorted, weights, rows)))
                    .hasMessageStartingWith("linear: sortedAssign needs 14 I32 elements (rows 7 * topk 2)");
            long shortOffsets = ints(experts);
            assertThat(iae(() -> CudaNative.linear(0, table, 1, experts, 0, 4, in, 64, x, 2 * in, rows, 1, 1, y, 64,
                    rows, topk, shortOffsets, sorted, weights, rows)))
                    .hasMessageStartingWith("linear: expertOffset needs 9 I32 elements (experts 8 + 1)");
            // SiLU-mul input rows are tasks (rows * topk) with routing
            long shortX = floats((long) rows * topk * 2 * in - 1);
            assertThat(iae(() -> CudaNative.linear(0, table, 1, experts, 0, 4, in, 64, shortX, 2 * in, rows, 1, 1, y,
                    64, rows, topk, offsets, sorted, weights, rows)))
                    .hasMessageStartingWith(
                            "linear: x needs 3584 F32 elements ((tasks 14 - 1) * ldx 256 + 2 * in 256)");
        }

        @Test
        void attentionBindings() {
            int heads = 8;
            int kvHeads = 2;
            int headDim = 64;
            int width = (heads + 2 * kvHeads) * headDim; // 768
            int rows = 3;
            int maxSeqs = 2;
            int maxPos = 100;
            long qkv = floats((long) rows * width);
            long seq = ints(rows);
            long pos = ints(rows);
            long cos = floats((long) maxPos * headDim / 2);
            long sin = floats((long) maxPos * headDim / 2);
            long cache = (long) maxSeqs * maxPos * kvHeads * headDim;
            long k = halfs(cache);
            long v = halfs(cache);
            long out = floats((long) rows * heads * headDim);
            reachesCuda(() -> CudaNative.ropeAndStoreKv(0, qkv, width, rows, heads, kvHeads, headDim, seq, pos, cos,
                    sin, k, v, maxSeqs, maxPos), "rope_and_store_kv");
            reachesCuda(() -> CudaNative.attentionDecode(0, qkv, width, rows, heads, kvHeads, headDim, seq, pos, k,
                    v, maxSeqs, maxPos, 4096, 0.125f, out, heads * headDim), "attention_decode");
            reachesCuda(() -> CudaNative.attentionPrefill(0, qkv, width, rows, heads, kvHeads, headDim, 1, 97, k, v,
                    maxSeqs, maxPos, 0, 0.125f, out, heads * headDim), "attention_prefill");
            long shortV = halfs(cache - 1);
            assertThat(iae(() -> CudaNative.attentionDecode(0, qkv, width, rows, heads, kvHeads, headDim, seq, pos, k,
                    shortV, maxSeqs, maxPos, 0, 0.125f, out, heads * headDim))).hasMessageStartingWith(
                            "attentionDecode: vCache needs 25600 F16 elements (maxSeqs 2 * maxPos 100 * kvHeads 2 * "
                                    + "headDim 64)");
            long shortCos = floats((long) maxPos * headDim / 2 - 1);
            assertThat(iae(() -> CudaNative.ropeAndStoreKv(0, qkv, width, rows, heads, kvHeads, headDim, seq, pos,
                    shortCos, sin, k, v, maxSeqs, maxPos))).hasMessageStartingWith(
                            "ropeAndStoreKv: cosTable needs 3200 F32 elements (maxPos 100 * headDim / 2 32)");
            // the caches are fp16: an F32 cache is rejected
            long f32Cache = floats(cache);
            assertThat(iae(() -> CudaNative.attentionPrefill(0, qkv, width, rows, heads, kvHeads, headDim, 0, 0,
                    f32Cache, v, maxSeqs, maxPos, 0, 0.125f, out, heads * headDim)))
                    .hasMessageStartingWith("attentionPrefill: kCache must point into an allocation of type F16");
        }

        @Test
        void routingSamplingAndFills() {
            long logits = floats(7 * 8);
            long ids = ints(14);
            long weights = floats(14);
            long offsets = ints(9);
            long sorted = ints(14);
            reachesCuda(() -> CudaNative.moeRoute(0, logits, 7, 8, 2, ids, weights, offsets, sorted), "moe_route");
            assertThat(iae(() -> CudaNative.moeRoute(0, logits, 7, 8, 2, weights, ids, offsets, sorted)))
                    .hasMessageStartingWith("moeRoute: topkIds must point into an allocation of type I32");

            long vocabLogits = floats(3 * 1000);
            long out = ints(3);
            long step = ints(1);
            reachesCuda(() -> CudaNative.argmaxRows(0, vocabLogits, 3, 1000, out), "argmax_rows");
            reachesCuda(() -> CudaNative.sampleTopK(0, vocabLogits, 3, 1000, 50, 0.7f, 42, step, out),
                    "sample_top_k");
            assertThat(iae(() -> CudaNative.argmaxRows(0, vocabLogits, 4, 1000, out)))
                    .hasMessageStartingWith("argmaxRows: logits needs 4000 F32 elements (rows 4 * vocab 1000)");

            long words = fake(4 * 100, U32);
            reachesCuda(() -> CudaNative.fillRandomBits(0, words, 100, 7), "fill_random_bits");
            assertThat(iae(() -> CudaNative.fillRandomBits(0, out, 3, 7)))
                    .hasMessageStartingWith("fillRandomBits: address must point into an allocation of type U32");
            long h = halfs(200);
            reachesCuda(() -> CudaNative.fillRandomHalf(0, h, 200, -1f, 1f, 7), "fill_random_half");
            // n half2 pairs are 2n halves
            reachesCuda(() -> CudaNative.fillRandomScaleZero(0, h, 100, 0.01f, 0.02f, 15, 7),
                    "fill_random_scale_zero");
            assertThat(iae(() -> CudaNative.fillRandomScaleZero(0, h, 101, 0.01f, 0.02f, 15, 7)))
                    .hasMessageStartingWith("fillRandomScaleZero: address needs 202 F16 elements (n 101 half2 pairs)");

            long tokens = ints(3);
            long table = halfs(1000 * 64);
            long x = floats(3 * 64);
            reachesCuda(() -> CudaNative.embedRows(0, table, 1000, 64, tokens, 3, x), "embed_rows");
            reachesCuda(() -> CudaNative.positionsFill(0, tokens, out, 3, 1, 5), "positions_fill");
            reachesCuda(() -> CudaNative.countersAdvance(0, step, 1, 1), "counters_advance");
            assertThat(iae(() -> CudaNative.countersAdvance(0, step, 2, 1)))
                    .hasMessageStartingWith("countersAdvance: counters needs 2 I32 elements (n 2)");
        }

        @Test
        void copiesAndMemoryCalls() {
            long f = floats(16);
            long i = ints(16);
            long u = fake(64, U32);
            reachesCuda(() -> CudaNative.copyFloatsToDevice(f, new float[16], 0, 16), "cudaMemcpy(host to device)");
            reachesCuda(() -> CudaNative.copyIntsToDevice(u, new int[16], 0, 16), "cudaMemcpy(host to device)");
            reachesCuda(() -> CudaNative.copyIntsToHost(new int[16], 0, 16, i, 0), "cudaStreamSynchronize");
            assertThat(iae(() -> CudaNative.copyFloatsToDevice(i, new float[16], 0, 16))).hasMessage(
                    "copyFloatsToDevice: dst must point into an allocation of type F32 or BYTES, but 0x"
                            + Long.toHexString(i) + " lies in one of type I32");
            assertThat(iae(() -> CudaNative.copyFloatsToDevice(f + 4, new float[16], 0, 16))).hasMessage(
                    "copyFloatsToDevice: dst needs 64 bytes but its allocation (64 bytes at 0x" + Long.toHexString(f)
                            + ") has only 60 from 0x" + Long.toHexString(f + 4));
            reachesCuda(() -> CudaNative.memset(f, 0xFF, 64, 0), "cudaMemsetAsync");
            reachesCuda(() -> CudaNative.copyDeviceToDevice(i, f, 64, 0), "cudaMemcpyAsync(device to device)");
            ByteBuffer direct = ByteBuffer.allocateDirect(64);
            reachesCuda(() -> CudaNative.copyToDevice(f, direct, 64), "cudaMemcpy(host to device)");
            // fake allocations are not CUDA's: they cannot be freed
            assertThat(iae(() -> CudaNative.free(f))).hasMessageContaining("is not the start of a live device "
                    + "allocation");
            assertThatThrownBy(() -> CudaTestSupport.FakeAllocations.add(f + 8, 8, F32))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("overlaps");
        }
    }
}
