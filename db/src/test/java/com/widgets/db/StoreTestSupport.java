package com.widgets.db;

import static com.widgets.db.PortType.P;
import static com.widgets.db.PortType.Q;
import static com.widgets.db.PortType.R;

import com.widgets.db.testing.TestApplication;
import com.widgets.db.testing.WiringDatabase;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;

/** The store on the shared embedded PostgreSQL, emptied before each test, with SQL checks of what it wrote. */
@SpringBootTest(classes = TestApplication.class)
abstract class StoreTestSupport {

    @Autowired
    WiringStore store;

    @Autowired
    JdbcTemplate jdbc;

    WiringDatabase db;

    @BeforeEach
    void emptyDatabase() {
        db = new WiringDatabase(jdbc);
        db.reset();
    }

    /** The outcome of one operation through the single-operation API, in the chunk API's terms. */
    OpOutcome single(WiringOp op) {
        try {
            boolean changed;
            if (op instanceof WiringOp.AddWidget add) {
                changed = store.addWidget(add.serialNumber(), add.name(), add.ports(), add.origin())
                        .changed();
            } else if (op instanceof WiringOp.RemoveWidget remove) {
                changed = store.removeWidget(remove.serialNumber(), remove.origin())
                        .changed();
            } else if (op instanceof WiringOp.LinkPorts link) {
                changed = store.link(link.a(), link.b(), link.origin()).changed();
            } else {
                WiringOp.UnlinkPort unlink = (WiringOp.UnlinkPort) op;
                changed = store.unlink(unlink.end(), unlink.expectedPeer(), unlink.origin())
                        .changed();
            }
            return OpOutcome.of(op.origin(), changed);
        } catch (WiringException e) {
            return OpOutcome.rejected(op.origin(), e);
        }
    }

    /** A random link, unlink, remove or add among widgets W0 … W{widgets - 1}, links the most frequent. */
    static WiringOp randomOp(int widgets, Origin origin) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        PortType[] types = PortType.values();
        String a = "W" + random.nextInt(widgets), b = "W" + random.nextInt(widgets);
        PortRef pa = new PortRef(a, types[random.nextInt(3)]), pb = new PortRef(b, types[random.nextInt(3)]);
        int dice = random.nextInt(100);
        if (dice < 55) {
            return new WiringOp.LinkPorts(pa, pb, origin);
        }
        if (dice < 90) {
            return new WiringOp.UnlinkPort(pa, null, origin);
        }
        if (dice < 95) {
            return new WiringOp.RemoveWidget(a, origin);
        }
        return new WiringOp.AddWidget(a, "w" + a.substring(1), Set.of(P, R, Q), origin);
    }
}
