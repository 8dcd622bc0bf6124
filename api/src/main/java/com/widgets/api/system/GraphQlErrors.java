package com.widgets.api.system;

import com.widgets.db.ErrorCode;
import com.widgets.db.WiringException;
import com.widgets.ingest.rewire.RefusedFile;
import graphql.ErrorClassification;
import graphql.GraphQLError;
import graphql.GraphqlErrorBuilder;
import graphql.language.OperationDefinition;
import graphql.schema.DataFetchingEnvironment;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.graphql.execution.DataFetcherExceptionResolverAdapter;
import org.springframework.graphql.execution.ErrorType;
import org.springframework.graphql.execution.SubscriptionExceptionResolverAdapter;
import org.springframework.stereotype.Component;

/**
 * The one place that turns refusals into GraphQL errors: {@code extensions.code} is the store's or the API's stable
 * code, the message names what was wrong, invalid input is classified {@code BAD_REQUEST} with {@code
 * extensions.field}. A database that cannot be reached, or a pool with no free connection, is {@code UNAVAILABLE} or
 * {@code BUSY} (classified {@code UNAVAILABLE}: retry) wherever it was met. Anything else stays Spring's opaque {@code
 * INTERNAL_ERROR} (logged, no stack trace sent). A refused mutation is counted by its code ({@link Refusals}).
 */
@Component
public class GraphQlErrors extends DataFetcherExceptionResolverAdapter {

    /** Someone else's write got there first, or the state contradicts the request. */
    static final ErrorClassification CONFLICT = ErrorClassification.errorClassification("CONFLICT");
    /** Not the caller's fault: try again later. */
    static final ErrorClassification UNAVAILABLE = ErrorClassification.errorClassification("UNAVAILABLE");

    private final Refusals refusals;

    GraphQlErrors(ObjectProvider<MeterRegistry> registry) {
        this.refusals = new Refusals(registry, "graphql");
    }

    @Override
    protected GraphQLError resolveToSingleError(Throwable ex, DataFetchingEnvironment env) {
        Described described = describe(ex);
        if (described == null) {
            return null;
        }
        if (env.getOperationDefinition().getOperation() == OperationDefinition.Operation.MUTATION) {
            refusals.count(described.code());
        }
        return described.apply(GraphqlErrorBuilder.newError(env)).build();
    }

    /** The same mapping for errors that end a subscription. */
    @Component
    static class ForSubscriptions extends SubscriptionExceptionResolverAdapter {
        @Override
        protected GraphQLError resolveToSingleError(Throwable ex) {
            Described described = describe(ex);
            return described == null
                    ? null
                    : described.apply(GraphqlErrorBuilder.newError()).build();
        }
    }

    /** An error for a request that went over a limit, before any field was resolved. */
    public static GraphQLError limitExceeded(String limit, String message) {
        Map<String, Object> extensions = new LinkedHashMap<>();
        extensions.put("code", ApiError.Code.LIMIT_EXCEEDED.name());
        extensions.put("limit", limit);
        return GraphqlErrorBuilder.newError()
                .errorType(ErrorType.BAD_REQUEST)
                .message(message)
                .extensions(extensions)
                .build();
    }

    private record Described(ErrorClassification type, String code, String field, String message) {
        GraphqlErrorBuilder<?> apply(GraphqlErrorBuilder<?> builder) {
            Map<String, Object> extensions = new LinkedHashMap<>();
            extensions.put("code", code);
            if (field != null) {
                extensions.put("field", field);
            }
            return builder.errorType(type).message(message).extensions(extensions);
        }
    }

    private static Described describe(Throwable ex) {
        if (!(ex instanceof WiringException) && WiringException.isDatabaseFailure(ex)) {
            ex = WiringException.unavailable(ex); // a read outside the store (a job's status, say) met the same outage
        }
        if (ex instanceof WiringException e) {
            return new Described(classify(e.code()), e.code().name(), e.field(), e.getMessage());
        }
        if (ex instanceof InvalidInput e) {
            return new Described(ErrorType.BAD_REQUEST, ErrorCode.INVALID_INPUT.name(), e.field(), e.getMessage());
        }
        if (ex instanceof RefusedFile e) {
            return new Described(ErrorType.BAD_REQUEST, e.code().name(), "input.path", e.getMessage());
        }
        if (ex instanceof ApiError e) {
            ErrorClassification type = switch (e.code()) {
                case LIMIT_EXCEEDED, SLOW_SUBSCRIBER -> ErrorType.BAD_REQUEST;
                case NAME_MISMATCH, JOB_NOT_RESTARTABLE -> CONFLICT;
                case LIVE_UPDATES_INTERRUPTED, TOO_MANY_SUBSCRIPTIONS, STORAGE_FULL -> UNAVAILABLE;
                case JOB_NOT_FOUND -> ErrorType.NOT_FOUND;
            };
            return new Described(type, e.code().name(), null, e.getMessage());
        }
        return null;
    }

    private static ErrorClassification classify(ErrorCode code) {
        return switch (code) {
            case INVALID_INPUT, SELF_LINK, PORT_NOT_ON_WIDGET -> ErrorType.BAD_REQUEST;
            case WIDGET_NOT_FOUND -> ErrorType.NOT_FOUND;
            case WIDGET_EXISTS, PORT_BUSY, NOT_LINKED_TO, CONTENTION -> CONFLICT;
            case BUSY, UNAVAILABLE -> UNAVAILABLE;
        };
    }
}
