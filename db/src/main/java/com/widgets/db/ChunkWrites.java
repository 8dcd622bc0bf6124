package com.widgets.db;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The chunk API: reads every widget a chunk names in one statement, simulates its operations in order in memory, then
 * writes the result with a few set-based check-and-set statements. If any row differs from what was read — an API
 * call committed in between — the chunk's writes are rolled back and the chunk is simulated again on fresh state, so a
 * concurrent change is never overwritten.
 *
 * <p>The writes run in a nested transaction: inside a caller's transaction (a batch step's chunk) a retry rolls back
 * to a savepoint and leaves the caller's own writes in place.
 */
final class ChunkWrites {

    /** Check-and-set of the peer of every touched row that stays; rows are listed in canonical lock order. */
    private static final String UPDATE_PEERS = """
            UPDATE port AS t
               SET peer_serial = v.ns, peer_port = v.np,
                   linked_at = CASE WHEN v.ns IS NULL THEN NULL
                                    WHEN v.ns = v.os AND v.np = v.op THEN t.linked_at
                                    ELSE now() END
              FROM unnest(?::text[], ?::char[], ?::text[], ?::char[], ?::text[], ?::char[]) AS v(s, p, os, op, ns, np)
             WHERE t.serial_number = v.s AND t.port = v.p
               AND t.peer_serial IS NOT DISTINCT FROM v.os AND t.peer_port IS NOT DISTINCT FROM v.op
            RETURNING t.serial_number
            """;
    /** Deletes the port rows of removed widgets, only if each still holds the peer it was read with. */
    private static final String DELETE_PORTS = """
            DELETE FROM port AS t
             USING unnest(?::text[], ?::char[], ?::text[], ?::char[]) AS v(s, p, os, op)
             WHERE t.serial_number = v.s AND t.port = v.p
               AND t.peer_serial IS NOT DISTINCT FROM v.os AND t.peer_port IS NOT DISTINCT FROM v.op
            RETURNING t.serial_number
            """;
    /** Deletes removed widgets, only the very ones that were read (created_at tells a re-added widget apart). */
    private static final String DELETE_WIDGETS = """
            DELETE FROM widget AS w
             USING unnest(?::text[], ?::text[]) AS v(s, c)
             WHERE w.serial_number = v.s AND w.created_at = v.c::timestamptz
            RETURNING w.serial_number
            """;

    private static final String INSERT_WIDGETS = """
            INSERT INTO widget (serial_number, name)
            SELECT s, n FROM unnest(?::text[], ?::text[]) AS v(s, n)
            ON CONFLICT (serial_number) DO NOTHING
            RETURNING serial_number
            """;
    private static final String INSERT_PORTS = """
            INSERT INTO port (serial_number, port, peer_serial, peer_port, linked_at)
            SELECT s, p, ps, pp, CASE WHEN ps IS NULL THEN NULL ELSE now() END
              FROM unnest(?::text[], ?::char[], ?::text[], ?::char[]) AS v(s, p, ps, pp)
            """;
    private static final String DELETE_ADDED = """
            DELETE FROM widget WHERE serial_number = ANY(?::text[])
            RETURNING serial_number
            """;
    private static final String HISTORY_IDS = """
            SELECT nextval('wiring_history_id_seq'), now() FROM generate_series(1, ?)
            """;
    /** COPY, not INSERT … SELECT unnest(…): no twelve arrays to encode and unpack; valid on Citus too. */
    private static final String COPY_HISTORY = """
            COPY wiring_history (id, serial_number, event, port, peer_serial, peer_port, name, ports,
                                 actor, request_id, job_id, line_number) FROM STDIN
            """;

    private final JdbcTemplate jdbc;
    private final Attempts attempts;
    private final TransactionTemplate nested;
    private final WidgetReads reads;

