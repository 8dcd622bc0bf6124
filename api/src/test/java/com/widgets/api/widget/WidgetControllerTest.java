package com.widgets.api.widget;

import static com.widgets.db.PortType.P;
import static com.widgets.db.PortType.Q;
import static com.widgets.db.PortType.R;
import static org.assertj.core.api.Assertions.assertThat;

import com.widgets.api.StoreSlice;
import com.widgets.db.Origin;
import com.widgets.db.PortRef;
import com.widgets.db.WiringStore;
import com.widgets.db.testing.WiringDatabase;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.graphql.test.autoconfigure.GraphQlTest;
import org.springframework.graphql.test.tester.GraphQlTester;
import org.springframework.jdbc.core.JdbcTemplate;

/** Widget queries and mutations through the GraphQL layer, on the real store. */
@GraphQlTest(WidgetController.class)
@StoreSlice
class WidgetControllerTest {

    private static final Origin SETUP = Origin.request("setup", "setup");

    @Autowired
    GraphQlTester graphQl;

    @Autowired
    WiringStore store;

    @Autowired
    JdbcTemplate jdbc;

    @BeforeEach
    void wiring() {
        new WiringDatabase(jdbc).reset();
        store.addWidget("SN-1", "one", Set.of(P, R), SETUP);
        store.addWidget("SN-2", "two", Set.of(Q), SETUP);
        store.addWidget("SN-3", "three", Set.of(P, Q), SETUP);
        store.addWidget("XY-1", "other", Set.of(P), SETUP);
        store.link(new PortRef("SN-1", P), new PortRef("SN-2", Q), SETUP);
        store.link(new PortRef("SN-1", R), new PortRef("SN-3", Q), SETUP);
    }

    @Test
    void readsAWidgetWithItsPortsPeersAndNeighbors() {
        var widget = graphQl.documentName("widgetWithNeighbors")
                .variable("serialNumber", "SN-1")
                .execute();
        widget.path("widget.name").entity(String.class).isEqualTo("one");
        widget.path("widget.ports[*].type").entityList(String.class).containsExactly("P", "R");
        widget.path("widget.ports[0].peer.serialNumber").entity(String.class).isEqualTo("SN-2");
        widget.path("widget.ports[0].peer.port").entity(String.class).isEqualTo("Q");
        widget.path("widget.ports[0].peer.widget.name").entity(String.class).isEqualTo("two");
        widget.path("widget.ports[0].linkedAt")
                .entity(String.class)
                .satisfies(at -> assertThat(at).endsWith("Z"));
        widget.path("widget.neighbors[*].serialNumber").entityList(String.class).containsExactly("SN-2", "SN-3");
        graphQl.documentName("widgetWithNeighbors")
                .variable("serialNumber", "NOPE")
                .execute()
                .path("widget")
                .valueIsNull();
    }

    @Test
    void pagesThroughWidgetsWithCursors() {
        List<String> seen = new ArrayList<>();
        String after = null;
        boolean more = true;
        while (more) {
            var page = graphQl.documentName("widgetPage")
                    .variable("first", 3)
                    .variable("after", after)
                    .execute();
            seen.addAll(page.path("widgets.edges[*].node.serialNumber")
                    .entityList(String.class)
                    .get());
            more = page.path("widgets.pageInfo.hasNextPage")
                    .entity(Boolean.class)
                    .get();
            after = page.path("widgets.pageInfo.endCursor").entity(String.class).get();
        }
        assertThat(seen).containsExactly("SN-1", "SN-2", "SN-3", "XY-1");
    }

    @Test
    void filtersBySerialPrefixNamePrefixAndFreePort() {
        graphQl.documentName("widgetPage")
                .variable("filter", Map.of("serialNumberPrefix", "SN-", "hasFreePort", "P"))
                .execute()
                .path("widgets.edges[*].node.serialNumber")
                .entityList(String.class)
                .containsExactly("SN-3");
        graphQl.documentName("widgetPage")
                .variable("filter", Map.of("namePrefix", "t"))
                .execute()
                .path("widgets.edges[*].node.serialNumber")
                .entityList(String.class)
                .containsExactly("SN-2", "SN-3");
    }

    @Test
    void addsAndRemovesWidgetsSayingWhetherAnythingChanged() {
        graphQl.documentName("addWidget")
                .variable("serialNumber", "SN-9")
                .variable("name", "nine")
                .variable("ports", List.of("R", "P"))
                .execute()
                .path("addWidget.changed")
                .entity(Boolean.class)
                .isEqualTo(true)
                .path("addWidget.widget.ports[*].type")
                .entityList(String.class)
                .containsExactly("P", "R")
                .path("addWidget.requestId")
                .hasValue();
        graphQl.documentName("addWidget")
                .variable("serialNumber", "SN-9")
                .variable("name", "nine")
                .variable("ports", List.of("P", "R"))
                .execute()
                .path("addWidget.changed")
                .entity(Boolean.class)
                .isEqualTo(false);

        graphQl.documentName("removeWidget")
                .variable("serialNumber", "SN-1")
                .execute()
                .path("removeWidget.changed")
                .entity(Boolean.class)
                .isEqualTo(true)
                .path("removeWidget.widget.name")
                .entity(String.class)
                .isEqualTo("one")
                .path("removeWidget.formerNeighbors[*].serialNumber")
                .entityList(String.class)
                .containsExactly("SN-2", "SN-3")
                .path("removeWidget.formerNeighbors[0].ports[0].peer")
                .valueIsNull();
        graphQl.documentName("removeWidget")
                .variable("serialNumber", "SN-1")
                .execute()
                .path("removeWidget.changed")
                .entity(Boolean.class)
                .isEqualTo(false);
    }

    @Test
    void reportsStoreRefusalsWithTheirCodeAndInvalidInputAsBadRequestNamingTheField() {
        graphQl.documentName("addWidget")
                .variable("serialNumber", "SN-1")
                .variable("name", "renamed")
                .variable("ports", List.of("P"))
                .execute()
                .errors()
                .satisfy(errors -> {
                    assertThat(errors).hasSize(1);
                    assertThat(errors.get(0).getExtensions()).containsEntry("code", "WIDGET_EXISTS");
                    assertThat(errors.get(0).getMessage()).contains("SN-1", "one");
                });
        graphQl.documentName("addWidget")
                .variable("serialNumber", "bad serial!")
                .variable("name", "x")
                .variable("ports", List.of("P"))
                .execute()
                .errors()
                .satisfy(errors -> {
                    assertThat(errors).hasSize(1);
                    assertThat(errors.get(0).getErrorType().toString()).isEqualTo("BAD_REQUEST");
                    assertThat(errors.get(0).getExtensions())
                            .containsEntry("code", "INVALID_INPUT")
                            .containsEntry("field", "serialNumber");
                });
        graphQl.documentName("widgetPage")
                .variable("first", 1001)
                .execute()
                .errors()
                .satisfy(errors -> assertThat(errors.get(0).getExtensions())
                        .containsEntry("code", "INVALID_INPUT")
                        .containsEntry("field", "first"));
        graphQl.documentName("widgetPage")
                .variable("after", "not-a-cursor")
                .execute()
                .errors()
                .satisfy(errors -> assertThat(errors.get(0).getExtensions()).containsEntry("field", "after"));
    }
}
