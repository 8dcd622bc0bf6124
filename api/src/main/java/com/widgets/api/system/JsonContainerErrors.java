package com.widgets.api.system;

import java.io.IOException;
import java.io.Writer;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.catalina.Valve;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.core.StandardHost;
import org.apache.catalina.valves.ErrorReportValve;
import org.apache.coyote.ActionCode;
import org.apache.tomcat.util.json.JSONFilter;
import org.springframework.boot.tomcat.ConfigurableTomcatWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/**
 * Errors Tomcat answers itself, before Spring sees the request (an oversized header, control characters in a header,
 * a malformed URL), as the REST error JSON {@code {"code", "message"}} instead of Tomcat's HTML page.
 */
@Component
class JsonContainerErrors implements WebServerFactoryCustomizer<ConfigurableTomcatWebServerFactory> {

    @Override
    public void customize(ConfigurableTomcatWebServerFactory factory) {
        // Runs after Spring Boot's customizer, which adds an HTML ErrorReportValve (without stack traces) to the host.
        factory.addContextCustomizers(context -> {
            if (context.getParent() instanceof StandardHost host) {
                for (Valve valve : host.getPipeline().getValves()) {
                    if (valve instanceof ErrorReportValve) {
                        host.getPipeline().removeValve(valve);
                    }
                }
                // The host adds a valve of this class when it starts unless it finds one already.
                host.setErrorReportValveClass(JsonReportValve.class.getName());
                host.getPipeline().addValve(new JsonReportValve());
            }
        });
    }

    /** Tomcat's error report as one JSON object; never a stack trace or the server's version. */
    static class JsonReportValve extends ErrorReportValve {

        JsonReportValve() {
            setShowReport(false);
            setShowServerInfo(false);
        }

        @Override
        protected void report(Request request, Response response, Throwable throwable) {
            int status = response.getStatus();
            if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
                return;
            }
            AtomicBoolean ioAllowed = new AtomicBoolean(true);
            response.getCoyoteResponse().action(ActionCode.IS_IO_ALLOWED, ioAllowed);
            if (!ioAllowed.get()) {
                return;
            }
            HttpStatus known = HttpStatus.resolve(status);
            String code = known == null ? "HTTP_" + status : known.name();
            String message = response.getMessage();
            if (message == null || message.isBlank()) {
                message = known == null ? "HTTP status " + status : known.getReasonPhrase();
            }
            if (!message.endsWith(".")) {
                message += ".";
            }
            String body = "{\"code\":\"" + code + "\",\"message\":\"" + JSONFilter.escape(message) + "\"}";
            try {
                response.setContentType("application/json");
                response.setCharacterEncoding("UTF-8");
                response.setLocale(Locale.ROOT);
                Writer writer = response.getReporter();
                if (writer != null) {
                    writer.write(body);
                    response.finishResponse();
                }
            } catch (IOException | IllegalStateException e) {
                // The connection is already gone or the response committed: nothing more to say.
            }
        }
    }
}