    ChunkWrites(JdbcTemplate jdbc, PlatformTransactionManager transactions, Attempts attempts, WidgetReads reads) {
        this.jdbc = jdbc;
        this.attempts = attempts;
        this.nested = new TransactionTemplate(transactions);
        this.nested.setPropagationBehavior(TransactionDefinition.PROPAGATION_NESTED);
        this.reads = reads;
    }

    List<OpOutcome> apply(List<? extends WiringOp> ops, boolean dryRun) {
        if (ops.isEmpty()) {
            return List.of();
        }
        Set<String> serials = ChunkSimulation.serials(ops);
        if (dryRun) {
            return attempts.run("This chunk", () -> simulate(ops, serials).outcomes());
        }
        return attempts.run(
                "Ports of this chunk",
                () -> nested.execute(status -> {
                    Simulated simulated = simulate(ops, serials);
                    write(simulated.simulation());
                    return simulated.outcomes();
                }));
    }

    private record Simulated(ChunkSimulation simulation, List<OpOutcome> outcomes) {}

    private Simulated simulate(List<? extends WiringOp> ops, Set<String> serials) {
        // Whole widget rows only where the rules need a name or creation time; port rows tell the rest. Each serial
        // number is read by one statement, so no widget is seen half before and half after a concurrent change.
        Set<String> full = ChunkSimulation.addedOrRemoved(ops);
        Map<String, Widget> found = new HashMap<>(reads.many(full));
        List<String> portsOnly = new ArrayList<>(serials.size());
        for (String serial : serials) {
            if (!full.contains(serial)) {
                portsOnly.add(serial);
            }
        }
        found.putAll(reads.portsForChunk(portsOnly));
        ChunkSimulation simulation = new ChunkSimulation(serials, found);
        List<OpOutcome> outcomes = new ArrayList<>(ops.size());
        for (WiringOp op : ops) {
            outcomes.add(simulation.apply(op));
        }
        return new Simulated(simulation, outcomes);
    }

    private void write(ChunkSimulation simulation) {
        if (simulation.events().isEmpty()) {
            return;
        }
        updatePeers(simulation);
        deleteRemoved(simulation);
        insertAdded(simulation);
        appendHistory(simulation.events());
    }

    private void updatePeers(ChunkSimulation simulation) {
        Map<PortRef, PortRef> rows = simulation.touchedRows();
        if (rows.isEmpty()) {
            return;
        }
        int n = rows.size(), i = 0;
        String[] s = new String[n], p = new String[n], os = new String[n], op = new String[n];
        String[] ns = new String[n], np = new String[n];
        for (Map.Entry<PortRef, PortRef> row : rows.entrySet()) {
            PortRef port = row.getKey(), before = row.getValue(), after = simulation.finalPeer(port);
            s[i] = port.serialNumber();
            p[i] = port.port().name();
            os[i] = before == null ? null : before.serialNumber();
            op[i] = before == null ? null : before.port().name();
            ns[i] = after == null ? null : after.serialNumber();
            np[i] = after == null ? null : after.port().name();
            i++;
        }
        expect(n, jdbc.queryForList(UPDATE_PEERS, String.class, s, p, os, op, ns, np));
    }

    private void deleteRemoved(ChunkSimulation simulation) {
        List<String> s = new ArrayList<>(), p = new ArrayList<>(), os = new ArrayList<>(), op = new ArrayList<>();
        List<String> serials = new ArrayList<>(), created = new ArrayList<>();
        for (ChunkSimulation.WidgetState widget : simulation.widgets()) {
            if (!widget.initialRemoved) {
                continue;
            }
            serials.add(widget.serial);
            created.add(widget.initial.createdAt().toString());
            for (Port port : widget.initial.ports()) {
                s.add(widget.serial);
                p.add(port.type().name());
                os.add(port.peer() == null ? null : port.peer().serialNumber());
                op.add(port.peer() == null ? null : port.peer().port().name());
            }
        }
        if (serials.isEmpty()) {
            return;
        }
        expect(s.size(), jdbc.queryForList(DELETE_PORTS, String.class, array(s), array(p), array(os), array(op)));
        expect(serials.size(), jdbc.queryForList(DELETE_WIDGETS, String.class, array(serials), array(created)));
    }

