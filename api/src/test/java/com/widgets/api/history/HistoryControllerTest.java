package com.widgets.api.history;

import static com.widgets.db.PortType.P;
import static com.widgets.db.PortType.Q;
import static org.assertj.core.api.Assertions.assertThat;

import com.widgets.api.StoreSlice;
import com.widgets.db.Origin;
import com.widgets.db.PortRef;
import com.widgets.db.WiringStore;
import com.widgets.db.testing.WiringDatabase;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.graphql.test.autoconfigure.GraphQlTest;
import org.springframework.graphql.test.tester.GraphQlTester;
import org.springframework.jdbc.core.JdbcTemplate;

/** A widget's history through GraphQL, newest first, paged, kept after removal. */
@GraphQlTest(HistoryController.class)
@StoreSlice
class HistoryControllerTest {

    @Autowired
    GraphQlTester graphQl;

    @Autowired
    WiringStore store;

    @Autowired
    JdbcTemplate jdbc;

    @BeforeEach
    void history() {
        new WiringDatabase(jdbc).reset();
        Origin alice = Origin.request("alice", "req-a");
        store.addWidget("A", "a", Set.of(P), alice);
        store.addWidget("B", "b", Set.of(Q), alice);
        store.link(new PortRef("A", P), new PortRef("B", Q), Origin.request("bob", "req-b"));
        store.removeWidget("A", Origin.request("carol", "req-c"));
    }

    @Test
    void listsEventsNewestFirstAcrossPagesWithTheirOrigin() {
        List<String> seen = new ArrayList<>();
        String after = null;
        boolean more = true;
        while (more) {
            var page = graphQl.documentName("history")
                    .variable("serialNumber", "A")
                    .variable("first", 2)
                    .variable("after", after)
                    .execute();
            seen.addAll(page.path("wiringHistory.edges[*].node.type")
                    .entityList(String.class)
                    .get());
            more = page.path("wiringHistory.pageInfo.hasNextPage")
                    .entity(Boolean.class)
                    .get();
            after = page.path("wiringHistory.pageInfo.endCursor")
                    .entity(String.class)
                    .get();
        }
        assertThat(seen).containsExactly("REMOVED", "UNLINKED", "LINKED", "ADDED");

        var newest = graphQl.documentName("history")
                .variable("serialNumber", "A")
                .variable("first", 4)
                .execute();
        newest.path("wiringHistory.edges[0].node.origin.actor")
                .entity(String.class)
                .isEqualTo("carol");
        newest.path("wiringHistory.edges[2].node.peer.serialNumber")
                .entity(String.class)
                .isEqualTo("B");
        newest.path("wiringHistory.edges[2].node.origin.requestId")
                .entity(String.class)
                .isEqualTo("req-b");
        newest.path("wiringHistory.edges[3].node.ports")
                .entityList(String.class)
                .containsExactly("P");
        newest.path("wiringHistory.edges[0].node.cursor")
                .valueIsNull(); // a subscription's resume point; a history page's edges carry its own cursor
        newest.path("wiringHistory.pageInfo.hasNextPage").entity(Boolean.class).isEqualTo(false);
    }
}
