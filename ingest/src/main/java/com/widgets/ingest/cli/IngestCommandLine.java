package com.widgets.ingest.cli;

import java.io.Console;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import liquibase.integration.spring.SpringLiquibase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.Banner;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The command-line job runner ({@code java -jar widgets-ingest.jar}): runs one rewiring file, exports the current
 * state, or only migrates the database, against {@code spring.datasource.url} or the embedded database, and exits 0 on
 * success, 1 when the job failed or was stopped, 2 on a usage error.
 */
@SpringBootApplication
public class IngestCommandLine {

    private static final Logger log = LoggerFactory.getLogger(IngestCommandLine.class);

    static final int OK = 0;
    static final int JOB_FAILED = 1;
    static final int USAGE = 2;

    static final String USAGE_TEXT = """
            usage: java -jar widgets-ingest.jar --file=FILE [--mode=apply|dry-run|atomic] [--rejects=REPORT]
                   java -jar widgets-ingest.jar --export=FILE
                   java -jar widgets-ingest.jar --migrate
                   java -jar widgets-ingest.jar --help
            FILE is .csv, .ndjson or .jsonl, optionally .gz. The reject report is written to REPORT, by default
            FILE.rejects.csv beside the file. --migrate applies the database migrations (Liquibase) and exits, so
            that services can start with spring.liquibase.enabled=false. Exits 0 when the job completed (rejected
            lines included), 1 when it failed or was stopped, 2 on a usage error. Spring settings (--spring.datasource.url=...) apply; on a
            terminal only warnings are logged while the progress bar shows (--logging.level.root=INFO for all).""";

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command and returns the process exit code; shows a progress bar when run on a terminal. */
    public static int run(String... args) {
        Console console = System.console();
        return run(console == null ? null : console.writer(), args);
    }

    /** Runs the command, drawing the progress bar on {@code terminal} when there is one (null: log lines instead). */
    public static int run(PrintWriter terminal, String... args) {
        CommandLineRequest request;
        try {
            request = CommandLineRequest.parse(args);
        } catch (IllegalArgumentException e) {
            log.error("{}\n{}", e.getMessage(), USAGE_TEXT);
            return USAGE;
        }
        if (request.help()) {
            // The usage is what was asked for, the program's output rather than a log line: on stdout, pipeable.
            System.out.println(USAGE_TEXT);
            System.out.flush();
            return OK;
        }
        if (request.file() != null && !Files.isReadable(request.file())) {
            log.error("Cannot read {}\n{}", request.file().getFileName(), USAGE_TEXT);
            return USAGE;
        }
        boolean bar = terminal != null && request.file() != null;
        SpringApplicationBuilder application = new SpringApplicationBuilder(IngestCommandLine.class)
                .web(WebApplicationType.NONE)
                .bannerMode(Banner.Mode.OFF)
                .logStartupInfo(false);
        if (bar) {
            // The bar keeps its line only if nothing else writes to the terminal meanwhile: start-up and progress
            // INFO logs stay off it (a default, so --logging.level.root=INFO brings them back); warnings still show.
            application.properties(Map.of("logging.level.root", "WARN"));
        }
        try (ConfigurableApplicationContext context = application.run(args)) {
            if (request.migrate()) {
                return migrated(context);
            }
            return context.getBean(CommandLineJob.class).run(request, Progress.of(bar ? terminal : null));
        }
    }

    /** Liquibase ran as the context started, unless migrations are off: then saying OK would hide a mistake. */
    private static int migrated(ConfigurableApplicationContext context) {
        if (context.getBeanNamesForType(SpringLiquibase.class).length == 0) {
            log.error("--migrate with migrations off (spring.liquibase.enabled=false): nothing was migrated.");
            return USAGE;
        }
        log.info("The database is migrated.");
        return OK;
    }

    /**
     * What the arguments ask for: a file, a mode and where its reject report goes; or an export target; or only the
     * migrations; or help.
     */
    record CommandLineRequest(Path file, String mode, Path rejects, Path export, boolean migrate, boolean help) {
        static CommandLineRequest parse(String... args) {
            Path file = null, export = null, rejects = null;
            String mode = "apply";
            boolean migrate = false;
            for (String arg : args) {
                if (arg.equals("--help") || arg.equals("-h")) {
                    return new CommandLineRequest(null, mode, null, null, false, true);
                } else if (arg.equals("--migrate")) {
                    migrate = true;
                } else if (arg.startsWith("--file=")) {
                    file = Path.of(arg.substring("--file=".length()));
                } else if (arg.startsWith("--mode=")) {
                    mode = arg.substring("--mode=".length());
                } else if (arg.startsWith("--rejects=")) {
                    rejects = Path.of(arg.substring("--rejects=".length()));
                } else if (arg.startsWith("--export=")) {
                    export = Path.of(arg.substring("--export=".length()));
                }
            }
            if ((file != null ? 1 : 0) + (export != null ? 1 : 0) + (migrate ? 1 : 0) != 1) {
                throw new IllegalArgumentException("Give one of --file, --export or --migrate.");
            }
            if (rejects != null && file == null) {
                throw new IllegalArgumentException("--rejects goes with --file: it names the file's reject report.");
            }
            com.widgets.ingest.rewire.RewiringMode.of(mode); // fails early on a wrong mode
            if (file != null && rejects == null) {
                rejects = Path.of(file + ".rejects.csv");
            }
            return new CommandLineRequest(file, mode, rejects, export, migrate, false);
        }
    }
}
