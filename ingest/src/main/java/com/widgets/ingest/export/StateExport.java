package com.widgets.ingest.export;

import com.widgets.db.Port;
import com.widgets.db.PortType;
import com.widgets.db.Widget;
import com.widgets.db.WiringStore;
import java.io.IOException;
import java.io.UncheckedIOException;
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

    static final String HEADER = "op,serial_number,port,peer_serial_number,peer_port,name,ports\n";

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
        Long lines = snapshot.execute(status -> {
            try {
                out.write(HEADER);
                return pass(out, true) + pass(out, false);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        try {
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return lines == null ? 0 : lines;
    }

    private long pass(Writer out, boolean adds) throws IOException {
        long lines = 0;
        String after = null;
        StringBuilder page = new StringBuilder();
        while (true) {
            List<Widget> widgets = store.widgetsAfter(after, WiringStore.MAX_PAGE);
            if (widgets.isEmpty()) {
                return lines;
            }
            page.setLength(0);
            for (Widget widget : widgets) {
                if (adds) {
                    page.append("add,")
                            .append(widget.serialNumber())
                            .append(",,,,")
                            .append(csv(widget.name()))
                            .append(',')
                            .append(PortType.letters(widget.portTypes()))
                            .append('\n');
                    lines++;
                    continue;
                }
                for (Port port : widget.ports()) {
                    // Each link once, from its end that sorts first.
                    if (port.peer() != null
                            && widget.serialNumber().compareTo(port.peer().serialNumber()) < 0) {
                        page.append("link,")
                                .append(widget.serialNumber())
                                .append(',')
                                .append(port.type())
                                .append(',')
                                .append(port.peer().serialNumber())
                                .append(',')
                                .append(port.peer().port())
                                .append(",,\n");
                        lines++;
                    }
                }
            }
            out.write(page.toString());
            after = widgets.get(widgets.size() - 1).serialNumber();
        }
    }

    private static String csv(String value) {
        if (value.indexOf(',') < 0 && value.indexOf('"') < 0) {
            return value;
        }
        return '"' + value.replace("\"", "\"\"") + '"';
    }
}
