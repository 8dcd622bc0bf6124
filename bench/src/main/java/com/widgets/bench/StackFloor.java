package com.widgets.bench;

import graphql.GraphQLContext;
import graphql.execution.CoercedVariables;
import graphql.language.Value;
import graphql.schema.Coercing;
import graphql.schema.CoercingParseLiteralException;
import graphql.schema.CoercingParseValueException;
import graphql.schema.GraphQLScalarType;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.graphql.data.method.annotation.Argument;
import org.springframework.graphql.data.method.annotation.MutationMapping;
import org.springframework.graphql.data.method.annotation.QueryMapping;
import org.springframework.graphql.execution.RuntimeWiringConfigurer;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Controller;

/**
 * The stack's floor, for {@code bench/run peer}: the least a service built on this project's stack — Spring Boot,
 * Spring MVC on Tomcat, Spring for GraphQL, graphql-java, HikariCP — does to answer the bench's documents. It serves
 * the project's own {@code schema.graphqls}, so the documents parse and validate against the same types, and answers
 * {@code widget}, {@code link} and {@code unlink} with the SQL bound's statements and nothing else: no access check, no
 * metrics or observations, no live updates, no request ids, no rules beyond the check-and-sets, errors as Spring's
 * defaults. Not a product: a measuring device, like the SQL bounds. What it reaches next to the bound is the most any
 * service on this stack could on the machine at hand, so the service's distance to it is what its own code costs, and
 * the floor's distance to the bound what the stack does.
 *
 * <p>The writes are the same functions PostGraphile's mutations call ({@code bench_peer.peer_link}, {@code
 * peer_unlink}, created by the run): one statement a mutation, autocommitted.
 */
@SpringBootApplication
public class StackFloor {

    public static void main(String[] args) {
        SpringApplication app = new SpringApplication(StackFloor.class);
        app.setDefaultProperties(Map.of(
                // the wiring store, its migrations and the embedded database come with widgets-db on the classpath
                "spring.autoconfigure.exclude", "com.widgets.db.WiringStoreAutoConfiguration",
                "spring.liquibase.enabled", "false",
                "spring.main.banner-mode", "off"));
        app.run(args);
    }

    /** The schema's one custom scalar, written as the service writes it; the bench's documents never send one. */
    @Bean
    RuntimeWiringConfigurer dateTime() {
        GraphQLScalarType scalar = GraphQLScalarType.newScalar()
                .name("DateTime")
                .coercing(new Coercing<Object, String>() {
                    @Override
                    public String serialize(Object value, GraphQLContext context, Locale locale) {
                        return ((OffsetDateTime) value).toInstant().toString();
                    }

                    @Override
                    public Object parseValue(Object input, GraphQLContext context, Locale locale) {
                        throw new CoercingParseValueException("the floor takes no DateTime");
                    }

                    @Override
                    public Object parseLiteral(
                            Value<?> input, CoercedVariables variables, GraphQLContext context, Locale locale) {
                        throw new CoercingParseLiteralException("the floor takes no DateTime");
                    }
                })
                .build();
        return builder -> builder.scalar(scalar);
    }

    /** The three fields the bench's documents ask for, each one SQL statement. */
    @Controller
    static class Fields {

        private final JdbcTemplate jdbc;

        Fields(JdbcTemplate jdbc) {
            this.jdbc = jdbc;
        }

        @QueryMapping
        Map<String, Object> widget(@Argument String serialNumber) {
            Map<String, Object> widget = new LinkedHashMap<>();
            List<Map<String, Object>> ports = new ArrayList<>(3);
            jdbc.query(
                    SqlBounds.WIDGET,
                    rs -> {
                        widget.put("serialNumber", rs.getString(1));
                        widget.put("name", rs.getString(2));
                        Map<String, Object> port = new LinkedHashMap<>();
                        port.put("type", rs.getString(4));
                        String peer = rs.getString(5);
                        port.put("peer", peer == null ? null : Map.of("serialNumber", peer, "port", rs.getString(6)));
                        port.put("linkedAt", rs.getObject(7, OffsetDateTime.class));
                        ports.add(port);
                    },
                    serialNumber);
            if (widget.isEmpty()) {
                return null;
            }
            widget.put("ports", ports);
            return widget;
        }

        @MutationMapping
        Map<String, Object> link(@Argument Map<String, Map<String, String>> input) {
            Map<String, String> a = input.get("a");
            Map<String, String> b = input.get("b");
            jdbc.queryForObject(
                    "SELECT bench_peer.peer_link(?::text, ?::character, ?::text, ?::character)",
                    Boolean.class,
                    a.get("serialNumber"),
                    a.get("port"),
                    b.get("serialNumber"),
                    b.get("port"));
            return Map.of("changed", true);
        }

        @MutationMapping
        Map<String, Object> unlink(@Argument Map<String, Map<String, String>> input) {
            Map<String, String> end = input.get("end");
            jdbc.queryForObject(
                    "SELECT bench_peer.peer_unlink(?::text, ?::character)",
                    Boolean.class,
                    end.get("serialNumber"),
                    end.get("port"));
            return Map.of("changed", true);
        }
    }
}