    private void insertAdded(ChunkSimulation simulation) {
        List<String> serials = new ArrayList<>(), names = new ArrayList<>(), gone = new ArrayList<>();
        List<String> s = new ArrayList<>(), p = new ArrayList<>(), ps = new ArrayList<>(), pp = new ArrayList<>();
        for (ChunkSimulation.WidgetState widget : simulation.widgets()) {
            if (!widget.anyAdded) {
                continue;
            }
            // A widget added and removed again within the chunk is still inserted and deleted: that checks it
            // did not exist, and keeps a concurrent add of the same serial number waiting until we commit.
            serials.add(widget.serial);
            names.add(widget.name);
            if (!widget.exists) {
                gone.add(widget.serial);
                continue;
            }
            widget.peers.forEach((type, peer) -> {
                s.add(widget.serial);
                p.add(type.name());
                ps.add(peer == null ? null : peer.serialNumber());
                pp.add(peer == null ? null : peer.port().name());
            });
        }
        if (serials.isEmpty()) {
            return;
        }
        expect(serials.size(), jdbc.queryForList(INSERT_WIDGETS, String.class, array(serials), array(names)));
        if (!s.isEmpty()) {
            jdbc.update(INSERT_PORTS, array(s), array(p), array(ps), array(pp));
        }
        if (!gone.isEmpty()) {
            expect(gone.size(), jdbc.queryForList(DELETE_ADDED, String.class, (Object) array(gone)));
        }
    }

    private void appendHistory(List<ChunkSimulation.Event> events) {
        int n = events.size();
        List<Long> ids = new ArrayList<>(n);
        Instant[] at = new Instant[1];
        jdbc.query(
                HISTORY_IDS,
                rs -> {
                    ids.add(rs.getLong(1));
                    Timestamp now = rs.getTimestamp(2);
                    at[0] = now.toInstant();
                },
                n);
        ids.sort(null);
        StringBuilder rows = new StringBuilder(n * 64);
        List<WiringEvent> notices = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            ChunkSimulation.Event e = events.get(i);
            long id = ids.get(i);
            Origin origin = e.origin();
            rows.append(id).append('\t');
            HistoryCopy.text(rows, e.serial()).append('\t');
            rows.append(e.type().name()).append('\t');
            HistoryCopy.text(rows, e.port() == null ? null : e.port().name()).append('\t');
            HistoryCopy.text(rows, e.peer() == null ? null : e.peer().serialNumber())
                    .append('\t');
            HistoryCopy.text(rows, e.peer() == null ? null : e.peer().port().name())
                    .append('\t');
            HistoryCopy.text(rows, e.name()).append('\t');
            HistoryCopy.text(rows, e.ports() == null ? null : PortType.letters(e.ports()))
                    .append('\t');
            HistoryCopy.text(rows, origin.actor()).append('\t');
            HistoryCopy.text(rows, origin.requestId()).append('\t');
            HistoryCopy.number(rows, origin.jobId()).append('\t');
            HistoryCopy.number(rows, origin.lineNumber()).append('\n');
            notices.add(
                    new WiringEvent(id, at[0], e.serial(), e.type(), e.port(), e.peer(), e.name(), e.ports(), origin));
        }
        HistoryCopy.copy(jdbc, COPY_HISTORY, rows);
        WiringNotices.publishMany(jdbc, notices);
    }

    private static String[] array(List<String> values) {
        return values.toArray(String[]::new);
    }

    /** Any row count other than the one the simulation expects means another writer got there first. */
    private static void expect(int rows, List<String> written) {
        if (written.size() != rows) {
            throw new Attempts.StateChanged();
        }
    }
}
