package com.widgets.db;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionException;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The one place that reads and writes wiring: widgets, their ports and links, and the history of every change.
 *
 * <p>Every write is one transaction that appends its history rows. The invariants — a port holds at most one peer,
 * every link is symmetric, no link points at a missing widget — hold under any concurrency because each write is a
 * check-and-set the database arbitrates, never a check in Java followed by a blind write. Refusals are {@link
 * WiringException}s with an {@link ErrorCode}; the SQL stays valid on a Citus cluster sharded on serial number.
 */
public class WiringStore {

    /** The largest page {@link #widgetsAfter} returns. */
    public static final int MAX_PAGE = 1000;

    private final WidgetReads reads;
    private final WidgetWrites widgets;
    private final LinkWrites links;
    private final History history;
    private final WidgetSearch search;
    private final ChunkWrites chunks;
    private final TransactionTemplate tx;
    private final JdbcTemplate jdbc;
    /** The threads of {@link ChunkRun}s' reads; idle ones end after a minute. */
    private final ExecutorService readAhead;

    public WiringStore(JdbcTemplate jdbc, PlatformTransactionManager transactions) {
        this(jdbc, transactions, Attempts.DEFAULT_MAX_ATTEMPTS);
    }

    /**
     * @param maxAttempts how often one change is tried when its ports keep changing under it or a lock cannot be had,
     *     before it fails with {@link ErrorCode#CONTENTION}
     */
    public WiringStore(JdbcTemplate jdbc, PlatformTransactionManager transactions, int maxAttempts) {
        this(jdbc, transactions, maxAttempts, new PerShard(jdbc));
    }

    /** As above, with statements over many serial numbers split by {@code perShard}'s grouping (tests choose one). */
    WiringStore(JdbcTemplate jdbc, PlatformTransactionManager transactions, int maxAttempts, PerShard perShard) {
        TransactionTemplate tx = new TransactionTemplate(transactions);
        this.tx = tx;
        this.jdbc = jdbc;
        Attempts attempts = new Attempts(maxAttempts);
        this.reads = new WidgetReads(jdbc, perShard);
        this.history = new History(jdbc);
        this.widgets = new WidgetWrites(jdbc, tx, attempts, reads);
        this.links = new LinkWrites(jdbc, attempts, reads);
        this.search = new WidgetSearch(jdbc, reads);
        this.chunks = new ChunkWrites(jdbc, transactions, attempts, reads, perShard);
        CustomizableThreadFactory named = new CustomizableThreadFactory("chunk-read-ahead-");
        named.setDaemon(true);
        this.readAhead = Executors.newCachedThreadPool(named);
    }

    /** Whether the database is a Citus coordinator (has the Citus extension). */
    public static boolean onCitus(JdbcTemplate jdbc) {
        return CitusLayout.onCitus(jdbc);
    }

    /**
     * Adds a widget; adding one that exists with the same name and ports changes nothing.
     *
     * @throws WiringException {@code INVALID_INPUT}, or {@code WIDGET_EXISTS} when it exists with another name or ports
     */
    public Change<Widget> addWidget(String serialNumber, String name, Set<PortType> ports, Origin origin) {
        PortRef.serial("serialNumber", serialNumber);
        Rules.checkName(name);
        Rules.checkPorts(ports);
        return widgets.add(serialNumber, name, Set.copyOf(ports), origin);
    }

    /** Removes a widget and every link to it, freeing its peers' ports; the value is the widget as it was. */
    public Change<Widget> removeWidget(String serialNumber, Origin origin) {
        PortRef.serial("serialNumber", serialNumber);
        return widgets.remove(serialNumber, origin);
    }

    /**
     * Links two free ports of two widgets; linking an existing link again changes nothing.
     *
     * @throws WiringException {@code WIDGET_NOT_FOUND}, {@code PORT_NOT_ON_WIDGET}, {@code SELF_LINK}, {@code
     *     PORT_BUSY}
     */
    public Change<Link> link(PortRef a, PortRef b, Origin origin) {
        Rules.checkPort("a", a);
        Rules.checkPort("b", b);
        return links.link(a, b, origin);
    }

    /**
     * Unlinks a port from its peer, if it has one; the value is the removed link, or null when the port was free.
     *
     * @param expectedPeer when given, unlink only if this is the current peer ({@code NOT_LINKED_TO} otherwise)
     */
    public Change<Link> unlink(PortRef end, PortRef expectedPeer, Origin origin) {
        Rules.checkPort("end", end);
        if (expectedPeer != null) {
            Rules.checkPort("expectedPeer", expectedPeer);
        }
        return links.unlink(end, expectedPeer, origin);
    }

    /**
     * Applies many operations as if one by one in list order, each with the rules and refusals of the single operations
     * above, but with one read, set-based check-and-set writes and one history insert for the whole chunk. Refusals are
     * outcomes, not exceptions: the other operations still apply. Inside a caller's transaction the chunk's writes
     * join it (a retry rolls back to a savepoint); otherwise they commit on return. To judge without writing, use
     * {@link #dryRun}.
     *
     * @return one outcome per operation, in the same order
     * @throws WiringException {@code CONTENTION} when the rows kept changing under every attempt, {@code UNAVAILABLE}
     */
    public List<OpOutcome> applyChunk(List<? extends WiringOp> ops) {
        return chunks.apply(List.copyOf(ops));
    }

    /** When chunks of links are written without reading their ports first (for tests of the store). */
    ChunkWrites.Assuming chunkAssumptions() {
        return chunks.assuming();
    }

    /** When chunks of adds are written without reading their widgets first (for tests of the store). */
    ChunkWrites.Assuming chunkAddAssumptions() {
        return chunks.assumingAdds();
    }

