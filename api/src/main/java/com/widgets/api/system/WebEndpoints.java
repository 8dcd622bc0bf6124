package com.widgets.api.system;

import com.widgets.api.access.OperationRoles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.core.io.ClassPathResource;
import org.springframework.graphql.server.WebGraphQlHandler;
import org.springframework.graphql.server.webmvc.GraphQlRequestPredicates;
import org.springframework.http.MediaType;
import org.springframework.web.servlet.function.RouterFunction;
import org.springframework.web.servlet.function.RouterFunctions;
import org.springframework.web.servlet.function.ServerResponse;
import tools.jackson.databind.json.JsonMapper;

/**
 * The HTTP endpoints around Spring's {@code POST /graphql}: {@code GET /graphql} for queries, and GraphiQL at {@code
 * /graphiql} served from the application's own webjars, so it works without internet access.
 */
@Configuration(proxyBeanMethods = false)
class WebEndpoints {

    /**
     * Ahead of Spring's routes: GET /graphql runs queries (Spring answers 405); a POST whose body is not JSON gets a
     * GraphQL error saying so (Spring answers a bare 400), one whose Content-Type is not JSON a 415 naming the types
     * that are, and a subscription a 400 naming the transports that carry one. Spring's own route still answers
     * {@code Accept: text/event-stream} (subscriptions over Server-Sent Events).
     */
    @Bean
    @Order(Ordered.HIGHEST_PRECEDENCE)
    RouterFunction<ServerResponse> graphQlRoutes(WebGraphQlHandler handler, JsonMapper json, OperationRoles roles) {
        GraphQlOverPost.Execution execution = new GraphQlOverPost.Execution(handler);
        GraphQlOverGet get = new GraphQlOverGet(execution, json, roles);
        GraphQlOverPost post = new GraphQlOverPost(execution, json, roles);
        return RouterFunctions.route()
                .GET("/graphql", get::handle)
                .route(GraphQlRequestPredicates.graphQlHttp("/graphql").and(GraphQlOverPost::readable), post::handle)
                .POST("/graphql", request -> !GraphQlOverPost.readable(request), post::unsupportedMediaType)
                .build();
    }

    @Bean
    RouterFunction<ServerResponse> graphiQlRoute() throws IOException {
        String page =
                new ClassPathResource("graphiql/widgets-graphiql.html").getContentAsString(StandardCharsets.UTF_8);
        return RouterFunctions.route()
                .GET(
                        "/graphiql",
                        request -> ServerResponse.ok()
                                .contentType(new MediaType(MediaType.TEXT_HTML, StandardCharsets.UTF_8))
                                .header("Cache-Control", "no-cache")
                                .body(page.replace(
                                        "{{base}}", request.servletRequest().getContextPath())))
                .build();
    }
}
