#!/usr/bin/env python3
"""Writes docs/configuration.md from the configuration metadata the build generates.

Run after `./mvnw -q -B -o compile -pl config` from the repository root:
    python3 config/scripts/configuration_reference.py
ConfigurationReferenceTest fails when the reference and the metadata disagree.
"""
import json
import re

METADATA = "config/target/classes/META-INF/spring-configuration-metadata.json"
OUT = "docs/configuration.md"
TITLES = {"rewoo.model": "The model", "rewoo.tools": "The tools", "rewoo.agent": "The agent and its executor",
          "rewoo.server": "The REST API"}

HEAD = """# Configuration

Every setting is a Spring property under `rewoo.*`: in `application.properties`, as an environment variable
(`REWOO_MODEL_PROVIDER=openai`), or after a command as `--rewoo.name=value`. Spring Boot's configuration metadata
is generated at build time (`config/target/classes/META-INF/spring-configuration-metadata.json`), so IDEs complete
and document them; this page is written from it by `config/scripts/configuration_reference.py`, and a test keeps
the two in step. Durations take units (`30s`, `2m`), sizes too (`5MB`).
"""

TAIL = """
Per-tool policies take the same fields as `rewoo.agent.tool-policy.*`, under the tool's name:
`rewoo.agent.tools.DuckDuckGo.timeout=20s`, `rewoo.agent.tools.TextScraper.max-concurrency=2`.

## Examples

An OpenAI-compatible server (vLLM, llama.cpp server, Ollama, LM Studio) running Mixtral Instruct:

```properties
rewoo.model.provider=openai
rewoo.model.base-url=http://localhost:8000
rewoo.model.name=TheBloke/Mixtral-8x7B-Instruct-v0.1-GPTQ
# detected from the name; set it when the name does not say
rewoo.model.prompt-format=mistral
```

Text Generation Inference serving Bagel, with an API key required by this server's own API:

```properties
rewoo.model.provider=tgi
rewoo.model.base-url=http://localhost:3000
rewoo.model.prompt-format=llama-2
rewoo.server.api-keys=change-me
```

A GPTQ checkpoint run by the embedded runtime (CPU):

```properties
rewoo.model.provider=embedded
rewoo.model.path=/models/bagel-8x7b-v0.2-GPTQ
rewoo.model.context-length=4096
```
"""


def main():
    metadata = json.load(open(METADATA))
    groups = {}
    for p in metadata["properties"]:
        if p["name"].startswith("rewoo."):
            groups.setdefault(".".join(p["name"].split(".")[:2]), []).append(p)
    out = [HEAD]
    for group, title in TITLES.items():
        if group not in groups:
            continue
        out += ["## %s (`%s.*`)" % (title, group), "", "| property | default | what it does |", "|---|---|---|"]
        for p in sorted(groups[group], key=lambda p: p["name"]):
            name = "rewoo.agent.tools.NAME.*" if p["name"] == "rewoo.agent.tools" else p["name"]
            default = p.get("defaultValue", "")
            if isinstance(default, list):
                default = ",".join(map(str, default))
            text = re.sub(r"\{@code ([^}]*)\}", r"`\1`", p.get("description", "")).replace("\n", " ").replace("|", "\\|")
            out.append("| `%s` | %s | %s |" % (name, "`%s`" % default if default != "" else "", text))
        out.append("")
    open(OUT, "w").write("\n".join(out) + TAIL)


if __name__ == "__main__":
    main()
