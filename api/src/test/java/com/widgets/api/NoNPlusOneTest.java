package com.widgets.api;

import static com.widgets.db.PortType.P;
import static com.widgets.db.PortType.Q;
import static com.widgets.db.PortType.R;
import static org.assertj.core.api.Assertions.assertThat;

import com.widgets.db.Origin;
import com.widgets.db.PortRef;
import com.widgets.db.WiringStore;
import com.widgets.db.testing.TestDatabases;
import com.widgets.db.testing.WiringDatabase;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.graphql.test.tester.HttpGraphQlTester;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The query, two levels of peers deep, costs the same small number of SQL statements for a page of 20 as for
 * a page of 100: nested widgets are read in batches, never one by one.
 */
@ApiTest
class NoNPlusOneTest {

    @Autowired
    HttpGraphQlTester http;

    @Autowired
    WiringStore store;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    StatementCounter statements;

    @BeforeEach
    void ringOf150LinkedWidgets() {
        new WiringDatabase(jdbc).reset();
        Origin setup = Origin.request("setup", "setup");
        int n = 150;
        for (int i = 0; i < n; i++) {
            store.addWidget(String.format("N-%03d", i), "w" + i, Set.of(P, Q, R), setup);
        }
        for (int i = 0; i < n; i++) {
            store.link(
                    new PortRef(String.format("N-%03d", i), R),
                    new PortRef(String.format("N-%03d", (i + 1) % n), P),
                    setup);
        }
    }

    private long statementsFor(int first) {
        long before = statements.count();
        int edges = http.documentName("nPlusOne")
                .variable("first", first)
                .execute()
                .path("widgets.edges")
                .entityList(Object.class)
                .get()
                .size();
        assertThat(edges).isEqualTo(first);
        return statements.count() - before;
    }

    @Test
    void constantStatementsWhateverThePageSize() {
        long twenty = statementsFor(20);
        long hundred = statementsFor(100);
        // one for the page of serial numbers, one for its widgets, one for all the peers' widgets; on Citus the last
        // two are each preceded by the look-up of their serial numbers' shards (a statement per shard, sent as one)
        assertThat(twenty).isEqualTo(TestDatabases.onCitus() ? 5 : 3);
        assertThat(hundred).isEqualTo(twenty);
    }
}
