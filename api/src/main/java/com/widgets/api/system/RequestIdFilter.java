package com.widgets.api.system;

import com.widgets.api.access.RequestOrigin;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.MDC;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Gives every HTTP request its request id before anything else runs, and keeps it in the logging MDC while the request
 * is handled (its async completion included), so every log line of the request carries it. GraphQL over HTTP and the
 * REST endpoints record this id in the history and return it ({@link RequestOrigin}); each WebSocket operation gets
 * one of its own.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class RequestIdFilter extends OncePerRequestFilter {

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String requestId = request.getAttribute(RequestOrigin.REQUEST_ID) instanceof String given
                ? given // an async or error dispatch of the same request
                : newId();
        request.setAttribute(RequestOrigin.REQUEST_ID, requestId);
        String outer = MDC.get(RequestIdInMdc.MDC_KEY);
        MDC.put(RequestIdInMdc.MDC_KEY, requestId);
        try {
            chain.doFilter(request, response);
        } finally {
            if (outer == null) {
                MDC.remove(RequestIdInMdc.MDC_KEY);
            } else {
                MDC.put(RequestIdInMdc.MDC_KEY, outer);
            }
        }
    }

    @Override
    protected boolean shouldNotFilterAsyncDispatch() {
        return false;
    }

    @Override
    protected boolean shouldNotFilterErrorDispatch() {
        return false;
    }

    /**
     * A random (version 4) UUID from the thread's own generator: a request id must not repeat, not be unguessable, and
     * {@link UUID#randomUUID()} takes a lock on one shared SecureRandom for every request.
     */
    static String newId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long high = (random.nextLong() & ~0xF000L) | 0x4000L;
        long low = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(high, low).toString();
    }
}
