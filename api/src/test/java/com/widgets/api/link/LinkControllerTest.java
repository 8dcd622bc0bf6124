package com.widgets.api.link;

import static com.widgets.db.PortType.P;
import static com.widgets.db.PortType.Q;
import static com.widgets.db.PortType.R;
import static org.assertj.core.api.Assertions.assertThat;

import com.widgets.api.StoreSlice;
import com.widgets.db.Origin;
import com.widgets.db.WiringStore;
import com.widgets.db.testing.WiringDatabase;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.graphql.test.autoconfigure.GraphQlTest;
import org.springframework.graphql.test.tester.GraphQlTester;
import org.springframework.jdbc.core.JdbcTemplate;

/** Linking and unlinking through the GraphQL layer, on the real store. */
@GraphQlTest(LinkController.class)
@StoreSlice
class LinkControllerTest {

    private static final Origin SETUP = Origin.request("setup", "setup");

    @Autowired
    GraphQlTester graphQl;

    @Autowired
    WiringStore store;

    @Autowired
    JdbcTemplate jdbc;

    @BeforeEach
    void widgets() {
        new WiringDatabase(jdbc).reset();
        store.addWidget("A", "a", Set.of(P, R), SETUP);
        store.addWidget("B", "b", Set.of(Q), SETUP);
        store.addWidget("C", "c", Set.of(Q), SETUP);
    }

    @AfterEach
    void invariantsHold() {
        assertThat(new WiringDatabase(jdbc).invariantViolations()).isEmpty();
    }

    private static Map<String, Object> port(String serial, String type) {
        return Map.of("serialNumber", serial, "port", type);
    }

    @Test
    void linksTwoPortsOnceAndReturnsBothWidgetsAsTheyAreNow() {
        var linked = graphQl.documentName("link")
                .variable("a", port("A", "P"))
                .variable("b", port("B", "Q"))
                .execute();
        linked.path("link.changed").entity(Boolean.class).isEqualTo(true);
        linked.path("link.link.a.serialNumber").entity(String.class).isEqualTo("A");
        linked.path("link.widgets[*].serialNumber").entityList(String.class).containsExactly("A", "B");
        linked.path("link.widgets[0].ports[0].peer.serialNumber")
                .entity(String.class)
                .isEqualTo("B");
        graphQl.documentName("link")
                .variable("a", port("B", "Q"))
                .variable("b", port("A", "P"))
                .execute()
                .path("link.changed")
                .entity(Boolean.class)
                .isEqualTo(false);
    }

    @Test
    void refusesABusyPortNamingItsPeer() {
        store.link(new com.widgets.db.PortRef("A", P), new com.widgets.db.PortRef("B", Q), SETUP);
        graphQl.documentName("link")
                .variable("a", port("C", "Q"))
                .variable("b", port("A", "P"))
                .execute()
                .errors()
                .satisfy(errors -> {
                    assertThat(errors).hasSize(1);
                    assertThat(errors.get(0).getExtensions()).containsEntry("code", "PORT_BUSY");
                    assertThat(errors.get(0).getErrorType().toString()).isEqualTo("CONFLICT");
                    assertThat(errors.get(0).getMessage()).contains("A.P", "B.Q");
                });
        graphQl.documentName("link")
                .variable("a", port("A", "Q"))
                .variable("b", port("C", "Q"))
                .execute()
                .errors()
                .satisfy(errors ->
                        assertThat(errors.get(0).getExtensions()).containsEntry("code", "PORT_NOT_ON_WIDGET"));
        graphQl.documentName("link")
                .variable("a", port("A", "P"))
                .variable("b", port("NOPE", "Q"))
                .execute()
                .errors()
                .satisfy(errors -> {
                    assertThat(errors.get(0).getExtensions()).containsEntry("code", "WIDGET_NOT_FOUND");
                    assertThat(errors.get(0).getErrorType().toString()).isEqualTo("NOT_FOUND");
                });
    }

    @Test
    void unlinksOnlyFromTheExpectedPeer() {
        store.link(new com.widgets.db.PortRef("A", P), new com.widgets.db.PortRef("B", Q), SETUP);
        graphQl.documentName("unlink")
                .variable("end", port("A", "P"))
                .variable("expectedPeer", port("C", "Q"))
                .execute()
                .errors()
                .satisfy(errors -> assertThat(errors.get(0).getExtensions()).containsEntry("code", "NOT_LINKED_TO"));
        var unlinked = graphQl.documentName("unlink")
                .variable("end", port("A", "P"))
                .variable("expectedPeer", port("B", "Q"))
                .execute();
        unlinked.path("unlink.changed").entity(Boolean.class).isEqualTo(true);
        unlinked.path("unlink.widgets[*].serialNumber").entityList(String.class).containsExactly("A", "B");
        unlinked.path("unlink.widgets[0].ports[0].peer").valueIsNull();
        var again =
                graphQl.documentName("unlink").variable("end", port("A", "P")).execute();
        again.path("unlink.changed").entity(Boolean.class).isEqualTo(false);
        again.path("unlink.link").valueIsNull();
        again.path("unlink.widgets[*].serialNumber").entityList(String.class).containsExactly("A");
    }
}
