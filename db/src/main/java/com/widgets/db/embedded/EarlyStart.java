package com.widgets.db.embedded;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.springframework.beans.factory.DisposableBean;

/**
 * The embedded server, started on a thread of its own as soon as the application context's bean definitions are
 * known: initdb and the server's start-up then overlap the context's own (web server, GraphQL schema, Batch), instead
 * of following it. The {@link EmbeddedPostgresServer} bean waits for it; if the context fails before taking it, the
 * hold is given back here.
 */
final class EarlyStart implements DisposableBean {

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