    /**
     * Chunks of links written without reading their ports first, since this store started: {@code held} were written
     * so, {@code missed} met a port that was not free after all and were read and judged again.
     */
    public long unreadLinkChunks(boolean held) {
        return held ? chunks.assuming().chunksHeld() : chunks.assuming().chunksMissed();
    }

    /**
     * Chunks of adds written without reading their widgets first, since this store started: {@code held} were written
     * so, {@code missed} met a widget that existed after all and were read and judged again.
     */
    public long unreadAddChunks(boolean held) {
        return held ? chunks.assumingAdds().chunksHeld() : chunks.assumingAdds().chunksMissed();
    }

    /**
     * Applies many operations like {@link #applyChunk}, committing on its own — never inside a caller's transaction —
     * in one transaction when it can. When the chunk keeps meeting concurrent changes it is split, halves down to
     * single operations, each part committed on its own, so the chunk makes progress however busy its widgets are;
     * the outcome is still exactly that of the operations applied one by one in list order, each against the state it
     * met. {@code recorder} runs inside each part's transaction, after its writes, so what the caller records about a
     * part (its rejects, how far it got) commits with it or not at all.
     *
     * @return one outcome per operation, in the same order
     * @throws WiringException {@code CONTENTION} only when a single operation kept meeting changes on every attempt,
     *     {@code UNAVAILABLE}
     */
    public List<OpOutcome> applyChunkInParts(List<? extends WiringOp> ops, PartRecorder recorder) {
        return chunks.applyInParts(List.copyOf(ops), recorder);
    }

    /**
     * Starts a run of chunks applied one after the other in order (a job's), each through {@link
     * ChunkRun#applyInParts} as through {@link #applyChunkInParts}, but reading the next chunk's widgets while the one
     * before is written: beside the connection writing, it holds a second pooled connection while it reads.
     */
    public ChunkRun chunkRun() {
        return new ChunkRun(chunks, tx, readAhead);
    }

    /**
     * Starts a dry run: chunks judged through it see what earlier ones would have changed, while nothing of the wiring
     * is written or locked. It holds one pooled connection until closed.
     *
     * @throws WiringException {@code UNAVAILABLE}
     */
    public DryRun dryRun() {
        return new DryRun(jdbc.getDataSource());
    }

    /** Records what a part of a chunk did, inside the part's own transaction. */
    @FunctionalInterface
    public interface PartRecorder {
        /**
         * @param from the index in the chunk of the part's first operation
         * @param outcomes the part's outcomes, in order; empty for a chunk with no operations
         */
        void record(int from, List<OpOutcome> outcomes);

        /**
         * The chunk kept meeting concurrent changes, and its parts now lock their rows before reading them — every
         * port of each widget they name, other ports than the chunk's own included. Called once, outside any
         * transaction, before any part of the chunk committed: an exception thrown here ends the chunk with nothing
         * of it written. Does nothing by default.
         */
        default void lockingRows() {}
    }

    /**
     * Deletes the history older than {@code before}, {@code window} of it per transaction (oldest first), and returns
     * how many rows went; 0 at once when another process is pruning. The wiring itself is not touched.
     *
     * @throws WiringException {@code UNAVAILABLE}
     */
    public long pruneHistory(Instant before, Duration window) {
        if (window.isNegative() || window.isZero()) {
            throw WiringException.invalid("window", "must be positive");
        }
        return read(() -> history.prune(tx, before, window));
    }

    public Optional<Widget> widget(String serialNumber) {
        return read(() -> reads.one(serialNumber));
    }

    /** The widgets that exist among these serial numbers, each read whole by one statement. */
    public Map<String, Widget> widgets(Collection<String> serialNumbers) {
        return read(() -> reads.many(serialNumbers));
    }

    /** Up to {@code limit} widgets in serial-number order after {@code afterSerialNumber} (null for the start). */
    public List<Widget> widgetsAfter(String afterSerialNumber, int limit) {
        return widgetsAfter(afterSerialNumber, limit, WidgetFilter.NONE).widgets();
    }

    /**
     * A widget's history, newest first: up to {@code limit} events with ids below {@code beforeId} (null for the
     * newest). The widget need not exist any more.
     */
    public List<WiringEvent> history(String serialNumber, Long beforeId, int limit) {
        checkPageSize(limit);
        return read(() -> history.read(serialNumber, beforeId == null ? Long.MAX_VALUE : beforeId, limit));
    }

    /**
     * Up to {@code limit} widgets matching {@code filter} in serial-number order after {@code afterSerialNumber} (null
     * for the start), and whether more follow.
     *
     * @throws WiringException {@code INVALID_INPUT} naming {@code first} or {@code filter.serialNumberPrefix}
     */
    public WidgetPage widgetsAfter(String afterSerialNumber, int limit, WidgetFilter filter) {
        checkPageSize(limit);
        WidgetFilter conditions = filter == null ? WidgetFilter.NONE : filter;
        String prefix = conditions.serialNumberPrefix();
        if (prefix != null && !prefix.isEmpty()) {
            PortRef.serial("filter.serialNumberPrefix", prefix);
        }
        return read(() -> search.page(afterSerialNumber, limit, conditions));
    }

    private static void checkPageSize(int limit) {
        if (limit < 1 || limit > MAX_PAGE) {
            throw WiringException.invalid("first", "must be between 1 and " + MAX_PAGE + ", not " + limit);
        }
    }

    /** Runs {@code query} (one statement, or a transaction of them: pruning), its failures turned into ours. */
    private static <T> T read(java.util.function.Supplier<T> query) {
        try {
            return query.get();
        } catch (DataAccessException | TransactionException e) {
            throw WiringException.unavailable(e);
        }
    }
}
