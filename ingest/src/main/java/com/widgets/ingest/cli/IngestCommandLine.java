package com.widgets.ingest.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.Banner;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The command-line job runner ({@code java -jar widgets-ingest.jar}): runs one rewiring file, or exports the current
 * state, against {@code spring.datasource.url} or the embedded database, and exits 0 on success, 1 when the job failed
 * or was stopped, 2 on a usage error.
 */
@SpringBootApplication
public class IngestCommandLine {

    private static final Logger log = LoggerFactory.getLogger(IngestCommandLine.class);

    static final int OK = 0;
    static final int JOB_FAILED = 1;
    static final int USAGE = 2;

    static final String USAGE_TEXT = """
            usage: java -jar widgets-ingest.jar --file=FILE [--mode=apply|dry-run|atomic]
                   java -jar widgets-ingest.jar --export=FILE
            FILE is .csv, .ndjson or .jsonl, optionally .gz; Spring settings (--spring.datasource.url=...) apply.""";

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command and returns the process exit code. */
    public static int run(String... args) {
        CommandLineRequest request;
        try {
            request = CommandLineRequest.parse(args);
        } catch (IllegalArgumentException e) {
            log.error("{}\n{}", e.getMessage(), USAGE_TEXT);
            return USAGE;
        }
        if (request.file() != null && !Files.isReadable(request.file())) {
            log.error("Cannot read {}\n{}", request.file(), USAGE_TEXT);
            return USAGE;
        }
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(IngestCommandLine.class)
                .web(WebApplicationType.NONE)
                .bannerMode(Banner.Mode.OFF)
                .logStartupInfo(false)
                .run(args)) {
            return context.getBean(CommandLineJob.class).run(request);
        }
    }

    /** What the arguments ask for: a file and a mode, or an export target. */
    record CommandLineRequest(Path file, String mode, Path export) {
        static CommandLineRequest parse(String... args) {
            Path file = null, export = null;
            String mode = "apply";
            for (String arg : args) {
                if (arg.startsWith("--file=")) {
                    file = Path.of(arg.substring("--file=".length()));
                } else if (arg.startsWith("--mode=")) {
                    mode = arg.substring("--mode=".length());
                } else if (arg.startsWith("--export=")) {
                    export = Path.of(arg.substring("--export=".length()));
                }
            }
            if ((file == null) == (export == null)) {
                throw new IllegalArgumentException("Give either --file or --export.");
            }
            com.widgets.ingest.rewire.RewiringMode.of(mode); // fails early on a wrong mode
            return new CommandLineRequest(file, mode, export);
        }
    }
}
