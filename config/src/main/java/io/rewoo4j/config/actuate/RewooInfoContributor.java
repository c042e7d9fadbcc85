package io.rewoo4j.config.actuate;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.boot.actuate.info.Info;
import org.springframework.boot.actuate.info.InfoContributor;

import io.rewoo4j.config.model.ModelStatus;
import io.rewoo4j.core.tool.ToolRegistry;
import io.rewoo4j.planner.prompt.PromptFormat;

/**
 * Adds {@code rewoo} to the {@code info} endpoint: {@code model} ({@code available} and its one-line description),
 * {@code promptFormat} and {@code tools} (the names plans may call).
 */
public class RewooInfoContributor implements InfoContributor {

    private final ModelStatus model;
    private final PromptFormat promptFormat;
    private final ToolRegistry tools;

    /** Any argument may be {@code null} when the application has no such bean; it is then left out. */
    public RewooInfoContributor(ModelStatus model, PromptFormat promptFormat, ToolRegistry tools) {
        this.model = model;
        this.promptFormat = promptFormat;
        this.tools = tools;
    }

    @Override
    public void contribute(Info.Builder builder) {
        Map<String, Object> rewoo = new LinkedHashMap<>();
        if (model != null) {
            rewoo.put("model", Map.of("available", model.available(), "description", model.description()));
        }
        if (promptFormat != null) {
            rewoo.put("promptFormat", promptFormat.id());
        }
        if (tools != null) {
            rewoo.put("tools", List.copyOf(tools.names()));
        }
        builder.withDetail("rewoo", rewoo);
    }
}
