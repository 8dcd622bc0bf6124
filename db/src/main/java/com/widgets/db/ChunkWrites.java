package com.widgets.db;

import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.UncategorizedSQLException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.TransactionStatus;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The chunk API: reads every widget a chunk names (each whole by one statement), simulates its operations in order in
 * memory, then writes the result with a few set-based check-and-set statements. If any row differs from what was read —
 * an API call committed in between — the chunk's writes are rolled back and the chunk is simulated again on fresh
 * state, so a concurrent change is never overwritten. A chunk of links alone is first simulated without the read, on
 * ports assumed free, and its check-and-set write tells whether that was so; a chunk of adds alone likewise on widgets
 * assumed not to exist, which its insert checks ({@code writeAsAssumed}).
 *
 * <p>{@link #apply} writes in a nested transaction: inside a caller's transaction a retry rolls back to a savepoint and
 * leaves the caller's own writes in place. {@link #applyInParts} commits on its own instead, and when a chunk keeps
 * meeting concurrent changes it locks the rows it reads before reading them, and if even that keeps failing it splits
 * the chunk — halves, down to single operations — each part committed in a short transaction of its own, so a bulk job
 * makes progress while people work on the same widgets and never holds a lock beyond one part.
 */
final class ChunkWrites {

    /**
     * Check-and-set of the peer of every touched row that stays; rows are listed in canonical lock order. The link time
     * is the chunk's timestamp, bound as a parameter: Citus refuses {@code now()} beside column references in a
     * multi-shard UPDATE. The update count tells whether every row was as read, as it does for the chunk's deletes: no
     * {@code RETURNING} rows to send back.
     */
    private static final String UPDATE_PEERS = """
            UPDATE port AS t
               SET peer_serial = v.ns, peer_port = v.np,
                   linked_at = CASE WHEN v.ns IS NULL THEN NULL
                                    WHEN v.ns = v.os AND v.np = v.op THEN t.linked_at
                                    ELSE ?::timestamptz END
              FROM unnest(?::text[], ?::char[], ?::text[], ?::char[], ?::text[], ?::char[]) AS v(s, p, os, op, ns, np)
             WHERE t.serial_number = v.s AND t.port = v.p
               AND t.peer_serial IS NOT DISTINCT FROM v.os AND t.peer_port IS NOT DISTINCT FROM v.op
            """;
    /** Deletes the port rows of removed widgets, only if each still holds the peer it was read with. */
    private static final String DELETE_PORTS = """
            DELETE FROM port AS t
             USING unnest(?::text[], ?::char[], ?::text[], ?::char[]) AS v(s, p, os, op)
             WHERE t.serial_number = v.s AND t.port = v.p
               AND t.peer_serial IS NOT DISTINCT FROM v.os AND t.peer_port IS NOT DISTINCT FROM v.op
            """;
    /**
     * Deletes removed widgets, only the very ones that were read (created_at tells a re-added widget apart). The times
     * are cast as one array parameter: Citus refuses a cast of each row's text beside a column (the cast is STABLE).
     */
    private static final String DELETE_WIDGETS = """
            DELETE FROM widget AS w
             USING unnest(?::text[], ?::timestamptz[]) AS v(s, c)
             WHERE w.serial_number = v.s AND w.created_at = v.c
            """;

    /**
     * The three statements above for the rows of one shard ({@link PerShard}): Citus cannot route a join with {@code
     * unnest(…)}, and sends it with all its arrays to every shard; a condition on the distribution column lets it.
     */
    private static final String UPDATE_PEERS_ON_ONE_SHARD = UPDATE_PEERS + " AND t.serial_number = ANY(?::text[])";

    private static final String DELETE_PORTS_ON_ONE_SHARD = DELETE_PORTS + " AND t.serial_number = ANY(?::text[])";
    private static final String DELETE_WIDGETS_ON_ONE_SHARD = DELETE_WIDGETS + " AND w.serial_number = ANY(?::text[])";

    private static final String LOCK_WIDGET = "UPDATE widget SET name = name WHERE serial_number = ?";
    private static final String LOCK_PORTS = "UPDATE port SET linked_at = linked_at WHERE serial_number = ?";

    /**
     * Inserts the widgets the chunk adds; one that exists after all (added since the chunk read) fails the statement
     * with a unique violation, and the chunk is read and simulated again. Neither {@code ON CONFLICT} nor {@code
     * RETURNING}: on Citus either sends the rows through intermediate results, on a new connection per shard.
     */
    private static final String INSERT_WIDGETS = """
            INSERT INTO widget (serial_number, name)
            SELECT s, n FROM unnest(?::text[], ?::text[]) AS v(s, n)
            """;

    /** The SQLSTATE of an error Citus relays from a worker without the worker's own (internal_error). */
    private static final String RELAYED_BY_CITUS = "XX000";

    private static final String INSERT_PORTS = """
            INSERT INTO port (serial_number, port, peer_serial, peer_port, linked_at)
            SELECT s, p, ps, pp, CASE WHEN ps IS NULL THEN NULL ELSE ?::timestamptz END
              FROM unnest(?::text[], ?::char[], ?::text[], ?::char[]) AS v(s, p, ps, pp)
            """;
    private static final String DELETE_ADDED = """
            DELETE FROM widget WHERE serial_number = ANY(?::text[])
            """;
    /** The transaction's timestamp: the link time of the chunk's rows (history rows take it by default). */
    private static final String NOW = "SELECT now()";
    /** Ids for the chunk's history rows, in event order. */
    static final String HISTORY_IDS = """
            SELECT nextval('wiring_history_id_seq') FROM generate_series(1, ?)
            """;
    /** COPY, not INSERT … SELECT unnest(…): no twelve arrays to encode and unpack; valid on Citus too. */
    private static final String COPY_HISTORY = """
            COPY wiring_history (id, serial_number, event, port, peer_serial, peer_port, name, ports,
                                 actor, request_id, job_id, line_number) FROM STDIN
            """;

    /**
     * On Citus, one connection per worker for each chunk's statements. By default a multi-shard {@code COPY} or {@code
     * INSERT … SELECT} opens a connection for each shard it writes, up to {@code citus.max_adaptive_executor_pool_size}
     * (16) per worker, and a coordinator session keeps one per worker after a transaction: every chunk opened and
     * closed ~30 connections (pgbench on the lane's cluster, 1,000 rows: {@code INSERT … SELECT} 330 ms, the
     * check-and-set {@code UPDATE} 43 ms; with one connection per worker 12 ms and 18 ms). The shards of a worker are
     * then written one after the other over the connection the session keeps; the workers still work in parallel, and
     * a chunk holds no more connections to a worker than a single link does. An inert custom setting on plain
     * PostgreSQL.
     */
    private static final String ONE_CONNECTION_PER_WORKER = "SET LOCAL citus.max_adaptive_executor_pool_size = 1";

    /**
     * A chunk's write waits at most this long for a row lock, then gives way and tries again. Rows of a multi-shard
     * write are locked shard by shard in parallel on Citus, not in the canonical order single links use, so a wait can
     * be one half of a lock cycle; giving way breaks it long before Citus's distributed deadlock detector would (~2 s).
     * Run first in each chunk transaction, with {@link #ONE_CONNECTION_PER_WORKER}.
     */
    private static final String CHUNK_SETTINGS = Attempts.lockWait(500) + "; " + ONE_CONNECTION_PER_WORKER;

    /** Tries of a part of more than one operation before it is split. */
    private static final int TRIES_BEFORE_SPLIT = 3;
    /** The most operations a part that locks its rows before reading them takes on. */
    private static final int LOCKED_PART = 250;
    /** Tries of a single operation, which cannot be split: like an API call, it waits its turn. */
    private static final int TRIES_OF_ONE = 200;

    private final JdbcTemplate jdbc;
    private final Attempts attempts;
    private final Attempts beforeSplit = new Attempts(TRIES_BEFORE_SPLIT);
    private final Attempts ofOne = new Attempts(TRIES_OF_ONE);
    private final TransactionTemplate nested;
    private final TransactionTemplate own;
    private final WidgetReads reads;
    private final PerShard perShard;
    private final Assuming assuming = new Assuming();
    private final Assuming assumingAdds = new Assuming();

    ChunkWrites(
            JdbcTemplate jdbc,
            PlatformTransactionManager transactions,
            Attempts attempts,
            WidgetReads reads,
            PerShard perShard) {
        this.jdbc = jdbc;
        this.attempts = attempts;
        this.nested = new TransactionTemplate(transactions);
        this.nested.setPropagationBehavior(TransactionDefinition.PROPAGATION_NESTED);
        this.own = new TransactionTemplate(transactions);
        this.own.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
        this.reads = reads;
        this.perShard = perShard;
    }

    List<OpOutcome> applyInParts(List<? extends WiringOp> ops, WiringStore.PartRecorder recorder) {
        return applyInParts(ops, recorder, null);
    }

    /** As {@link #applyInParts(List, WiringStore.PartRecorder)}, told of by {@code ahead} (see {@link Ahead}). */
    List<OpOutcome> applyInParts(List<? extends WiringOp> ops, WiringStore.PartRecorder recorder, Ahead ahead) {
        List<OpOutcome> all = new ArrayList<>(ops.size());
        if (ops.isEmpty()) {
            attempts.run(
                    "This chunk",
                    () -> own.execute(status -> {
                        recorder.record(0, List.of());
                        return null;
                    }));
            return all;
        }
        applyPart(ops, 0, false, recorder, all, ahead);
        return all;
    }

    /**
     * What a caller applying chunks one after the other does beside {@link #applyInParts}: it may hand a chunk the
     * widgets it names as read ahead, and reads the next chunk's while this one is written ({@link ChunkRun}). Told of
     * each attempt at the chunk as one part, on the caller's thread.
     */
    interface Ahead {
        /** An attempt at the whole chunk begins: what an earlier attempt started reading is of no use. */
        void attempt();

        /** The chunk read and judged ahead, on what it would have read now; null to read and judge it now. Once. */
        Simulated take();

        /**
         * The attempt judged the chunk as {@code simulation} and now writes it, in a transaction of time {@code at}
         * (null: nothing to write).
         */
        void judged(ChunkSimulation simulation, Timestamp at);

        /** The chunk met so many changes that it is written in parts. */
        void split();
    }

    private void applyPart(
            List<? extends WiringOp> ops,
            int offset,
            boolean locked,
            WiringStore.PartRecorder recorder,
            List<OpOutcome> all,
            Ahead ahead) {
        Set<String> serials = ChunkSimulation.serials(ops);
        try {
            all.addAll((ops.size() == 1 && locked ? ofOne : beforeSplit)
                    .run(
                            "Ports of this chunk",
                            () -> own.execute(status -> {
                                jdbc.execute(CHUNK_SETTINGS);
                                if (locked) {
                                    lock(serials);
                                }
                                List<OpOutcome> outcomes = judgeAndWrite(ops, serials, !locked, status, ahead);
                                recorder.record(offset, outcomes);
                                return outcomes;
                            })));
        } catch (WiringException e) {
            if (e.code() != ErrorCode.CONTENTION || (locked && ops.size() == 1)) {
                throw e;
            }
            if (ahead != null) {
                ahead.split();
            }
            if (!locked) {
                recorder.lockingRows();
                // Locked parts stay small: whoever waits for their rows waits for one short transaction.
                for (int from = 0; from < ops.size(); from += LOCKED_PART) {
                    List<? extends WiringOp> part = ops.subList(from, Math.min(ops.size(), from + LOCKED_PART));
                    applyPart(part, offset + from, true, recorder, all, null);
                }
                return;
            }
            int half = ops.size() / 2;
            applyPart(ops.subList(0, half), offset, true, recorder, all, null);
            applyPart(ops.subList(half, ops.size()), offset + half, true, recorder, all, null);
        }
    }

    /**
     * Locks the rows the part will read before reading them, so no one changes them between the read and the
     * check-and-set write: widget rows, then port rows, serial number by serial number in the canonical order single
     * links lock in, so a link waiting here is never half of a lock cycle. One no-op UPDATE per serial number in one
     * batch (Citus refuses {@code SELECT … FOR UPDATE} across shards, and routes these to one shard each). Only for parts
     * that kept meeting changes: it costs a row version per port, which the optimistic path does not pay.
     */
    private void lock(Set<String> serials) {
        List<Object[]> inOrder = new ArrayList<>(serials.size());
        serials.stream().sorted().forEach(serial -> inOrder.add(new Object[] {serial}));
        jdbc.batchUpdate(LOCK_WIDGET, inOrder);
        jdbc.batchUpdate(LOCK_PORTS, inOrder);
    }

    List<OpOutcome> apply(List<? extends WiringOp> ops) {
        if (ops.isEmpty()) {
            return List.of();
        }
        Set<String> serials = ChunkSimulation.serials(ops);
        return attempts.run(
                "Ports of this chunk",
                () -> nested.execute(status -> {
                    jdbc.execute(CHUNK_SETTINGS);
                    return judgeAndWrite(ops, serials, true, status, null);
                }));
    }

    /** A chunk judged: the simulation to write, and each operation's outcome. */
    record Simulated(ChunkSimulation simulation, List<OpOutcome> outcomes) {}

    /**
     * Judges the operations and writes what they change, in the caller's transaction: unread when {@code mayAssume}
     * and the chunk qualifies ({@link #writeAsAssumed}), otherwise on the rows as read.
     */
    private List<OpOutcome> judgeAndWrite(
            List<? extends WiringOp> ops,
            Set<String> serials,
            boolean mayAssume,
            TransactionStatus status,
            Ahead ahead) {
        if (ahead != null) {
            ahead.attempt();
        }
        Simulated simulated = mayAssume ? writeAsAssumed(ops, serials, status) : null;
        if (simulated == null) {
            simulated = ahead == null ? null : ahead.take();
            if (simulated == null) {
                simulated = simulate(ops, serials, read(ops, serials));
            }
            Timestamp now = simulated.simulation().events().isEmpty() ? null : now();
            if (ahead != null) {
                ahead.judged(simulated.simulation(), now);
            }
            write(simulated.simulation(), now);
        }
        return simulated.outcomes();
    }

    /**
     * Writes a chunk without reading it first, on an assumption its own writes verify row by row:
     *
     * <ul>
     *   <li>a chunk of links assumes that every port it names exists and is free — what a file of new links finds.
     *       Every port a link names is a row its check-and-set update moves from "no peer", so if all of them are
     *       written the chunk was judged on the state it met, exactly as if it had been read;
     *   <li>a chunk of adds assumes that none of its widgets exists — what a file of new widgets finds. Every serial
     *       number it names is a row its insert creates, and an existing one fails the insert (a unique violation).
     * </ul>
     *
     * <p>Returns null, with nothing written, when the chunk holds anything else (or both kinds), when a line would not
     * apply even on the assumed state, or when a row differed (rolled back to a savepoint): the caller then reads and
     * judges as usual. After an assumption that did not hold, the next chunks of that kind are read first, more of them
     * after each further miss (a file whose lines often meet busy ports or existing widgets pays one wasted write now
     * and then, not per chunk).
     */
    private Simulated writeAsAssumed(List<? extends WiringOp> ops, Set<String> serials, TransactionStatus status) {
        if (!writtenUnread(ops)) {
            return null;
        }
        boolean links = ops.get(0) instanceof WiringOp.LinkPorts;
        Assuming kind = links ? assuming : assumingAdds;
        if (!kind.mayAssume()) {
            return null;
        }
        Map<String, Widget> assumed = links ? freePorts(ops) : Map.of();
        ChunkSimulation simulation = new ChunkSimulation(serials, assumed);
        List<OpOutcome> outcomes = new ArrayList<>(ops.size());
        for (WiringOp op : ops) {
            OpOutcome outcome = simulation.apply(op);
            if (outcome.result() != OpOutcome.Result.CHANGED) {
                return null; // would need the real state to judge: read it
            }
            outcomes.add(outcome);
        }
        Object savepoint = status.createSavepoint();
        try {
            write(simulation, now());
        } catch (Attempts.StateChanged notAsAssumed) {
            kind.held(false);
            // also what ends the aborted transaction an existing widget left by failing the adds' insert
            status.rollbackToSavepoint(savepoint);
            return null;
        }
        status.releaseSavepoint(savepoint);
        kind.held(true);
        return new Simulated(simulation, outcomes);
    }

    /** Whether a chunk of these operations is first written without a read ({@link #writeAsAssumed}). */
    static boolean writtenUnread(List<? extends WiringOp> ops) {
        return !ops.isEmpty()
                && (ops.stream().allMatch(WiringOp.LinkPorts.class::isInstance)
                        || ops.stream().allMatch(WiringOp.AddWidget.class::isInstance));
    }

    /** The widgets these links name, each with the ports named on it, free. */
    private static Map<String, Widget> freePorts(List<? extends WiringOp> ops) {
        Map<String, Set<PortType>> named = new HashMap<>();
        for (WiringOp op : ops) {
            WiringOp.LinkPorts link = (WiringOp.LinkPorts) op;
            for (PortRef end : new PortRef[] {link.a(), link.b()}) {
                if (end != null) {
                    named.computeIfAbsent(end.serialNumber(), k -> EnumSet.noneOf(PortType.class))
                            .add(end.port());
                }
            }
        }
        Map<String, Widget> assumed = new HashMap<>(named.size() * 2);
        named.forEach((serial, types) -> {
            List<Port> free = new ArrayList<>(types.size());
            types.forEach(type -> free.add(new Port(type, null, null)));
            assumed.put(serial, new Widget(serial, null, null, free));
        });
        return assumed;
    }

    /** Starts a transaction that reads ahead for a {@link ChunkRun}: one connection per worker, as the chunk's own. */
    void readSettings() {
        jdbc.execute(ONE_CONNECTION_PER_WORKER);
    }

    /**
     * The widgets the chunk names, as its simulation needs them: whole widget rows only where the rules need a name or
     * creation time (those it adds or removes); port rows tell the rest. Each serial number is read by one statement,
     * so no widget is seen half before and half after a concurrent change.
     */
    Map<String, Widget> read(List<? extends WiringOp> ops, Set<String> serials) {
        Set<String> full = ChunkSimulation.addedOrRemoved(ops);
        Map<String, Widget> found = new HashMap<>(reads.many(full));
        List<String> portsOnly = new ArrayList<>(serials.size());
        for (String serial : serials) {
            if (!full.contains(serial)) {
                portsOnly.add(serial);
            }
        }
        found.putAll(reads.portsForChunk(portsOnly));
        return found;
    }

    /**
     * Judges the operations in order on {@code found}, the widgets they name.
     *
     * @throws Attempts.StateChanged when {@code found} is not one snapshot (a link seen from one end only)
     */
    static Simulated simulate(List<? extends WiringOp> ops, Set<String> serials, Map<String, Widget> found) {
        ChunkSimulation simulation = new ChunkSimulation(serials, found);
        List<OpOutcome> outcomes = new ArrayList<>(ops.size());
        for (WiringOp op : ops) {
            outcomes.add(simulation.apply(op));
        }
        return new Simulated(simulation, outcomes);
    }

    /** The transaction's time: the link time of the chunk's rows, the creation time of the widgets it adds. */
    private Timestamp now() {
        return jdbc.queryForObject(NOW, Timestamp.class);
    }

    /** Writes what the simulation changed, in a transaction of time {@code now}. */
    private void write(ChunkSimulation simulation, Timestamp now) {
        if (simulation.events().isEmpty()) {
            return;
        }
        updatePeers(simulation, now);
        deleteRemoved(simulation);
        insertAdded(simulation, now);
        // The ids only now: the writes above hold every row the events describe until commit, so whoever changes one
        // of those rows after us takes its ids after ours, and each row's history is in commit order by id. Taken
        // before the writes, a row changed and changed back meanwhile (a link and its unlink) passed our check-and-set
        // with ids older than those changes: replaying the history by id then ended in another state.
        appendHistory(simulation.events(), historyIds(simulation.events().size()));
    }

    /** The history ids of the chunk's events, in ascending order. */
    private List<Long> historyIds(int n) {
        List<Long> ids = new ArrayList<>(n);
        jdbc.query(
                HISTORY_IDS,
                rs -> {
                    ids.add(rs.getLong(1));
                },
                n);
        ids.sort(null);
        return ids;
    }

    private void updatePeers(ChunkSimulation simulation, Timestamp now) {
        List<ChunkSimulation.TouchedRow> rows = simulation.touchedRows();
        if (rows.isEmpty()) {
            return;
        }
        int n = rows.size(), i = 0;
        String[] s = new String[n], p = new String[n], os = new String[n], op = new String[n];
        String[] ns = new String[n], np = new String[n];
        for (ChunkSimulation.TouchedRow row : rows) {
            PortRef port = row.port(), before = row.before(), after = simulation.finalPeer(port);
            s[i] = port.serialNumber();
            p[i] = port.port().name();
            os[i] = before == null ? null : before.serialNumber();
            op[i] = before == null ? null : before.port().name();
            ns[i] = after == null ? null : after.serialNumber();
            np[i] = after == null ? null : after.port().name();
            i++;
        }
        expect(n, perShard.update(UPDATE_PEERS, UPDATE_PEERS_ON_ONE_SHARD, s, now, s, p, os, op, ns, np));
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
        String[] rows = array(s);
        expect(
                rows.length,
                perShard.update(DELETE_PORTS, DELETE_PORTS_ON_ONE_SHARD, rows, rows, array(p), array(os), array(op)));
        String[] widgets = array(serials);
        expect(
                widgets.length,
                perShard.update(DELETE_WIDGETS, DELETE_WIDGETS_ON_ONE_SHARD, widgets, widgets, array(created)));
    }

    private void insertAdded(ChunkSimulation simulation, Timestamp now) {
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
        try {
            jdbc.update(INSERT_WIDGETS, array(serials), array(names));
        } catch (DuplicateKeyException addedMeanwhile) {
            throw new Attempts.StateChanged();
        } catch (UncategorizedSQLException relayed) {
            // Citus relays a worker's error in a multi-shard insert (its COPY) with SQLSTATE XX000 and the worker's
            // message, a unique violation among them: read and judge again (a few times at most, as for any change
            // met under a check-and-set); every other failure ends the chunk as it would have.
            if (RELAYED_BY_CITUS.equals(relayed.getSQLException().getSQLState())) {
                throw new Attempts.StateChanged();
            }
            throw relayed;
        }
        if (!s.isEmpty()) {
            jdbc.update(INSERT_PORTS, now, array(s), array(p), array(ps), array(pp));
        }
        if (!gone.isEmpty()) {
            expect(gone.size(), jdbc.update(DELETE_ADDED, (Object) array(gone)));
        }
    }

    private void appendHistory(List<ChunkSimulation.Event> events, List<Long> ids) {
        int n = events.size();
        StringBuilder rows = new StringBuilder(n * 64);
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
        }
        HistoryCopy.copy(jdbc, COPY_HISTORY, rows);
    }

    /**
     * When to write chunks of one kind (links, or adds) without reading them first. Shared by every job the store
     * serves: a miss in one makes the others read a few chunks of that kind first too, which costs speed, never
     * exactness.
     */
    static final class Assuming {
        /** The most chunks read first after a run of misses. */
        static final int MOST_READ_FIRST = 64;

        private final AtomicInteger readFirst = new AtomicInteger();
        private final AtomicInteger afterMiss = new AtomicInteger(1);
        private final AtomicLong held = new AtomicLong();
        private final AtomicLong missed = new AtomicLong();

        boolean mayAssume() {
            return readFirst.getAndUpdate(n -> Math.max(0, n - 1)) == 0;
        }

        void held(boolean heldUp) {
            if (heldUp) {
                afterMiss.set(1);
                held.incrementAndGet();
            } else {
                missed.incrementAndGet();
                readFirst.set(afterMiss.getAndUpdate(n -> Math.min(MOST_READ_FIRST, n * 2)));
            }
        }

        /** Chunks written on the assumption since the store started. */
        long chunksHeld() {
            return held.get();
        }

        /** Chunks whose write on the assumption met other rows and was rolled back, since the store started. */
        long chunksMissed() {
            return missed.get();
        }

        /** The next chunk is written on the assumption again, whatever the misses before (for tests). */
        void assumeNext() {
            readFirst.set(0);
            afterMiss.set(1);
        }
    }

    /** When chunks of links are written unread. */
    Assuming assuming() {
        return assuming;
    }

    /** When chunks of adds are written unread. */
    Assuming assumingAdds() {
        return assumingAdds;
    }

    private static String[] array(List<String> values) {
        return values.toArray(String[]::new);
    }

    /** Any row count other than the one the simulation expects means another writer got there first. */
    private static void expect(int rows, int written) {
        if (written != rows) {
            throw new Attempts.StateChanged();
        }
    }
}
