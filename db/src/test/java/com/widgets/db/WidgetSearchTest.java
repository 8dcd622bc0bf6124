package com.widgets.db;

import static com.widgets.db.PortType.P;
import static com.widgets.db.PortType.Q;
import static com.widgets.db.PortType.R;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.widgets.db.testing.TestApplication;
import com.widgets.db.testing.WiringDatabase;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;

/** Filtered keyset pages: each condition alone, together, and paging through all matches without gaps or repeats. */
@SpringBootTest(classes = TestApplication.class)
class WidgetSearchTest {

    private static final Origin ME = Origin.request("tester", "req-search");

    @Autowired
    WiringStore store;

    @Autowired
    JdbcTemplate jdbc;

    @BeforeEach
    void wiring() {
        new WiringDatabase(jdbc).reset();
        add("A_1", "alpha", P, R);
        add("A_2", "beta", P);
        add("AB", "alpine", Q);
        add("A-3", "alp", R);
        add("B1", "alpha", P, Q);
        add("Az", "zeta", P);
        store.link(new PortRef("A_1", P), new PortRef("B1", Q), ME);
    }

    private void add(String serial, String name, PortType... ports) {
        store.addWidget(serial, name, EnumSet.of(ports[0], ports), ME);
    }

    private List<String> serials(WidgetFilter filter) {
        return store.widgetsAfter(null, 100, filter).widgets().stream()
                .map(Widget::serialNumber)
                .toList();
    }

    @Test
    void filtersBySerialPrefixTakingUnderscoreLiterally() {
        assertThat(serials(new WidgetFilter("A_", null, null))).containsExactly("A_1", "A_2");
        assertThat(serials(new WidgetFilter("A", null, null))).containsExactly("A-3", "AB", "A_1", "A_2", "Az");
        assertThat(serials(new WidgetFilter("Az", null, null))).containsExactly("Az");
    }

    @Test
    void filtersByNamePrefixAndFreePort() {
        assertThat(serials(new WidgetFilter(null, "alp", null))).containsExactly("A-3", "AB", "A_1", "B1");
        assertThat(serials(new WidgetFilter(null, null, P))).containsExactly("A_2", "Az", "B1");
        assertThat(serials(new WidgetFilter(null, null, Q))).containsExactly("AB");
        assertThat(serials(new WidgetFilter("A", "alp", R))).containsExactly("A-3", "A_1");
        assertThat(serials(WidgetFilter.NONE)).hasSize(6);
    }

    @Test
    void pagesThroughMatchesTellingWhetherMoreFollow() {
        List<String> seen = new ArrayList<>();
        String after = null;
        int pages = 0;
        WidgetPage page;
        do {
            page = store.widgetsAfter(after, 2, new WidgetFilter("A", null, null));
            page.widgets().forEach(w -> seen.add(w.serialNumber()));
            after = page.lastSerialNumber();
            pages++;
        } while (page.hasMore());
        assertThat(seen).containsExactly("A-3", "AB", "A_1", "A_2", "Az");
        assertThat(pages).isEqualTo(3);
    }

    @Test
    void refusesAMalformedPrefixOrPageSizeNamingTheField() {
        assertThatThrownBy(() -> store.widgetsAfter(null, 10, new WidgetFilter("no spaces", null, null)))
                .isInstanceOfSatisfying(WiringException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_INPUT);
                    assertThat(e.field()).isEqualTo("filter.serialNumberPrefix");
                });
        assertThatThrownBy(() -> store.widgetsAfter(null, 1001, WidgetFilter.NONE))
                .isInstanceOfSatisfying(
                        WiringException.class, e -> assertThat(e.field()).isEqualTo("first"));
    }
}
