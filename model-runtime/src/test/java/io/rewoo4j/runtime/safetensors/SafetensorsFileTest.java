package io.rewoo4j.runtime.safetensors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsFileTest {

    @TempDir
    Path dir;

    /** Writes u64 header length + header + data. */
    private Path write(String name, String header, byte[] data) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer buf = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        buf.putLong(h.length).put(h).put(data);
        Path p = dir.resolve(name);
        Files.write(p, buf.array());
        return p;
    }

    private static byte[] le(int bytes, java.util.function.Consumer<ByteBuffer> fill) {
        ByteBuffer b = ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
        fill.accept(b);
        return b.array();
    }

    private Path validFile() throws IOException {
        // F32 [2], F16 [3], BF16 [1], I32 [2,2] laid out back to back (8 + 6 + 2 + 16 = 32 bytes)
        String header = "{\"__metadata__\":{\"format\":\"pt\"},"
                + "\"f32\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"f16\":{\"dtype\":\"F16\",\"shape\":[3],\"data_offsets\":[8,14]},"
                + "\"bf16\":{\"dtype\":\"BF16\",\"shape\":[1],\"data_offsets\":[14,16]},"
                + "\"i32\":{\"dtype\":\"I32\",\"shape\":[2,2],\"data_offsets\":[16,32]}}";
        byte[] data = le(32, b -> {
            b.putFloat(1.5f).putFloat(-2.25f);
            b.putShort((short) 0x3C00).putShort((short) 0xC000).putShort((short) 0x0001); // 1, -2, 2^-24
            b.putShort((short) 0x3FC0); // bf16 1.5
            b.putInt(7).putInt(-1).putInt(Integer.MAX_VALUE).putInt(0x80000000);
        });
        return write("ok.safetensors", header, data);
    }

    @Test
    void readsTypedValuesFromAValidFile() throws IOException {
        try (SafetensorsFile f = SafetensorsFile.open(validFile())) {
            assertThat(f.tensors()).containsOnlyKeys("f32", "f16", "bf16", "i32");
            assertThat(f.metadata()).containsEntry("format", "pt");
            assertThat(f.tensor("f32").toFloatArray()).containsExactly(1.5f, -2.25f);
            assertThat(f.tensor("f16").toFloatArray()).containsExactly(1f, -2f, 0x1p-24f);
            assertThat(f.tensor("bf16").getFloat(0)).isEqualTo(1.5f);
            TensorView i32 = f.tensor("i32");
            assertThat(i32.shape()).containsExactly(2, 2);
            assertThat(i32.toIntArray()).containsExactly(7, -1, Integer.MAX_VALUE, Integer.MIN_VALUE);
            assertThat(i32.asIntBuffer().get(3)).isEqualTo(Integer.MIN_VALUE);
            assertThatThrownBy(() -> i32.getFloat(0)).hasMessageContaining("i32").hasMessageContaining("I32");
        }
    }

    @Test
    void smallWindowsStillGiveEveryTensorWhole() throws IOException {
        // windows of 16 bytes starting every 8: tensors up to 8 bytes share windows, larger ones get their own map
        try (SafetensorsFile f = SafetensorsFile.open(validFile(), 16)) {
            assertThat(f.tensor("i32").toIntArray()).containsExactly(7, -1, Integer.MAX_VALUE, Integer.MIN_VALUE);
            assertThat(f.tensor("f16").toFloatArray()).containsExactly(1f, -2f, 0x1p-24f);
            assertThat(f.tensor("f32").toFloatArray()).containsExactly(1.5f, -2.25f);
            assertThat(f.tensor("bf16").getFloat(0)).isEqualTo(1.5f);
            assertThat(f.mappingCount()).isGreaterThan(1);
        }
    }

    @Test
    void float16ConversionCoversSpecialValues() {
        assertThat(Float16.toFloat((short) 0x7C00)).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(Float16.toFloat((short) 0xFC00)).isEqualTo(Float.NEGATIVE_INFINITY);
        assertThat(Float16.toFloat((short) 0x7E00)).isNaN();
        assertThat(Float16.toFloat((short) 0x7BFF)).isEqualTo(65504f);
        assertThat(Float16.toFloat((short) 0x3555)).isEqualTo(0.333251953125f);
        assertThat(Float16.toFloat((short) 0x8000)).isEqualTo(-0f);
        assertThat(Float16.bf16ToFloat((short) 0xC040)).isEqualTo(-3f);
    }

    @Test
    void truncatedFixtureNamesFileAndTensor() throws Exception {
        Path p = Paths.get(getClass().getResource("/gptq/truncated.safetensors").toURI());
        assertThatThrownBy(() -> SafetensorsFile.open(p))
                .isInstanceOf(CorruptCheckpointException.class)
                .hasMessageContaining("truncated.safetensors")
                .hasMessageContaining("tensor 'b'")
                .hasMessageContaining("past the end of the file");
    }

    private void assertCorrupt(Path p, String tensor, String... fragments) {
        var thrown = assertThatThrownBy(() -> SafetensorsFile.open(p))
                .isInstanceOf(CorruptCheckpointException.class)
                .hasMessageContaining(p.getFileName().toString());
        if (tensor != null) {
            thrown.hasMessageContaining("tensor '" + tensor + "'");
        }
        for (String f : fragments) {
            thrown.hasMessageContaining(f);
        }
    }

    @Test
    void tooShortForHeaderLength() throws IOException {
        Path p = dir.resolve("short.safetensors");
        Files.write(p, new byte[] {1, 2, 3});
        assertCorrupt(p, null, "too short");
    }

    @Test
    void headerLengthBeyondFile() throws IOException {
        Path p = dir.resolve("len.safetensors");
        Files.write(p, le(16, b -> b.putLong(1000).putLong(0)));
        assertCorrupt(p, null, "header length 1000", "exceeds the file size 16");
    }

    @Test
    void absurdHeaderLength() throws IOException {
        Path p = dir.resolve("huge.safetensors");
        Files.write(p, le(16, b -> b.putLong(-5).putLong(0)));
        assertCorrupt(p, null, "out of range");
    }

    @Test
    void headerNotJson() throws IOException {
        assertCorrupt(write("json.safetensors", "{\"a\": [1,", new byte[0]), null, "not valid JSON");
        assertCorrupt(write("array.safetensors", "[1, 2]", new byte[0]), null, "not a JSON object");
    }

    @Test
    void duplicateTensorNamesAreRejected() throws IOException {
        String h = "{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]},"
                + "\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[1,2]}}";
        assertCorrupt(write("dup.safetensors", h, new byte[2]), null, "not valid JSON", "Duplicate");
    }

    @Test
    void overlappingOffsets() throws IOException {
        String h = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}";
        assertCorrupt(write("overlap.safetensors", h, new byte[12]), "b", "overlap tensor 'a'");
    }

    @Test
    void gapBetweenTensors() throws IOException {
        String h = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}";
        assertCorrupt(write("gap.safetensors", h, new byte[12]), "b", "gap of 4 bytes after tensor 'a'");
    }

    @Test
    void gapBeforeFirstTensor() throws IOException {
        String h = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}";
        assertCorrupt(write("lead.safetensors", h, new byte[8]), "a", "gap of 4 bytes", "start of the data");
    }

    @Test
    void trailingBytesAfterLastTensor() throws IOException {
        String h = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}";
        assertCorrupt(write("trail.safetensors", h, new byte[9]), "a", "5 trailing bytes");
    }

    @Test
    void offsetsPastEndOfFile() throws IOException {
        String h = "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}";
        assertCorrupt(write("eof.safetensors", h, new byte[10]), "a", "past the end of the file", "10 bytes");
    }

    @Test
    void sizeDoesNotMatchDtypeTimesShape() throws IOException {
        String h = "{\"w\":{\"dtype\":\"F16\",\"shape\":[2,3],\"data_offsets\":[0,16]}}";
        assertCorrupt(write("size.safetensors", h, new byte[16]), "w", "hold 16 bytes", "F16", "[2,3]", "needs 12");
    }

    @Test
    void unknownDtype() throws IOException {
        String h = "{\"w\":{\"dtype\":\"Q4_K\",\"shape\":[2],\"data_offsets\":[0,2]}}";
        assertCorrupt(write("dtype.safetensors", h, new byte[2]), "w", "unknown dtype 'Q4_K'");
    }

    @Test
    void malformedEntries() throws IOException {
        assertCorrupt(write("noshape.safetensors", "{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}",
                new byte[4]), "w", "'shape'");
        assertCorrupt(write("negshape.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":[-1],"
                + "\"data_offsets\":[0,4]}}", new byte[4]), "w", "non-negative");
        assertCorrupt(write("nooff.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],"
                + "\"data_offsets\":[0]}}", new byte[4]), "w", "data_offsets");
        assertCorrupt(write("rev.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":[0],"
                + "\"data_offsets\":[4,0]}}", new byte[4]), "w", "not an ordered");
    }

    @Test
    void missingTensorIsNamed() throws IOException {
        try (SafetensorsFile f = SafetensorsFile.open(validFile())) {
            assertThatThrownBy(() -> f.tensor("nope")).isInstanceOf(CorruptCheckpointException.class)
                    .hasMessageContaining("ok.safetensors").hasMessageContaining("'nope'");
        }
    }
}
