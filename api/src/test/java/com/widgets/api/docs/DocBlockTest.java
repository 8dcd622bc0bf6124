package com.widgets.api.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** How the docs' test reads a Markdown file: which blocks it runs, how, and which it refuses to run unmarked. */
class DocBlockTest {

    @Test
    void refusesABlockItCannotRunUnlessTheLineBeforeSaysWhyNot() {
        List<DocBlock> blocks = DocBlock.of("x.md", """
                ```yaml
                a: 1
                ```

                <!-- not run: a values file -->

                ```yaml
                a: 1
                ```
                ```sh
                ./mvnw verify
                ```
                Text between.
                ```sh
                export TOKEN=wgt_…
                ```
                ```sh
                curl localhost:8080/graphql -H "Authorization: Bearer $TOKEN" -d '{"query":
                  "{ __typename }"}'   # a comment; ./mvnw
                ```
                <!-- not run: -->
                ```text
                output
                ```
                """);

        assertThat(blocks)
                .extracting(
                        DocBlock::line,
                        DocBlock::language,
                        block -> block.whyItCannotRun().isPresent())
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(1, "yaml", true),
                        org.assertj.core.groups.Tuple.tuple(7, "yaml", false),
                        org.assertj.core.groups.Tuple.tuple(10, "sh", true),
                        org.assertj.core.groups.Tuple.tuple(14, "sh", true),
                        org.assertj.core.groups.Tuple.tuple(17, "sh", false),
                        org.assertj.core.groups.Tuple.tuple(22, "text", true));
        assertThat(blocks.get(2).whyItCannotRun())
                .hasValueSatisfying(why -> assertThat(why).contains("./mvnw"));
        assertThat(blocks.get(1).run()).isEqualTo(DocBlock.Run.NOT);
        assertThat(blocks.get(4).text()).contains("{ __typename }");
    }

    @Test
    void readsTheOtherWaysABlockRuns() {
        List<DocBlock> blocks = DocBlock.of("x.md", """
                <!-- shows an error: PORT_BUSY -->
                ```graphql
                mutation { a }
                ```
                <!-- in the background, until it prints: "type":"UNLINKED" -->
                ```sh
                curl -N localhost:8080/graphql
                ```
                """);

        assertThat(blocks)
                .extracting(DocBlock::run, DocBlock::note)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(DocBlock.Run.SHOWING_AN_ERROR, "PORT_BUSY"),
                        org.assertj.core.groups.Tuple.tuple(DocBlock.Run.IN_THE_BACKGROUND, "\"type\":\"UNLINKED\""));
    }

    @Test
    void readsTheCommandsOfAShellBlockAsBashDoes() {
        assertThat(ShellCommands.of("curl -d 'a; b\nhelm' x && echo \"done # not a comment\"; X=1 sleep 1 | curl y\n"))
                .contains(List.of("curl", "echo", "sleep", "curl"));
        assertThat(ShellCommands.of("curl x \\\n  -H y   # helm install\njava -jar z.jar"))
                .contains(List.of("curl", "java"));
        assertThat(ShellCommands.of("curl $(cat token)")).isEqualTo(Optional.empty());
        assertThat(ShellCommands.of("curl 'unclosed")).isEqualTo(Optional.empty());
        assertThat(ShellCommands.of("(cd x; rm -rf y)")).isEqualTo(Optional.empty());
    }
}
