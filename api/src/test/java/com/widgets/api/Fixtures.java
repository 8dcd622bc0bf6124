package com.widgets.api;

import static com.widgets.db.PortType.P;
import static com.widgets.db.PortType.Q;
import static com.widgets.db.PortType.R;

import com.widgets.db.Origin;
import com.widgets.db.PortRef;
import com.widgets.db.WiringStore;
import com.widgets.db.testing.WiringDatabase;
import java.util.Set;
import org.springframework.jdbc.core.JdbcTemplate;

/** The small wiring the samples and end-to-end tests start from. */
public final class Fixtures {

    private Fixtures() {}

    /** The admin token the tests' settings configure ({@code widgets.security.admin-token}). */
    public static final String ADMIN_TOKEN = "test-admin-token";

    /** The {@code Authorization} header value of {@link #ADMIN_TOKEN}. */
    public static final String BEARER = "Bearer " + ADMIN_TOKEN;

    /** SN-1 (P, R) linked P–Q to SN-2 (Q) and R–Q to SN-3 (P, Q); SN-4 (P, R) free. */
    public static void sampleWiring(JdbcTemplate jdbc, WiringStore store) {
        new WiringDatabase(jdbc).reset();
        Origin setup = Origin.request("fixture", "fixture");
        store.addWidget("SN-1", "Widget1", Set.of(P, R), setup);
        store.addWidget("SN-2", "Widget2", Set.of(Q), setup);
        store.addWidget("SN-3", "Widget3", Set.of(P, Q), setup);
        store.addWidget("SN-4", "Widget4", Set.of(P, R), setup);
        store.link(new PortRef("SN-1", P), new PortRef("SN-2", Q), setup);
        store.link(new PortRef("SN-1", R), new PortRef("SN-3", Q), setup);
    }
}
