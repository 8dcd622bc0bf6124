package com.widgets.api.system;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Refuses request bodies over {@code widgets.graphql.max-request-size} (or a path's own {@link BodyLimit}, like
 * uploads') with 413 before anything reads them, in the error shape of the endpoint asked (GraphQL {@code errors} on
 * {@code /graphql}, REST {@code {code, message}} elsewhere); a body without a declared length is cut off at the limit
 * as it is read.
 */
@Component
class RequestSizeLimit extends OncePerRequestFilter {

    private final BodyLimit general;
    private final List<BodyLimit> specific;

    RequestSizeLimit(GraphQlSettings settings, ObjectProvider<BodyLimit> limits) {
        this.general = new BodyLimit("/", settings.maxRequestSize(), "widgets.graphql.max-request-size");
        this.specific = limits.orderedStream().toList();
    }

    private BodyLimit limitOf(HttpServletRequest request) {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        for (BodyLimit limit : specific) {
            if (limit.appliesTo(path)) {
                return limit;
            }
        }
        return general;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        BodyLimit limit = limitOf(request);
        long max = limit.max().toBytes();
        if (request.getContentLengthLong() > max) {
            String message = "The request body is " + request.getContentLengthLong() + " bytes; the limit is " + max
                    + " (" + limit.setting() + ").";
            response.setStatus(HttpServletResponse.SC_REQUEST_ENTITY_TOO_LARGE);
            response.setContentType(MediaType.APPLICATION_JSON_VALUE);
            response.setCharacterEncoding(StandardCharsets.UTF_8.name());
            String body = request.getRequestURI().endsWith("/graphql")
                    ? "{\"errors\":[{\"message\":\"" + message + "\",\"extensions\":{\"code\":\"LIMIT_EXCEEDED\","
                            + "\"limit\":\"widgets.graphql.max-request-size\",\"classification\":\"BAD_REQUEST\"}}]}"
                    : "{\"code\":\"LIMIT_EXCEEDED\",\"message\":\"" + message + "\"}";
            response.getWriter().write(body);
            return;
        }
        // GET carries no body; it is also the WebSocket handshake, which is best left unwrapped.
        chain.doFilter("GET".equals(request.getMethod()) ? request : new Limited(request, limit), response);
    }

    /** A request whose body stream fails once it has given more than the limit. */
    private static final class Limited extends HttpServletRequestWrapper {
        private final BodyLimit limit;
        private ServletInputStream stream;

        Limited(HttpServletRequest request, BodyLimit limit) {
            super(request);
            this.limit = limit;
        }

        @Override
        public ServletInputStream getInputStream() throws IOException {
            if (stream == null) {
                stream = new CountingStream(super.getInputStream(), limit);
            }
            return stream;
        }
    }

    private static final class CountingStream extends ServletInputStream {
        private final ServletInputStream in;
        private final BodyLimit limit;
        private final long max;
        private long read;

        CountingStream(ServletInputStream in, BodyLimit limit) {
            this.in = in;
            this.limit = limit;
            this.max = limit.max().toBytes();
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                count(1);
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = in.read(buffer, offset, length);
            if (n > 0) {
                count(n);
            }
            return n;
        }

        private void count(int n) throws IOException {
            read += n;
            if (read > max) {
                throw new BodyLimit.Exceeded(
                        "The request body exceeds the limit of " + max + " bytes (" + limit.setting() + ").");
            }
        }

        @Override
        public boolean isFinished() {
            return in.isFinished();
        }

        @Override
        public boolean isReady() {
            return in.isReady();
        }

        @Override
        public void setReadListener(ReadListener listener) {
            in.setReadListener(listener);
        }
    }
}
