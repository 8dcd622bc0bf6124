package com.widgets.db.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * A Spring Boot application begins the embedded server's start with its environment, before its context exists, and
 * the context takes that very server over; a start no context took, or one of an application that failed, is given
 * back; with a datasource URL nothing starts.
 */
class EnvironmentReadyStartTest {

    private static final Duration STARTED_WITHIN = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration(EmbeddedPostgresAutoConfiguration.class)
    static class WithTheServer {}

    @Configuration(proxyBeanMethods = false)
    static class WithoutIt {}

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration(EmbeddedPostgresAutoConfiguration.class)
    static class Broken {
        @Bean
        String broken() {
            throw new IllegalStateException("a bean that cannot be made");
        }
    }

    @Test
    void theServerStartsBeforeTheContextExistsAndTheContextTakesItOver() throws Exception {
        Path data = dir.resolve("pg");
        AtomicReference<String> pidBeforeTheContext = new AtomicReference<>();
        try (ConfigurableApplicationContext context = application(WithTheServer.class)
                // runs after the environment is ready and before any bean definition is read
                .initializers(created -> pidBeforeTheContext.set(awaitPostmaster(data)))
                .run(settings(data))) {
            assertThat(pidBeforeTheContext.get())
                    .as("a postmaster before the context was refreshed")
                    .isNotNull();
            String url = context.getBean(JdbcConnectionDetails.class).getJdbcUrl();
            try (Connection c = DriverManager.getConnection(url)) {
                assertThat(c.isValid(5)).isTrue();
            }
            assertThat(postmaster(data)).as("the same server, taken over").isEqualTo(pidBeforeTheContext.get());
        }
        assertThat(data.resolve("postmaster.pid")).doesNotExist();
    }

    @Test
    void aStartNoContextTookIsGivenBackOnceTheApplicationStarted() {
        Path data = dir.resolve("pg");
        try (ConfigurableApplicationContext context =
                application(WithoutIt.class).run(settings(data))) {
            assertThat(context.isActive()).isTrue();
            assertThat(data.resolve("postmaster.pid")).doesNotExist();
        }
    }

    @Test
    void anApplicationThatFailsGivesItsStartBack() {
        Path data = dir.resolve("pg");
        assertThatThrownBy(() -> application(Broken.class).run(settings(data)))
                .hasStackTraceContaining("cannot be made");
        assertThat(data.resolve("postmaster.pid")).doesNotExist();
    }

    @Test
    void nothingStartsWithADatasourceUrl() {
        Path data = dir.resolve("pg");
        try (ConfigurableApplicationContext context = application(WithoutIt.class)
                .run(settings(data, "--spring.datasource.url=jdbc:postgresql://db.example:5432/widgets"))) {
            assertThat(data).doesNotExist();
        }
    }

    private static SpringApplicationBuilder application(Class<?> configuration) {
        return new SpringApplicationBuilder(configuration).web(WebApplicationType.NONE);
    }

    /** As command-line arguments: over the test resources' own data directory. */
    private static String[] settings(Path data, String... more) {
        String[] arguments = new String[2 + more.length];
        arguments[0] = "--widgets.embedded.data-dir=" + data;
        arguments[1] = "--widgets.embedded.durable=false";
        System.arraycopy(more, 0, arguments, 2, more.length);
        return arguments;
    }

    /** The postmaster's pid from its lock file, once the server has written it. */
    private static String awaitPostmaster(Path data) {
        long deadline = System.nanoTime() + STARTED_WITHIN.toNanos();
        while (System.nanoTime() < deadline) {
            String pid = postmaster(data);
            if (pid != null) {
                return pid;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
        return null;
    }

    /** The running postmaster's pid (initdb's standalone backend writes its own negated, for a moment). */
    private static String postmaster(Path data) {
        try {
            String pid = Files.readAllLines(data.resolve("postmaster.pid")).get(0);
            return pid.startsWith("-") ? null : pid;
        } catch (Exception e) {
            return null; // not there yet, or being written
        }
    }
}
