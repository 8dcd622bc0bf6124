package com.widgets.ingest.export;

import com.widgets.db.Port;
import com.widgets.db.PortRef;
import com.widgets.db.PortType;
import com.widgets.db.Widget;
import com.widgets.db.WiringStore;
import java.io.Writer;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Streams the current wiring as a rewiring CSV file that reproduces it: every widget as an {@code add} line, then every
 * link once as a {@code link} line, paging through widgets by serial number inside one repeatable-read transaction.
 *
 * <p>On plain PostgreSQL that transaction is one snapshot. On Citus it is not — each worker has its own — so while
 * writes go on a page can show one end of a link without the other, or a port linked twice across pages. So every
 * link is reconciled before it is written: its far end is read again and must point back; both widgets must be the
 * very ones the {@code add} lines wrote (same creation time, so the same ports); and neither port may be in a link
 * already written. The file is then always a state that imports with no rejected line; during writes, a link that
 * changed while the export ran may be left out. What was written is remembered in two temporary tables on the
 * database (the connection's own, dropped at commit), so memory stays flat at any size.
 */
public class StateExport {

    static final String[] HEADER = {"op", "serial_number", "port", "peer_serial_number", "peer_port", "name", "ports"};

    private static final String CREATE_TABLES = """
            CREATE TEMPORARY TABLE export_widget (serial_number text COLLATE "C" PRIMARY KEY, created_at timestamptz)
                ON COMMIT DROP;
            CREATE TEMPORARY TABLE export_end (serial_number text COLLATE "C", port char(1),
                PRIMARY KEY (serial_number, port)) ON COMMIT DROP
            """;
    private static final String ADD_WIDGETS = """
            INSERT INTO export_widget SELECT * FROM unnest(?::text[], ?::timestamptz[])
            """;
    private static final String WRITTEN_WIDGETS = """
            SELECT serial_number, created_at FROM export_widget WHERE serial_number = ANY(?::text[])
            """;
    private static final String ADD_ENDS = "INSERT INTO export_end SELECT * FROM unnest(?::text[], ?::char[])";
    private static final String USED_ENDS = """
            SELECT serial_number, port FROM export_end
             WHERE (serial_number, port) IN (SELECT * FROM unnest(?::text[], ?::char[]))
            """;

    private final WiringStore store;
    private final JdbcTemplate jdbc;
    private final TransactionTemplate snapshot;

    public StateExport(WiringStore store, JdbcTemplate jdbc, PlatformTransactionManager transactions) {
        this.store = store;
        this.jdbc = jdbc;
        this.snapshot = new TransactionTemplate(transactions);
        this.snapshot.setIsolationLevel(TransactionDefinition.ISOLATION_REPEATABLE_READ);
    }

    /** Writes the export; returns the number of lines after the header. */
    public long write(Writer out) {
        CsvRows rows = new CsvRows(out, HEADER);
        Long lines = snapshot.execute(status -> {
            jdbc.execute(CREATE_TABLES);
            return adds(rows) + links(rows);
        });
        rows.flush();
        return lines == null ? 0 : lines;
    }

    /** Every widget as an add line, remembering which were written. */
    private long adds(CsvRows rows) {
        return eachPage(widgets -> {
            String[] serials = new String[widgets.size()];
            String[] created = new String[widgets.size()];
            for (int i = 0; i < widgets.size(); i++) {
                Widget widget = widgets.get(i);
                serials[i] = widget.serialNumber();
                created[i] = widget.createdAt().toString();
                rows.row(
                        "add",
                        widget.serialNumber(),
                        null,
                        null,
                        null,
                        widget.name(),
                        PortType.letters(widget.portTypes()));
            }
            jdbc.update(ADD_WIDGETS, serials, created);
            return widgets.size();
        });
    }

    /** Every link once, as a link line, reconciled. */
    private long links(CsvRows rows) {
        return eachPage(widgets -> {
            Map<PortRef, PortRef> links = reconciled(widgets);
            links.forEach((a, b) -> rows.row(
                    "link",
                    a.serialNumber(),
                    a.port().name(),
                    b.serialNumber(),
                    b.port().name(),
                    null,
                    null));
            return links.size();
        });
    }

    /** Pages through all widgets by serial number; returns the sum of the lines each page wrote. */
    private long eachPage(java.util.function.ToIntFunction<List<Widget>> page) {
        long lines = 0;
        String after = null;
        while (true) {
            List<Widget> widgets = store.widgetsAfter(after, WiringStore.MAX_PAGE);
            if (widgets.isEmpty()) {
                return lines;
            }
            lines += page.applyAsInt(widgets);
            after = widgets.get(widgets.size() - 1).serialNumber();
        }
    }

    /**
     * The page's links, each once from its end that sorts first, that hold on both ends as read again now, join the
     * very widgets the add lines wrote, and use no port of a link already written; recorded as written.
     */
    private Map<PortRef, PortRef> reconciled(List<Widget> widgets) {
        Map<PortRef, PortRef> candidates = new LinkedHashMap<>();
        Map<String, Widget> involved = new LinkedHashMap<>();
        for (Widget widget : widgets) {
            for (Port port : widget.ports()) {
                if (port.peer() != null
                        && widget.serialNumber().compareTo(port.peer().serialNumber()) < 0) {
                    candidates.put(new PortRef(widget.serialNumber(), port.type()), port.peer());
                    involved.put(widget.serialNumber(), widget);
                }
            }
        }
        if (candidates.isEmpty()) {
            return candidates;
        }
        Set<String> peers = new HashSet<>();
        candidates.values().forEach(peer -> peers.add(peer.serialNumber()));
        Map<String, Widget> peerWidgets = store.widgets(peers);
        involved.putAll(peerWidgets);
        Map<String, Timestamp> written = new java.util.HashMap<>();
        jdbc.query(
                WRITTEN_WIDGETS,
                rs -> {
                    written.put(rs.getString(1), rs.getTimestamp(2));
                },
                (Object) involved.keySet().toArray(String[]::new));
        candidates.entrySet().removeIf(link -> {
            PortRef a = link.getKey(), b = link.getValue();
            Widget far = peerWidgets.get(b.serialNumber());
            boolean pointsBack = far != null
                    && far.port(b.port()).map(p -> a.equals(p.peer())).orElse(false);
            return !pointsBack
                    || !sameAsWritten(involved.get(a.serialNumber()), written)
                    || !sameAsWritten(far, written);
        });
        List<String> s = new ArrayList<>(), p = new ArrayList<>();
        candidates.forEach((a, b) -> {
            s.add(a.serialNumber());
            p.add(a.port().name());
            s.add(b.serialNumber());
            p.add(b.port().name());
        });
        Set<PortRef> used = new HashSet<>();
        jdbc.query(
                USED_ENDS,
                rs -> {
                    used.add(new PortRef(rs.getString(1), PortType.valueOf(rs.getString(2))));
                },
                s.toArray(String[]::new),
                p.toArray(String[]::new));
        candidates.entrySet().removeIf(link -> !used.add(link.getKey()) | !used.add(link.getValue()));
        s.clear();
        p.clear();
        candidates.forEach((a, b) -> {
            s.add(a.serialNumber());
            p.add(a.port().name());
            s.add(b.serialNumber());
            p.add(b.port().name());
        });
        jdbc.update(ADD_ENDS, s.toArray(String[]::new), p.toArray(String[]::new));
        return candidates;
    }

    private static boolean sameAsWritten(Widget widget, Map<String, Timestamp> written) {
        Timestamp created = written.get(widget.serialNumber());
        return created != null && created.toInstant().equals(widget.createdAt());
    }
}
