package io.rewoo4j.config.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import io.rewoo4j.config.json.ErrorView;
import io.rewoo4j.config.json.Json;
import io.rewoo4j.config.json.ModelInfoView;
import io.rewoo4j.runtime.tokenizer.Tokenizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code rewoo model ...}: the local model runtime. */
@Command(name = "model", mixinStandardHelpOptions = true, description = "Inspect local GPTQ checkpoints and their tokenizers.",
        subcommands = {ModelCommand.Info.class, ModelCommand.Tokenize.class, ModelCommand.Generate.class,
                ModelCommand.Logits.class, ModelPullCommand.class})
final class ModelCommand implements Runnable {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code rewoo model info DIR}. */
    @Command(name = "info", mixinStandardHelpOptions = true,
            description = {"Describe a checkpoint folder: architecture, quantisation, files, weight memory, and where it",
                    "would run: the CUDA device with its free memory, or the CPU, and the memory the model needs there.",
                    "Exit codes: 0 ok, 2 the folder is not a readable checkpoint (the error JSON on standard output)."})
    static final class Info extends SpringPropertiesCommand implements Callable<Integer> {

        @Parameters(index = "0", paramLabel = "DIR", description = "The checkpoint folder (config.json, *.safetensors).")
        Path dir;

        @picocli.CommandLine.Option(names = "--backend", defaultValue = "auto",
                description = "Where to place it: auto, cpu or cuda. Default: ${DEFAULT-VALUE}.")
        Backend backend;

        @picocli.CommandLine.Option(names = "--context", defaultValue = "4096", paramLabel = "N",
                description = "Positions one session holds, for the memory estimate. Default: ${DEFAULT-VALUE}.")
        int context;

        @Override
        public Integer call() {
            springArguments();
            var out = spec.commandLine().getOut();
            if (!Files.isDirectory(dir)) {
                out.println(Json.write(ErrorView.of("not a folder: " + dir)));
                out.flush();
                return ExitCodes.BAD_INPUT;
            }
            try {
                out.println(Json.write(ModelInfoView.of(dir,
                        io.rewoo4j.runtime.model.Backend.fromName(backend.name()), context)));
                out.flush();
                return ExitCodes.OK;
            } catch (RuntimeException e) {
                out.println(Json.write(ErrorView.of(e.getMessage())));
                out.flush();
                return ExitCodes.BAD_INPUT;
            }
        }
    }

    /** {@code rewoo model tokenize DIR TEXT}: the token ids, BOS included as the tokenizer config says. */
    @Command(name = "tokenize", mixinStandardHelpOptions = true,
            description = {"Print the token ids of a text as a JSON array (BOS added as tokenizer_config.json says).",
                    "Exit codes: 0 ok, 2 no readable tokenizer in the folder (the error JSON on standard output)."})
    static final class Tokenize extends SpringPropertiesCommand implements Callable<Integer> {

        @Parameters(index = "0", paramLabel = "DIR", description = "The model folder (tokenizer.model or tokenizer.json).")
        Path dir;

        @Parameters(index = "1", paramLabel = "TEXT", description = "The text to tokenize.")
        String text;

        @Override
        public Integer call() {
            springArguments();
            var out = spec.commandLine().getOut();
            try {
                out.println(Json.writeCompact(Tokenizer.load(dir).encode(text)));
                out.flush();
                return ExitCodes.OK;
            } catch (java.io.IOException | RuntimeException e) {
                out.println(Json.write(ErrorView.of("cannot tokenize with " + dir + ": " + e.getMessage())));
                out.flush();
                return ExitCodes.BAD_INPUT;
            }
        }
    }

    /** Where a model runs. */
    enum Backend { AUTO, CPU, CUDA }

    /**
     * Loads the model on {@code backend}. When the CUDA backend cannot be used (no library in this build, no driver,
     * no device, or too little device memory) the model runs on the CPU and one line on standard error says why.
     */
    static io.rewoo4j.runtime.model.LoadedModel load(Path dir, Backend backend, java.io.PrintWriter err) {
        io.rewoo4j.runtime.model.Backend wanted = io.rewoo4j.runtime.model.Backend.fromName(backend.name());
        if (wanted == io.rewoo4j.runtime.model.Backend.CUDA) {
            var cuda = io.rewoo4j.runtime.cuda.CudaLibrary.availability();
            if (!cuda.available()) {
                err.println("rewoo: the CUDA backend is not available (" + cuda.reason() + "); running on the CPU");
                err.flush();
                wanted = io.rewoo4j.runtime.model.Backend.CPU;
            }
        }
        var model = io.rewoo4j.runtime.model.LoadedModel.load(dir, wanted);
        model.backendNote().ifPresent(note -> {
            err.println("rewoo: running on the CPU: " + note);
            err.flush();
        });
        return model;
    }

    /** Comma-separated token ids. */
    static int[] tokens(String ids) {
        try {
            return java.util.Arrays.stream(ids.split(",")).map(String::strip).filter(t -> !t.isEmpty())
                    .mapToInt(Integer::parseInt).toArray();
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("token ids are comma-separated integers: " + ids);
        }
    }

    /** {@code rewoo model generate DIR --prompt P}: streams a completion to standard output. */
    @Command(name = "generate", mixinStandardHelpOptions = true,
            description = {"Generate text with a local checkpoint, streaming it to standard output.",
                    "The prompt is used as given (wrap it in the model's prompt format yourself, or use --prompt-format).",
                    "Exit codes: 0 ok, 2 bad input, 1 failure."})
    static final class Generate extends SpringPropertiesCommand implements Callable<Integer> {

        @Parameters(index = "0", paramLabel = "DIR", description = "The checkpoint folder.")
        Path dir;

        @picocli.CommandLine.Option(names = "--prompt", paramLabel = "P", description = "The prompt text.")
        String prompt;

        @picocli.CommandLine.Option(names = "--prompt-tokens", paramLabel = "IDS",
                description = "The prompt as comma-separated token ids instead of text.")
        String promptTokens;

        @picocli.CommandLine.Option(names = "--prompt-format", paramLabel = "NAME",
                description = "Wrap the prompt in this format: alpaca, vicuna, llama-2, chatml, mistral.")
        String promptFormat;

        @picocli.CommandLine.Option(names = "--tokenizer", paramLabel = "DIR",
                description = "The folder of tokenizer.model or tokenizer.json (default: the checkpoint folder).")
        Path tokenizerDir;

        @picocli.CommandLine.Option(names = "--max-tokens", defaultValue = "256", description = "Default: ${DEFAULT-VALUE}.")
        int maxTokens;

        @picocli.CommandLine.Option(names = "--temperature", defaultValue = "0", description = "0 is greedy. Default: ${DEFAULT-VALUE}.")
        float temperature;

        @picocli.CommandLine.Option(names = "--top-k", defaultValue = "0", description = "0 for no limit.")
        int topK;

        @picocli.CommandLine.Option(names = "--top-p", defaultValue = "1", description = "1 for no limit.")
        float topP;

        @picocli.CommandLine.Option(names = "--repetition-penalty", defaultValue = "1", description = "1 for none.")
        float repetitionPenalty;

        @picocli.CommandLine.Option(names = "--seed", description = "The sampler's seed.")
        Long seed;

        @picocli.CommandLine.Option(names = "--stop", paramLabel = "S", description = "A stop string (repeatable).")
        java.util.List<String> stops = new java.util.ArrayList<>();

        @picocli.CommandLine.Option(names = "--backend", defaultValue = "auto", description = "auto, cpu or cuda.")
        Backend backend;

        @Override
        public Integer call() throws Exception {
            springArguments();
            var out = spec.commandLine().getOut();
            var err = spec.commandLine().getErr();
            if ((prompt == null) == (promptTokens == null)) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                        "give the prompt as --prompt TEXT or --prompt-tokens IDS");
            }
            Tokenizer tokenizer = Tokenizer.load(tokenizerDir == null ? dir : tokenizerDir);
            try (io.rewoo4j.runtime.model.LoadedModel model = load(dir, backend, err)) {
                var settings = temperature == 0 ? io.rewoo4j.runtime.generate.SamplingSettings.greedy()
                        .withRepetitionPenalty(repetitionPenalty)
                        : new io.rewoo4j.runtime.generate.SamplingSettings(temperature, topK, topP, repetitionPenalty,
                        seed == null ? System.nanoTime() : seed);
                var generator = new io.rewoo4j.runtime.generate.TextGenerator(model.newSession(), tokenizer);
                java.util.function.Consumer<String> print = text -> {
                    out.print(text);
                    out.flush();
                };
                if (promptTokens != null) {
                    generator.generate(tokens(promptTokens), maxTokens, settings, stops, print);
                } else {
                    String text = promptFormat == null ? prompt : io.rewoo4j.planner.prompt.PromptFormat.fromName(promptFormat)
                            .orElseThrow(() -> new IllegalArgumentException("unknown prompt format " + promptFormat))
                            .wrap(null, prompt);
                    generator.generate(text, maxTokens, settings, stops, print);
                }
                out.println();
                out.flush();
                return ExitCodes.OK;
            }
        }
    }

    /** {@code rewoo model logits DIR --tokens 1,2,3}: the logits at every position, as JSON. */
    @Command(name = "logits", mixinStandardHelpOptions = true,
            description = {"Print {\"logits\": [[...vocab floats...] per position]} for a token sequence.",
                    "Exit codes: 0 ok, 2 bad input, 1 failure."})
    static final class Logits extends SpringPropertiesCommand implements Callable<Integer> {

        @Parameters(index = "0", paramLabel = "DIR", description = "The checkpoint folder.")
        Path dir;

        @picocli.CommandLine.Option(names = "--tokens", required = true, paramLabel = "IDS",
                description = "Comma-separated token ids, e.g. 1,2,3.")
        String ids;

        @picocli.CommandLine.Option(names = "--backend", defaultValue = "auto", description = "auto, cpu or cuda.")
        Backend backend;

        /** The JSON document. */
        record LogitsView(float[][] logits) {
        }

        @Override
        public Integer call() {
            springArguments();
            int[] tokens;
            try {
                tokens = tokens(ids);
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
            try (io.rewoo4j.runtime.model.LoadedModel model = load(dir, backend, spec.commandLine().getErr())) {
                float[][] logits = model.newSession(Math.max(1, tokens.length)).logitsPerPosition(tokens);
                var out = spec.commandLine().getOut();
                out.println(Json.writeCompact(new LogitsView(logits)));
                out.flush();
                return ExitCodes.OK;
            }
        }
    }
}
