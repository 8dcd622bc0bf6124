package com.widgets.db.embedded;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.springframework.beans.factory.DisposableBean;

/**
 * The embedded server, started on a thread of its own before the application context needs it: initdb and the
 * server's start-up then overlap the context's own (configuration classes, web server, GraphQL schema, Batch), instead
 * of following it. A Spring Boot application begins it as soon as its environment is ready ({@link
 * EnvironmentReadyStart}), before the context exists; the auto-configuration takes that start when its settings are
 * the same, or begins one itself once the bean definitions are known (a context made without {@code SpringApplication},
 * as in tests). The {@link EmbeddedPostgresServer} bean waits for it; a start no context took, or one the context
 * failed before taking, is given back.
 */
final class EarlyStart implements DisposableBean {

    /** Starts begun with an application's environment that no context has taken yet, by their settings. */
    private static final Map<EmbeddedPostgresProperties, EarlyStart> begun = new HashMap<>();

    private final CompletableFuture<EmbeddedPostgresServer> starting;
    private boolean taken;

    EarlyStart(EmbeddedPostgresProperties settings) {
        this.starting = new CompletableFuture<>();
        Thread thread = new Thread(
                () -> {
                    try {
                        starting.complete(EmbeddedPostgresServer.acquire(settings));
                    } catch (Throwable e) {
                        starting.completeExceptionally(e);
                    }
                },
                "embedded-postgres-start");
        thread.setDaemon(true);
        thread.start();
    }

    /** Begins a start for an application whose environment is ready; false when one with these settings waits. */
    static boolean begin(EmbeddedPostgresProperties settings) {
        synchronized (begun) {
            if (begun.containsKey(settings)) {
                return false;
            }
            begun.put(settings, new EarlyStart(settings));
            return true;
        }
    }

    /** The start begun for these settings, now the caller's to take or give back; else one begun now. */
    static EarlyStart takeOver(EmbeddedPostgresProperties settings) {
        synchronized (begun) {
            EarlyStart start = begun.remove(settings);
            return start != null ? start : new EarlyStart(settings);
        }
    }

    /** Gives back the start begun for these settings if no context took it over (it was not needed after all). */
    static void giveBack(EmbeddedPostgresProperties settings) {
        EarlyStart start;
        synchronized (begun) {
            start = begun.remove(settings);
        }
        if (start != null) {
            start.destroy();
        }
    }

    /** The running server, once it accepts connections; its start-up failure if it failed. */
    synchronized EmbeddedPostgresServer take() {
        try {
            EmbeddedPostgresServer server = starting.join();
            taken = true;
            return server;
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            if (e.getCause() instanceof Error cause) {
                throw cause;
            }
            throw e;
        }
    }

    @Override
    public synchronized void destroy() {
        if (taken) {
            return; // the server bean releases it
        }
        try {
            starting.join().release();
        } catch (CompletionException e) {
            // it never started: nothing to give back
        }
    }
}
