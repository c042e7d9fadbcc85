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
        subcommands = {ModelCommand.Info.class, ModelCommand.Tokenize.class})
final class ModelCommand implements Runnable {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code rewoo model info DIR}. */
    @Command(name = "info", mixinStandardHelpOptions = true,
            description = {"Describe a checkpoint folder: architecture, quantisation, files, weight memory.",
                    "Exit codes: 0 ok, 2 the folder is not a readable checkpoint (the error JSON on standard output)."})
    static final class Info extends SpringPropertiesCommand implements Callable<Integer> {

        @Parameters(index = "0", paramLabel = "DIR", description = "The checkpoint folder (config.json, *.safetensors).")
        Path dir;

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
                out.println(Json.write(ModelInfoView.of(dir)));
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
                out.println(Json.mapper().writer().without(tools.jackson.databind.SerializationFeature.INDENT_OUTPUT)
                        .writeValueAsString(Tokenizer.load(dir).encode(text)));
                out.flush();
                return ExitCodes.OK;
            } catch (java.io.IOException | RuntimeException e) {
                out.println(Json.write(ErrorView.of("cannot tokenize with " + dir + ": " + e.getMessage())));
                out.flush();
                return ExitCodes.BAD_INPUT;
            }
        }
    }
}
