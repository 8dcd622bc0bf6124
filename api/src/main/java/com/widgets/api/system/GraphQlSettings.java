package com.widgets.api.system;

import com.widgets.db.WiringStore;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * The API's limits, under {@code widgets.graphql.*}: what one request may ask for, so no single client can tie up
 * the service or the database.
 *
 * @param maxDepth deepest field nesting a query may have
 * @param maxComplexity most fields a query may resolve, each list field counted times its expected length
 * @param maxAliases most aliased fields in one query
 * @param maxPageSize largest {@code first} of a connection (at most {@link WiringStore#MAX_PAGE})
 * @param defaultPageSize the page size when {@code first} is not given
 * @param maxRequestSize largest HTTP request body (GraphQL and REST) and WebSocket message
 * @param maxHops the largest {@code maxHops} of {@code reachable} and {@code path}
 * @param nodeBudget most widgets one {@code reachable} or {@code path} search may visit
 * @param subscriberBuffer events held for one subscriber that is not reading; beyond that it is ended
 */
@ConfigurationProperties("widgets.graphql")
public record GraphQlSettings(
        @DefaultValue("12") int maxDepth,
        @DefaultValue("20000") int maxComplexity,
        @DefaultValue("30") int maxAliases,
        @DefaultValue("1000") int maxPageSize,
        @DefaultValue("100") int defaultPageSize,
        @DefaultValue("256KB") DataSize maxRequestSize,
        @DefaultValue("10") int maxHops,
        @DefaultValue("10000") int nodeBudget,
        @DefaultValue("1024") int subscriberBuffer) {

    public GraphQlSettings {
        if (maxPageSize < 1 || maxPageSize > WiringStore.MAX_PAGE) {
            throw new IllegalArgumentException(
                    "widgets.graphql.max-page-size must be between 1 and " + WiringStore.MAX_PAGE);
        }
        if (defaultPageSize < 1 || defaultPageSize > maxPageSize) {
            throw new IllegalArgumentException("widgets.graphql.default-page-size must be between 1 and max-page-size");
        }
        if (maxDepth < 1 || maxComplexity < 1 || maxAliases < 0 || maxHops < 1 || nodeBudget < 1) {
            throw new IllegalArgumentException("widgets.graphql limits must be positive");
        }
        if (subscriberBuffer < 1) {
            throw new IllegalArgumentException("widgets.graphql.subscriber-buffer must be positive");
        }
    }

    /** The page size to use for {@code first}, refused when out of range. */
    public int pageSize(Integer first) {
        if (first == null) {
            return defaultPageSize;
        }
        if (first < 1 || first > maxPageSize) {
            throw new InvalidInput("first", "must be between 1 and " + maxPageSize + ", not " + first);
        }
        return first;
    }
}
