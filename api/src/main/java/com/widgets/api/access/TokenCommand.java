package com.widgets.api.access;

import com.widgets.db.embedded.EmbeddedPostgresAutoConfiguration;
import java.io.PrintStream;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.Banner;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcClientAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcTemplateAutoConfiguration;
import org.springframework.boot.liquibase.autoconfigure.LiquibaseAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * {@code java -jar widgets-api.jar token …}: mints, lists and revokes API tokens against {@code
 * spring.datasource.url} or the embedded database (joining it when the service runs from the same data directory).
 * Exits 0 when done, 1 when there was nothing to revoke, 2 on a usage error.
 */
public final class TokenCommand {

    static final String USAGE = """
            usage: java -jar widgets-api.jar token mint --role=viewer|operator|admin --subject=NAME [--valid-for=30d]
                   java -jar widgets-api.jar token list
                   java -jar widgets-api.jar token revoke --id=ID
            A minted token is printed once; only its hash is kept. NAME is the actor its changes are recorded for.
            --valid-for takes 90m, 12h, 30d...; without it the token is valid until revoked. A revoked token is
            refused by every replica within widgets.security.token-cache (5s). Spring settings
            (--spring.datasource.url=...) apply.""";

    private TokenCommand() {}

    /** Runs {@code token …} (the arguments after {@code token}) and returns the exit code. */
    public static int run(PrintStream out, String... args) {
        Map<String, String> options = new LinkedHashMap<>();
        String verb = args.length == 0 ? "" : args[0];
        for (int i = 1; i < args.length; i++) {
            String arg = args[i];
            int eq = arg.indexOf('=');
            if (!arg.startsWith("--") || eq < 0) {
                return usage(out, "'" + arg + "' is not an option; write --name=value.");
            }
            options.put(arg.substring(2, eq), arg.substring(eq + 1));
        }
        Map<String, String> spring = new LinkedHashMap<>();
        options.entrySet().removeIf(option -> {
            if (option.getKey().startsWith("spring.")
                    || option.getKey().startsWith("widgets.")
                    || option.getKey().startsWith("logging.")) {
                spring.put(option.getKey(), option.getValue());
                return true;
            }
            return false;
        });
        try {
            return switch (verb) {
                case "mint" -> {
                    Role role = Role.of(required(options, "role"));
                    String subject = required(options, "subject").strip();
                    Duration validFor = options.containsKey("valid-for") ? duration(options.get("valid-for")) : null;
                    known(options, "role", "subject", "valid-for");
                    ApiTokens.Minted minted = withTokens(spring, tokens -> tokens.mint(role, subject, validFor));
                    out.println(minted.secret());
                    out.println("# token " + minted.token().id() + ": " + role.label() + " for '" + subject + "'"
                            + (minted.token().expiresAt() == null
                                    ? ""
                                    : ", valid until " + minted.token().expiresAt())
                            + ". Shown only now: send it as 'Authorization: Bearer <token>'.");
                    yield 0;
                }
                case "list" -> {
                    known(options);
                    withTokens(spring, tokens -> {
                        out.println("id\trole\tsubject\tcreated\texpires\trevoked");
                        for (ApiTokens.ApiToken token : tokens.list()) {
                            out.println(token.id() + "\t" + token.role().label() + "\t" + token.subject() + "\t"
                                    + token.createdAt() + "\t" + dash(token.expiresAt()) + "\t"
                                    + dash(token.revokedAt()));
                        }
                        return null;
                    });
                    yield 0;
                }
                case "revoke" -> {
                    long id = Long.parseLong(required(options, "id"));
                    known(options, "id");
                    boolean revoked = withTokens(spring, tokens -> tokens.revoke(id));
                    out.println(revoked ? "Token " + id + " revoked." : "No unrevoked token has id " + id + ".");
                    yield revoked ? 0 : 1;
                }
                default ->
                    usage(
                            out,
                            verb.isEmpty()
                                    ? "Say what to do: mint, list or revoke."
                                    : "'" + verb + "' is not mint, list or revoke.");
            };
        } catch (IllegalArgumentException e) {
            return usage(out, e.getMessage());
        }
    }

    private static int usage(PrintStream out, String problem) {
        out.println(problem);
        out.println(USAGE);
        return 2;
    }

    private static String required(Map<String, String> options, String name) {
        String value = options.get(name);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("--" + name + " is required.");
        }
        return value;
    }

    private static void known(Map<String, String> options, String... names) {
        for (String given : options.keySet()) {
            if (!java.util.List.of(names).contains(given)) {
                throw new IllegalArgumentException("--" + given + " is not an option of this command.");
            }
        }
    }

    private static Duration duration(String text) {
        try {
            Duration duration = DurationStyle.SIMPLE.parse(text);
            if (duration.isNegative() || duration.isZero()) {
                throw new IllegalArgumentException("--valid-for must be positive, not '" + text + "'.");
            }
            return duration;
        } catch (DateTimeParseException | IllegalStateException e) {
            throw new IllegalArgumentException(
                    "--valid-for takes a duration such as 90m, 12h or 30d, not '" + text + "'.");
        }
    }

    private static String dash(Object value) {
        return value == null ? "-" : value.toString();
    }

    private static <T> T withTokens(Map<String, String> settings, java.util.function.Function<ApiTokens, T> work) {
        Map<String, Object> properties = new LinkedHashMap<>(settings);
        properties.putIfAbsent("logging.level.root", "WARN");
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(Database.class)
                .web(WebApplicationType.NONE)
                .bannerMode(Banner.Mode.OFF)
                .logStartupInfo(false)
                .properties(properties)
                .run()) {
            return work.apply(context.getBean(ApiTokens.class));
        }
    }

    /**
     * Just the database: the embedded one or the configured URL, migrated, and the token table on it. Not a
     * {@code @Configuration}, so the service's component scan leaves it alone; it is this command's only source.
     */
    @ImportAutoConfiguration({
        EmbeddedPostgresAutoConfiguration.class,
        DataSourceAutoConfiguration.class,
        JdbcTemplateAutoConfiguration.class,
        JdbcClientAutoConfiguration.class,
        LiquibaseAutoConfiguration.class
    })
    static class Database {

        @Bean
        ApiTokens apiTokens(JdbcClient jdbc) {
            return new ApiTokens(jdbc);
        }
    }
}
