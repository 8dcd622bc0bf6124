package com.widgets.api.start;

import com.widgets.db.embedded.EmbeddedPostgresServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * Says once, when the web server is up, where the wiring is kept and which URLs to open: the one line a person
 * starting the service looks for among Spring's.
 */
@Component
class ReadyMessage implements ApplicationListener<WebServerInitializedEvent> {

    private static final Logger log = LoggerFactory.getLogger(ReadyMessage.class);

    private final ObjectProvider<EmbeddedPostgresServer> embedded;
    private final Environment environment;

    ReadyMessage(ObjectProvider<EmbeddedPostgresServer> embedded, Environment environment) {
        this.embedded = embedded;
        this.environment = environment;
    }

    @Override
    public void onApplicationEvent(WebServerInitializedEvent event) {
        if (event.getApplicationContext().getServerNamespace() != null) {
            return; // a separate management server: the application's own server says it all
        }
        String base = "http://" + host() + ":" + event.getWebServer().getPort() + contextPath();
        log.info(
                "Widgets wiring service ready: open {}/ (GraphiQL: {}/graphiql, health: {}/health); data in {}",
                base,
                base,
                actuator(base),
                whereTheDataLives());
    }

    private String whereTheDataLives() {
        EmbeddedPostgresServer server = embedded.getIfAvailable();
        if (server != null) {
            return server.dataDir() + " (embedded PostgreSQL)";
        }
        return withoutCredentials(environment.getProperty("spring.datasource.url", "the configured database"));
    }

    /** A JDBC URL without its parameters and user information, which may hold a password. */
    static String withoutCredentials(String url) {
        String bare = url.replaceFirst("[?;].*$", "");
        return bare.replaceFirst("//[^/@]*@", "//");
    }

    private String host() {
        String address = environment.getProperty("server.address", "");
        return address.isBlank() || address.equals("0.0.0.0") || address.equals("::") ? "localhost" : address;
    }

    private String contextPath() {
        String path = environment.getProperty("server.servlet.context-path", "");
        return path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }

    /** Actuator's base URL: on the application's server unless {@code management.server.port} names another. */
    private String actuator(String base) {
        String path = environment.getProperty("management.endpoints.web.base-path", "/actuator");
        Integer port = environment.getProperty("management.server.port", Integer.class);
        if (port == null || port <= 0) {
            return base + path;
        }
        return "http://" + host() + ":" + port + environment.getProperty("management.server.base-path", "") + path;
    }
}
