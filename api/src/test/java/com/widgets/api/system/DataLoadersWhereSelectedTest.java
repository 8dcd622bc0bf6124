package com.widgets.api.system;

import static org.assertj.core.api.Assertions.assertThat;

import com.widgets.api.ApiTest;
import graphql.schema.GraphQLSchema;
import graphql.schema.idl.RuntimeWiring;
import graphql.schema.idl.SchemaGenerator;
import graphql.schema.idl.SchemaParser;
import graphql.schema.idl.TypeRuntimeWiring;
import java.net.URI;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.dataloader.DataLoaderRegistry;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.graphql.server.WebGraphQlRequest;
import org.springframework.http.HttpHeaders;
import org.springframework.util.LinkedMultiValueMap;
import reactor.core.publisher.Mono;

/** Which operations run with DataLoaders: those that select a field one loads, and never a subscription. */
class DataLoadersWhereSelectedTest {

    private static final GraphQLSchema SCHEMA = new SchemaGenerator()
            .makeExecutableSchema(
                    new SchemaParser().parse("""
                            interface Node { id: ID! twin: Node }
                            type Query { widget(s: ID!): Widget  node: Node  search: Result }
                            type Mutation { link: LinkPayload }
                            type Subscription { changed: Widget }
                            type Widget implements Node { id: ID! twin: Node name: String ports: [Port!]! neighbors: [Widget!]! }
                            type Gadget implements Node { id: ID! twin: Node }
                            type Port { type: String peer: PortEnd }
                            type PortEnd { serialNumber: ID! widget: Widget }
                            type LinkPayload { changed: Boolean widgets: [Widget!]! }
                            union Result = Widget | Gadget
                            """),
                    RuntimeWiring.newRuntimeWiring()
                            .type(TypeRuntimeWiring.newTypeWiring("Node").typeResolver(env -> null))
                            .type(TypeRuntimeWiring.newTypeWiring("Result").typeResolver(env -> null))
                            .build());

    private static final DataLoadersWhereSelected.LoadedFields LOADED = new DataLoadersWhereSelected.LoadedFields(
            SCHEMA, Set.of("Widget.neighbors", "PortEnd.widget", "LinkPayload.widgets", "Gadget.twin"));

    private static boolean loads(String query) {
        return LOADED.selectedBy(query, null);
    }

    @Test
    void aQueryOfPlainFieldsLoadsNothing() {
        assertThat(loads("query($s: ID!) { widget(s: $s) { name ports { type peer { serialNumber } } } }"))
                .isFalse();
        // the root field widget is not PortEnd.widget
        assertThat(loads("{ widget(s: \"W1\") { name } }")).isFalse();
        assertThat(loads("mutation { link { changed } }")).isFalse();
        assertThat(loads("{ __schema { types { name } } }")).isFalse();
    }

    @Test
    void aLoadedFieldAtAnyDepthLoads() {
        assertThat(loads("{ widget(s: \"W1\") { neighbors { name } } }")).isTrue();
        assertThat(loads("{ widget(s: \"W1\") { ports { peer { widget { name } } } } }"))
                .isTrue();
        assertThat(loads("mutation { link { changed widgets { name } } }")).isTrue();
    }

    @Test
    void fragmentsAreFollowed() {
        assertThat(loads("{ widget(s: \"W1\") { ...f } } fragment f on Widget { neighbors { name } }"))
                .isTrue();
        assertThat(loads("{ widget(s: \"W1\") { ... on Widget { neighbors { name } } } }"))
                .isTrue();
        assertThat(loads("{ search { ... on Widget { neighbors { name } } } }")).isTrue();
        assertThat(loads("{ search { ... on Gadget { id } } }")).isFalse();
        // a fragment that spreads itself is read once, not forever
        assertThat(loads("{ widget(s: \"W1\") { ...f } } fragment f on Widget { name ...f }"))
                .isFalse();
    }

    @Test
    void anInterfaceFieldLoadsWhenAnImplementationLoadsIt() {
        assertThat(loads("{ node { twin { id } } }")).isTrue();
        assertThat(loads("{ node { id } }")).isFalse();
    }

    @Test
    void theNamedOperationDecides() {
        String both =
                "query plain { widget(s: \"W1\") { name } } query deep { widget(s: \"W1\") { neighbors { name } } }";
        assertThat(LOADED.selectedBy(both, "plain")).isFalse();
        assertThat(LOADED.selectedBy(both, "deep")).isTrue();
    }

    @Test
    void whatCannotBeToldKeepsTheLoaders() {
        assertThat(loads("{ widget(s: ")).isTrue();
        assertThat(LOADED.selectedBy("query a { widget(s: \"W1\") { name } } query b { node { id } }", null))
                .isTrue();
        assertThat(loads("{ widget(s: \"W1\") { name } }" + " ".repeat(20_000))).isTrue();
        assertThat(new DataLoadersWhereSelected.LoadedFields(SCHEMA, null).selectedBy("{ node { id } }", null))
                .isTrue();
    }

    /** The service's own interceptor, with its schema and Spring's loaders. */
    @Nested
    @ApiTest
    class InTheService {

        @Autowired
        DataLoadersWhereSelected.Registrations registrations;

        private DataLoaderRegistry registryOf(String document) {
            var request = new WebGraphQlRequest(
                    URI.create("http://localhost/graphql"),
                    new HttpHeaders(),
                    new LinkedMultiValueMap<>(),
                    Map.of(),
                    Map.of("query", document),
                    "1",
                    null);
            AtomicReference<WebGraphQlRequest> passed = new AtomicReference<>();
            registrations
                    .intercept(request, next -> {
                        passed.set(next);
                        return Mono.empty();
                    })
                    .block();
            return passed.get().toExecutionInput().getDataLoaderRegistry();
        }

        @Test
        void theWidgetQueryAndLinksGetNoLoadersNeighborsDo() {
            assertThat(registryOf("{ widget(serialNumber: \"W1\") { name ports { type peer { serialNumber } } } }"))
                    .isSameAs(DataLoadersWhereSelected.NONE);
            assertThat(registryOf("mutation { unlink(input: {end: {serialNumber: \"W1\", port: P}}) { changed } }"))
                    .isSameAs(DataLoadersWhereSelected.NONE);
            assertThat(registryOf("subscription { wiringChanged { serialNumber } }"))
                    .isSameAs(DataLoadersWhereSelected.NONE);
            assertThat(registryOf("{ widget(serialNumber: \"W1\") { neighbors { name } } }"))
                    .isNotSameAs(DataLoadersWhereSelected.NONE);
        }
    }
}
