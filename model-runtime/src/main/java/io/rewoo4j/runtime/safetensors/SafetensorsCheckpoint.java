package io.rewoo4j.runtime.safetensors;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The tensors of a model folder: a single {@code .safetensors} file, or shards listed by
 * {@code model.safetensors.index.json} ({@code {"weight_map": {tensor: shard file}}}). Every shard is opened and
 * validated up front, and every tensor the index names must be in the shard it names; a tensor found in two files is
 * an error.
 */
public final class SafetensorsCheckpoint implements AutoCloseable {
    public static final String INDEX_FILE = "model.safetensors.index.json";

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Path directory;
    private final List<SafetensorsFile> files;
    private final Map<String, SafetensorsFile> byTensor;

    private SafetensorsCheckpoint(Path directory, List<SafetensorsFile> files, Map<String, SafetensorsFile> byTensor) {
        this.directory = directory;
        this.files = files;
        this.byTensor = byTensor;
    }

    /**
     * Opens a model folder (index if present, else all {@code *.safetensors} files in it) or a single file.
     */
    public static SafetensorsCheckpoint open(Path folderOrFile) {
        if (Files.isRegularFile(folderOrFile)) {
            SafetensorsFile f = SafetensorsFile.open(folderOrFile);
            return assemble(folderOrFile.toAbsolutePath().getParent(), List.of(f), null);
        }
        if (!Files.isDirectory(folderOrFile)) {
            throw new UncheckedIOException(new IOException("no such checkpoint file or folder: " + folderOrFile));
        }
        Path index = folderOrFile.resolve(INDEX_FILE);
        if (Files.isRegularFile(index)) {
            return openIndexed(folderOrFile, index);
        }
        List<Path> shards;
        try (Stream<Path> s = Files.list(folderOrFile)) {
            shards = s.filter(p -> p.getFileName().toString().endsWith(".safetensors")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + folderOrFile, e);
        }
        if (shards.isEmpty()) {
            throw new UncheckedIOException(new IOException("no .safetensors files in " + folderOrFile));
        }
        return assemble(folderOrFile, openAll(shards), null);
    }

    private static SafetensorsCheckpoint openIndexed(Path dir, Path index) {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readString(index));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + index, e);
        } catch (JacksonException e) {
            throw new CorruptCheckpointException(index, null, "index is not valid JSON: " + e.getOriginalMessage(),
                    e);
        }
        JsonNode weightMap = root == null ? null : root.get("weight_map");
        if (weightMap == null || !weightMap.isObject()) {
            throw new CorruptCheckpointException(index, null, "index has no 'weight_map' object");
        }
        Map<String, String> expected = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : weightMap.properties()) {
            if (!e.getValue().isString()) {
                throw new CorruptCheckpointException(index, e.getKey(), "weight_map value is not a file name");
            }
            String shard = e.getValue().stringValue();
            if (shard.contains("/") || shard.contains("\\") || shard.equals("..")) {
                throw new CorruptCheckpointException(index, e.getKey(),
                        "weight_map names '" + shard + "', which is not a file in the same folder");
            }
            expected.put(e.getKey(), shard);
        }
        List<Path> shardPaths = expected.values().stream().distinct().map(dir::resolve).toList();
        for (Path p : shardPaths) {
            if (!Files.isRegularFile(p)) {
                throw new CorruptCheckpointException(index, null, "shard " + p.getFileName() + " is missing");
            }
        }
        return assemble(dir, openAll(shardPaths), expected);
    }

    private static List<SafetensorsFile> openAll(List<Path> paths) {
        List<SafetensorsFile> opened = new ArrayList<>();
        try {
            for (Path p : paths) {
                opened.add(SafetensorsFile.open(p));
            }
            return opened;
        } catch (RuntimeException e) {
            opened.forEach(SafetensorsFile::close);
            throw e;
        }
    }

    private static SafetensorsCheckpoint assemble(Path dir, List<SafetensorsFile> files, Map<String, String> index) {
        try {
            Map<String, SafetensorsFile> byTensor = new LinkedHashMap<>();
            for (SafetensorsFile f : files) {
                for (String name : f.tensors().keySet()) {
                    SafetensorsFile other = byTensor.putIfAbsent(name, f);
                    if (other != null) {
                        throw new CorruptCheckpointException(f.path(), name,
                                "also present in " + other.path().getFileName());
                    }
                }
            }
            if (index != null) {
                Path indexPath = dir.resolve(INDEX_FILE);
                for (Map.Entry<String, String> e : index.entrySet()) {
                    SafetensorsFile actual = byTensor.get(e.getKey());
                    if (actual == null) {
                        throw new CorruptCheckpointException(dir.resolve(e.getValue()), e.getKey(),
                                "listed in " + INDEX_FILE + " but absent from the shard");
                    }
                    if (!actual.path().getFileName().toString().equals(e.getValue())) {
                        throw new CorruptCheckpointException(indexPath, e.getKey(), "index says "
                                + e.getValue() + " but the tensor is in " + actual.path().getFileName());
                    }
                }
                for (String name : byTensor.keySet()) {
                    if (!index.containsKey(name)) {
                        throw new CorruptCheckpointException(byTensor.get(name).path(), name,
                                "present in the shard but not listed in " + INDEX_FILE);
                    }
                }
            }
            return new SafetensorsCheckpoint(dir, List.copyOf(files), Collections.unmodifiableMap(byTensor));
        } catch (RuntimeException e) {
            files.forEach(SafetensorsFile::close);
            throw e;
        }
    }

    public Path directory() {
        return directory;
    }

    public List<SafetensorsFile> files() {
        return files;
    }

    public Set<String> tensorNames() {
        return byTensor.keySet();
    }

    public boolean contains(String name) {
        return byTensor.containsKey(name);
    }

    public Optional<TensorView> find(String name) {
        SafetensorsFile f = byTensor.get(name);
        return f == null ? Optional.empty() : f.find(name);
    }

    /** The named tensor; a {@link CorruptCheckpointException} naming the folder if no file has it. */
    public TensorView tensor(String name) {
        return find(name).orElseThrow(() -> new CorruptCheckpointException(directory, name,
                "no such tensor in the checkpoint (" + files.size() + " file(s))"));
    }

    @Override
    public void close() {
        files.forEach(SafetensorsFile::close);
    }
}
