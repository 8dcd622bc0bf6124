package com.widgets.api.traversal;

import static com.widgets.db.PortType.P;
import static com.widgets.db.PortType.Q;
import static com.widgets.db.PortType.R;
import static org.assertj.core.api.Assertions.assertThat;

import com.widgets.api.StoreSlice;
import com.widgets.db.Origin;
import com.widgets.db.PortRef;
import com.widgets.db.PortType;
import com.widgets.db.WiringStore;
import com.widgets.db.testing.WiringDatabase;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.graphql.test.autoconfigure.GraphQlTest;
import org.springframework.context.annotation.Import;
import org.springframework.graphql.test.tester.GraphQlTester;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.TestPropertySource;

/**
 * Breadth-first searches on a real chain W0 - W1 - ... - W7 (each Wn.R linked to Wn+1.P) plus a branch W1.Q - X.P,
 * with a node budget of 6 so that the budget itself can be tested.
 */
@GraphQlTest(TraversalController.class)
@StoreSlice
@Import(Traversal.class)
@TestPropertySource(properties = "widgets.graphql.node-budget=6")
class TraversalControllerTest {

    private static final Origin SETUP = Origin.request("setup", "setup");

    @Autowired
    GraphQlTester graphQl;

    @Autowired
    WiringStore store;

    @Autowired
    JdbcTemplate jdbc;

    @BeforeEach
    void chain() {
        new WiringDatabase(jdbc).reset();
        for (int i = 0; i < 8; i++) {
            store.addWidget("W" + i, "w" + i, Set.of(P, Q, R), SETUP);
        }
        store.addWidget("X", "x", Set.of(P), SETUP);
        store.addWidget("LONER", "alone", Set.of(P), SETUP);
        for (int i = 0; i < 7; i++) {
            store.link(new PortRef("W" + i, R), new PortRef("W" + (i + 1), P), SETUP);
        }
        store.link(new PortRef("W1", Q), new PortRef("X", PortType.P), SETUP);
    }

    @Test
    void reachableListsWidgetsWithinMaxHopsWithTheirDistance() {
        var reached = graphQl.documentName("reachable")
                .variable("from", "W0")
                .variable("maxHops", 2)
                .execute();
        reached.path("reachable.edges[*].node.serialNumber")
                .entityList(String.class)
                .containsExactly("W1", "W2", "X");
        reached.path("reachable.edges[*].distance").entityList(Integer.class).containsExactly(1, 2, 2);
    }

    @Test
    void reachablePagesInSerialOrder() {
        var first = graphQl.documentName("reachable")
                .variable("from", "W1")
                .variable("maxHops", 3)
                .variable("first", 2)
                .execute();
        first.path("reachable.edges[*].node.serialNumber")
                .entityList(String.class)
                .containsExactly("W0", "W2");
        first.path("reachable.pageInfo.hasNextPage").entity(Boolean.class).isEqualTo(true);
        String after =
                first.path("reachable.pageInfo.endCursor").entity(String.class).get();
        graphQl.documentName("reachable")
                .variable("from", "W1")
                .variable("maxHops", 3)
                .variable("first", 2)
                .variable("after", after)
                .execute()
                .path("reachable.edges[*].node.serialNumber")
                .entityList(String.class)
                .containsExactly("W3", "W4")
                .path("reachable.pageInfo.hasNextPage")
                .entity(Boolean.class)
                .isEqualTo(true);
    }

    @Test
    void pathIsAShortestChainOfPortsOrNullWhenOutOfReach() {
        var path = graphQl.documentName("path")
                .variable("from", "X")
                .variable("to", "W3")
                .execute();
        path.path("path[*].widget.serialNumber").entityList(String.class).containsExactly("X", "W1", "W2", "W3");
        path.path("path[*].hop").entityList(Integer.class).containsExactly(0, 1, 2, 3);
        path.path("path[0].outPort").entity(String.class).isEqualTo("P");
        path.path("path[1].inPort").entity(String.class).isEqualTo("Q");
        path.path("path[1].outPort").entity(String.class).isEqualTo("R");
        path.path("path[3].inPort").entity(String.class).isEqualTo("P");
        path.path("path[3].outPort").valueIsNull();

        graphQl.documentName("path")
                .variable("from", "W0")
                .variable("to", "LONER")
                .variable("maxHops", 3)
                .execute()
                .path("path")
                .valueIsNull();
        graphQl.documentName("path")
                .variable("from", "W0")
                .variable("to", "W3")
                .variable("maxHops", 2)
                .execute()
                .path("path")
                .valueIsNull();
    }

    @Test
    void refusesTooManyHopsTheNodeBudgetAndUnknownWidgets() {
        graphQl.documentName("reachable")
                .variable("from", "W0")
                .variable("maxHops", 11)
                .execute()
                .errors()
                .satisfy(errors -> {
                    assertThat(errors.get(0).getExtensions())
                            .containsEntry("code", "INVALID_INPUT")
                            .containsEntry("field", "maxHops");
                    assertThat(errors.get(0).getErrorType().toString()).isEqualTo("BAD_REQUEST");
                });
        graphQl.documentName("reachable")
                .variable("from", "W0")
                .variable("maxHops", 10)
                .execute()
                .errors()
                .satisfy(errors -> {
                    assertThat(errors.get(0).getExtensions()).containsEntry("code", "LIMIT_EXCEEDED");
                    assertThat(errors.get(0).getMessage()).contains("node-budget");
                });
        graphQl.documentName("path")
                .variable("from", "W0")
                .variable("to", "NOPE")
                .execute()
                .errors()
                .satisfy(errors -> assertThat(errors.get(0).getExtensions()).containsEntry("code", "WIDGET_NOT_FOUND"));
    }
}
