package io.rewoo4j.runtime.safetensors;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * One {@code .safetensors} file, memory-mapped.
 *
 * <p>Layout: an unsigned 64-bit little-endian header length {@code N}, {@code N} bytes of UTF-8 JSON mapping each
 * tensor name to {@code {"dtype", "shape", "data_offsets": [begin, end]}} (plus an optional string map
 * {@code "__metadata__"}), then the data section. The whole header is validated when the file is opened: offsets
 * must tile the data section exactly (sorted by begin: the first at 0, each starting where the previous ended, the
 * last ending at the end of the file), and every {@code end - begin} must equal element count × dtype size.
 *
 * <p>Mapping: Java's {@link MappedByteBuffer} addresses at most 2 GiB, and checkpoint shards are larger. The file is
 * mapped lazily in windows of {@value #DEFAULT_WINDOW} bytes that start every half window, so any tensor of at most
 * half a window lies wholly inside one window; a larger tensor gets a mapping of its own. Views share the
 * mappings; nothing is copied.
 */
public final class SafetensorsFile implements AutoCloseable {
    /** 1 GiB windows, starting every 512 MiB. */
    static final long DEFAULT_WINDOW = 1L << 30;
    /** The safetensors reference implementation refuses headers above 100 MB. */
    static final long MAX_HEADER_BYTES = 100_000_000L;

    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private final Path path;
    private final FileChannel channel;
    private final long fileSize;
    private final long dataStart;
    private final long window;
    private final Map<String, TensorInfo> tensors;
    private final Map<String, String> metadata;
    private final Map<Long, MappedByteBuffer> windows = new ConcurrentHashMap<>();
    private final Map<String, MappedByteBuffer> ownMappings = new ConcurrentHashMap<>();

    private SafetensorsFile(Path path, FileChannel channel, long fileSize, long dataStart, long window,
            Map<String, TensorInfo> tensors, Map<String, String> metadata) {
        this.path = path;
        this.channel = channel;
        this.fileSize = fileSize;
        this.dataStart = dataStart;
        this.window = window;
        this.tensors = tensors;
        this.metadata = metadata;
    }

    /** Opens and validates {@code path}; throws {@link CorruptCheckpointException} if it breaks the format. */
    public static SafetensorsFile open(Path path) {
        return open(path, DEFAULT_WINDOW);
    }

    static SafetensorsFile open(Path path, long window) {
        if (window < 2 || window > DEFAULT_WINDOW || (window & 1) != 0) {
            throw new IllegalArgumentException("window must be even and at most 1 GiB: " + window);
        }
        FileChannel channel;
        try {
            channel = FileChannel.open(path, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open " + path, e);
        }
        try {
            long size = channel.size();
            if (size < 8) {
                throw new CorruptCheckpointException(path, null,
                        "file is " + size + " bytes, too short for the 8-byte header length");
            }
            ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(channel, lengthBytes, 0);
            long headerLength = lengthBytes.getLong(0);
            if (headerLength < 0 || headerLength > MAX_HEADER_BYTES) {
                throw new CorruptCheckpointException(path, null, "header length "
                        + Long.toUnsignedString(headerLength) + " (u64 little-endian) is out of range (at most "
                        + MAX_HEADER_BYTES + " bytes)");
            }
            if (8 + headerLength > size) {
                throw new CorruptCheckpointException(path, null, "header length " + headerLength
                        + " exceeds the file size " + size + " (file truncated or not safetensors?)");
            }
            ByteBuffer headerBytes = ByteBuffer.allocate((int) headerLength);
            readFully(channel, headerBytes, 8);
            String header = new String(headerBytes.array(), StandardCharsets.UTF_8);
            long dataLength = size - 8 - headerLength;
            Map<String, String> metadata = new LinkedHashMap<>();
            Map<String, TensorInfo> tensors = parseHeader(path, header, dataLength, metadata);
            return new SafetensorsFile(path, channel, size, 8 + headerLength, window,
                    Collections.unmodifiableMap(tensors), Collections.unmodifiableMap(metadata));
        } catch (IOException e) {
            closeQuietly(channel);
            throw new UncheckedIOException("cannot read " + path, e);
        } catch (RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    private static Map<String, TensorInfo> parseHeader(Path path, String header, long dataLength,
            Map<String, String> metadataOut) {
        JsonNode root;
        try {
            root = JSON.readTree(header);
        } catch (JacksonException e) {
            throw new CorruptCheckpointException(path, null, "header is not valid JSON: " + e.getOriginalMessage(),
                    e);
        }
        if (root == null || !root.isObject()) {
            throw new CorruptCheckpointException(path, null, "header is not a JSON object");
        }
        Map<String, TensorInfo> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : root.properties()) {
            String name = e.getKey();
            JsonNode node = e.getValue();
            if (name.equals("__metadata__")) {
                readMetadata(path, node, metadataOut);
                continue;
            }
            tensors.put(name, parseEntry(path, name, node));
        }
        checkLayout(path, tensors, dataLength);
        return tensors;
    }

    private static void readMetadata(Path path, JsonNode node, Map<String, String> out) {
        if (!node.isObject()) {
            throw new CorruptCheckpointException(path, null, "__metadata__ is not a JSON object");
        }
        for (Map.Entry<String, JsonNode> m : node.properties()) {
            if (!m.getValue().isString()) {
                throw new CorruptCheckpointException(path, null,
                        "__metadata__ value of '" + m.getKey() + "' is not a string");
            }
            out.put(m.getKey(), m.getValue().stringValue());
        }
    }

    private static TensorInfo parseEntry(Path path, String name, JsonNode node) {
        if (!node.isObject()) {
            throw new CorruptCheckpointException(path, name, "header entry is not a JSON object");
        }
        JsonNode dtypeNode = node.get("dtype");
        if (dtypeNode == null || !dtypeNode.isString()) {
            throw new CorruptCheckpointException(path, name, "header entry has no string 'dtype'");
        }
        DType dtype = DType.fromHeaderName(dtypeNode.stringValue()).orElseThrow(() ->
                new CorruptCheckpointException(path, name, "unknown dtype '" + dtypeNode.stringValue() + "'"));
        JsonNode shapeNode = node.get("shape");
        if (shapeNode == null || !shapeNode.isArray()) {
            throw new CorruptCheckpointException(path, name, "header entry has no array 'shape'");
        }
        long[] shape = new long[shapeNode.size()];
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = shapeNode.get(i);
            if (!d.isIntegralNumber() || !d.canConvertToLong() || d.longValue() < 0) {
                throw new CorruptCheckpointException(path, name, "shape " + shapeNode
                        + " has a dimension that is not a non-negative integer");
            }
            shape[i] = d.longValue();
        }
        JsonNode offsets = node.get("data_offsets");
        if (offsets == null || !offsets.isArray() || offsets.size() != 2
                || !offsets.get(0).isIntegralNumber() || !offsets.get(1).isIntegralNumber()
                || !offsets.get(0).canConvertToLong() || !offsets.get(1).canConvertToLong()) {
            throw new CorruptCheckpointException(path, name, "header entry has no 'data_offsets' [begin, end]");
        }
        long begin = offsets.get(0).longValue();
        long end = offsets.get(1).longValue();
        if (begin < 0 || end < begin) {
            throw new CorruptCheckpointException(path, name,
                    "data_offsets [" + begin + ", " + end + "] are not an ordered non-negative range");
        }
        long expected;
        try {
            expected = Math.multiplyExact(TensorInfo.elementCount(shape), dtype.byteSize());
        } catch (ArithmeticException overflow) {
            throw new CorruptCheckpointException(path, name, "shape " + shapeNode + " overflows 64 bits");
        }
        if (end - begin != expected) {
            throw new CorruptCheckpointException(path, name, "data_offsets [" + begin + ", " + end + "] hold "
                    + (end - begin) + " bytes but dtype " + dtype + " x shape " + shapeNode + " needs " + expected);
        }
        return new TensorInfo(name, dtype, shape, begin, end);
    }

    private static void checkLayout(Path path, Map<String, TensorInfo> tensors, long dataLength) {
        List<TensorInfo> sorted = new ArrayList<>(tensors.values());
        sorted.sort(Comparator.comparingLong(TensorInfo::dataBegin).thenComparingLong(TensorInfo::dataEnd));
        long cursor = 0;
        TensorInfo previous = null;
        for (TensorInfo t : sorted) {
            if (t.dataEnd() > dataLength) {
                throw new CorruptCheckpointException(path, t.name(), "data_offsets [" + t.dataBegin() + ", "
                        + t.dataEnd() + "] extend past the end of the file: the data section holds only "
                        + dataLength + " bytes (file truncated?)");
            }
            if (t.dataBegin() < cursor) {
                throw new CorruptCheckpointException(path, t.name(), "data_offsets [" + t.dataBegin() + ", "
                        + t.dataEnd() + "] overlap tensor '" + previous.name() + "' [" + previous.dataBegin()
                        + ", " + previous.dataEnd() + "]");
            }
            if (t.dataBegin() > cursor) {
                throw new CorruptCheckpointException(path, t.name(), "data_offsets [" + t.dataBegin() + ", "
                        + t.dataEnd() + "] leave a gap of " + (t.dataBegin() - cursor) + " bytes after "
                        + (previous == null ? "the start of the data section" : "tensor '" + previous.name() + "'"));
            }
            cursor = t.dataEnd();
            previous = t;
        }
        if (cursor != dataLength) {
            throw new CorruptCheckpointException(path, previous == null ? null : previous.name(), "data section has "
                    + (dataLength - cursor) + " trailing bytes after the last tensor's data_offsets end " + cursor);
        }
    }

    public Path path() {
        return path;
    }

    public long fileSize() {
        return fileSize;
    }

    /** Header entries in header order. */
    public Map<String, TensorInfo> tensors() {
        return tensors;
    }

    /** The header's {@code __metadata__} map (empty if absent). */
    public Map<String, String> metadata() {
        return metadata;
    }

    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    public Optional<TensorView> find(String name) {
        TensorInfo info = tensors.get(name);
        return info == null ? Optional.empty() : Optional.of(view(info));
    }

    /** The named tensor; throws {@link CorruptCheckpointException} if the file has no such tensor. */
    public TensorView tensor(String name) {
        return find(name).orElseThrow(() -> new CorruptCheckpointException(path, name, "no such tensor in file"));
    }

    private TensorView view(TensorInfo info) {
        long size = info.byteSize();
        if (size > Integer.MAX_VALUE) {
            throw new CorruptCheckpointException(path, info.name(),
                    size + " bytes exceed the 2 GiB a single view can address");
        }
        long absBegin = dataStart + info.dataBegin();
        long stride = window / 2;
        ByteBuffer base;
        int offset;
        if (size <= stride) {
            long windowStart = (absBegin / stride) * stride;
            base = windows.computeIfAbsent(windowStart, s -> map(s, Math.min(window, fileSize - s)));
            offset = (int) (absBegin - windowStart);
        } else {
            base = ownMappings.computeIfAbsent(info.name(), n -> map(absBegin, size));
            offset = 0;
        }
        ByteBuffer slice = base.duplicate();
        slice.position(offset).limit(offset + (int) size);
        return new TensorView(path, info, slice.slice().asReadOnlyBuffer());
    }

    private MappedByteBuffer map(long position, long length) {
        try {
            return channel.map(FileChannel.MapMode.READ_ONLY, position, length);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot map " + path + " at " + position + " (+" + length + ")", e);
        }
    }

    /** Number of mappings made so far (for tests of the windowing). */
    int mappingCount() {
        return windows.size() + ownMappings.size();
    }

    /**
     * Closes the file channel. Views already handed out stay readable (the mappings live until collected).
     */
    @Override
    public void close() {
        closeQuietly(channel);
    }

    private static void readFully(FileChannel ch, ByteBuffer dst, long position) throws IOException {
        long pos = position;
        while (dst.hasRemaining()) {
            int n = ch.read(dst, pos);
            if (n < 0) {
                throw new IOException("unexpected end of file");
            }
            pos += n;
        }
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // nothing more to release
        }
    }

    @Override
    public String toString() {
        return "SafetensorsFile[" + path + ", " + tensors.size() + " tensors]";
    }
}
