package com.widgets.ingest.export;

import com.widgets.db.Port;
import com.widgets.db.PortType;
import com.widgets.db.Widget;
import com.widgets.db.WiringStore;
import java.io.Writer;
import java.util.List;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Streams the current wiring as a rewiring CSV file that reproduces it: every widget as an {@code add} line, then
 * every link once as a {@code link} line. Both passes page through widgets by serial number inside one
 * repeatable-read transaction, so the file is one consistent snapshot however long it takes.
 */
public class StateExport {

    static final String[] HEADER = {"op", "serial_number", "port", "peer_serial_number", "peer_port", "name", "ports"};

    private final WiringStore store;
    private final TransactionTemplate snapshot;

    public StateExport(WiringStore store, PlatformTransactionManager transactions) {
        this.store = store;
        this.snapshot = new TransactionTemplate(transactions);
        this.snapshot.setIsolationLevel(TransactionDefinition.ISOLATION_REPEATABLE_READ);
        this.snapshot.setReadOnly(true);
    }

    /** Writes the export; returns the number of lines after the header. */
    public long write(Writer out) {
        CsvRows rows = new CsvRows(out, HEADER);
        Long lines = snapshot.execute(status -> pass(rows, true) + pass(rows, false));
        rows.flush();
        return lines == null ? 0 : lines;
    }

    private long pass(CsvRows rows, boolean adds) {
        long lines = 0;
        String after = null;
        while (true) {
            List<Widget> widgets = store.widgetsAfter(after, WiringStore.MAX_PAGE);
            if (widgets.isEmpty()) {
                return lines;
            }
            for (Widget widget : widgets) {
                if (adds) {
                    rows.row(
                            "add",
                            widget.serialNumber(),
                            null,
                            null,
                            null,
                            widget.name(),
                            PortType.letters(widget.portTypes()));
                    lines++;
                    continue;
                }
                for (Port port : widget.ports()) {
                    // Each link once, from its end that sorts first.
                    if (port.peer() != null
                            && widget.serialNumber().compareTo(port.peer().serialNumber()) < 0) {
                        rows.row(
                                "link",
                                widget.serialNumber(),
                                port.type().name(),
                                port.peer().serialNumber(),
                                port.peer().port().name(),
                                null,
                                null);
                        lines++;
                    }
                }
            }
            after = widgets.get(widgets.size() - 1).serialNumber();
        }
    }
}
