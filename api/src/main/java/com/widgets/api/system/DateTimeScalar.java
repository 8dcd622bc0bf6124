package com.widgets.api.system;

import graphql.GraphQLContext;
import graphql.execution.CoercedVariables;
import graphql.language.StringValue;
import graphql.language.Value;
import graphql.schema.Coercing;
import graphql.schema.CoercingParseLiteralException;
import graphql.schema.CoercingParseValueException;
import graphql.schema.CoercingSerializeException;
import graphql.schema.GraphQLScalarType;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import org.springframework.graphql.execution.RuntimeWiringConfigurer;
import org.springframework.stereotype.Component;

/** The {@code DateTime} scalar: an {@link Instant} written as ISO-8601 in UTC. */
@Component
public class DateTimeScalar implements RuntimeWiringConfigurer {

    static final GraphQLScalarType DATE_TIME = GraphQLScalarType.newScalar()
            .name("DateTime")
            .description("An instant in UTC, written as ISO-8601.")
            .coercing(new InstantCoercing())
            .build();

    @Override
    public void configure(graphql.schema.idl.RuntimeWiring.Builder builder) {
        builder.scalar(DATE_TIME);
    }

    private static final class InstantCoercing implements Coercing<Instant, String> {

        @Override
        public String serialize(Object value, GraphQLContext context, Locale locale) {
            if (value instanceof Instant instant) {
                return instant.toString();
            }
            if (value instanceof OffsetDateTime time) {
                return time.toInstant().toString();
            }
            throw new CoercingSerializeException(
                    "Expected an instant, not " + value.getClass().getSimpleName());
        }

        @Override
        public Instant parseValue(Object input, GraphQLContext context, Locale locale) {
            if (input instanceof String text) {
                try {
                    return OffsetDateTime.parse(text).toInstant();
                } catch (DateTimeParseException e) {
                    throw new CoercingParseValueException("DateTime must be ISO-8601 with an offset, like "
                            + "2026-01-31T12:00:00Z, not '" + text + "'");
                }
            }
            throw new CoercingParseValueException("DateTime must be a string");
        }

        @Override
        public Instant parseLiteral(Value<?> input, CoercedVariables variables, GraphQLContext context, Locale locale) {
            if (input instanceof StringValue text) {
                try {
                    return OffsetDateTime.parse(text.getValue()).toInstant();
                } catch (DateTimeParseException e) {
                    throw new CoercingParseLiteralException("DateTime must be ISO-8601 with an offset");
                }
            }
            throw new CoercingParseLiteralException("DateTime must be a string");
        }
    }
}
