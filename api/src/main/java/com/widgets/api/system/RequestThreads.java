package com.widgets.api.system;

import java.util.concurrent.TimeUnit;
import org.apache.coyote.AbstractProtocol;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.thread.Threading;
import org.springframework.boot.tomcat.ConfigurableTomcatWebServerFactory;
import org.springframework.boot.tomcat.autoconfigure.TomcatServerProperties;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * Tomcat's request threads on platform threads (JDK 17–20): {@code widgets.http.request-threads} of them (4 a
 * processor, at least 8) run requests, and more start only while requests have waited over {@code
 * widgets.http.grow-request-threads-after} ({@link GrowingPool}), up to {@code server.tomcat.threads.max}.
 *
 * <p>Tomcat's own pool starts a thread for every request in flight up to that maximum (200), so every request that
 * arrives runs at once, each holding its pooled connection (and its row locks) through the others' time slices: on
 * two cores, 32 clients' mutations had twice the p99 they had on 8 threads (bench/PROFILE.md, "Fewer requests at
 * once"). A fixed pool of 8, though, is stuck when its threads all wait on the database (a lock held elsewhere, a
 * database that stalls): everyone else queues behind them, cheap reads included, without the connection pool's bound
 * on waiting. Growing while the queue is old and a thread is held gives both ({@link GrowingPool}). Uploads and
 * downloads run on {@link Transfers}, not here. On virtual threads (JDK 21+, {@code spring.threads.virtual.enabled})
 * every request gets a thread at once and this does nothing.
 */
@Component
class RequestThreads
        implements WebServerFactoryCustomizer<ConfigurableTomcatWebServerFactory>, Ordered, DisposableBean {

    private final Environment environment;
    private final TomcatServerProperties tomcat;
    private final HttpSettings settings;
    private volatile GrowingPool pool;

    RequestThreads(Environment environment, TomcatServerProperties tomcat, HttpSettings settings) {
        this.environment = environment;
        this.tomcat = tomcat;
        this.settings = settings;
    }

    @Override
    public void customize(ConfigurableTomcatWebServerFactory factory) {
        if (Threading.VIRTUAL.isActive(environment)) {
            return;
        }
        int max = tomcat.getThreads().getMax();
        int base = settings.requestThreads(Runtime.getRuntime().availableProcessors());
        if (base >= max) {
            return; // Tomcat's own pool of max threads
        }
        long growAfter = settings.growRequestThreadsAfter().toNanos();
        factory.addProtocolHandlerCustomizers(handler -> {
            if (handler instanceof AbstractProtocol<?> protocol) {
                // the protocol's name comes quoted, as in its JMX name
                pool = new GrowingPool(protocol.getName().replace("\"", ""), base, max, growAfter);
                protocol.setExecutor(pool);
            }
        });
    }

    /** Tomcat shuts down only the executors it made; this one goes after the server has stopped. */
    @Override
    public void destroy() throws InterruptedException {
        GrowingPool running = pool;
        if (running != null) {
            running.shutdown();
            if (!running.awaitTermination(5, TimeUnit.SECONDS)) {
                running.shutdownNow();
            }
        }
    }

    /** After Spring Boot's own customizer. */
    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }
}
