package com.widgets.db;

import static com.widgets.db.PortType.P;
import static com.widgets.db.PortType.Q;
import static com.widgets.db.PortType.R;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowCallbackHandler;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

class ChunkApiTest extends StoreTestSupport {

    @Autowired
    javax.sql.DataSource dataSource;

    private static Origin line(long n) {
        return Origin.jobLine("tester", 7, n);
    }

    private static PortRef port(String serial, PortType type) {
        return new PortRef(serial, type);
    }

    /** A script touching every rule and refusal, with later lines depending on earlier ones. */
    private static List<WiringOp> script() {
        List<WiringOp> ops = new ArrayList<>();
        long n = 1;
        ops.add(new WiringOp.AddWidget("A", "widget A", EnumSet.of(P, R, Q), line(n++)));
        ops.add(new WiringOp.AddWidget("B", "widget B", EnumSet.of(P, Q), line(n++)));
        ops.add(new WiringOp.AddWidget("C", "widget C", EnumSet.of(R), line(n++)));
        ops.add(new WiringOp.AddWidget("A", "widget A", EnumSet.of(P, R, Q), line(n++))); // unchanged
        ops.add(new WiringOp.AddWidget("A", "other", EnumSet.of(P), line(n++))); // WIDGET_EXISTS
        ops.add(new WiringOp.AddWidget("bad serial", "x", EnumSet.of(P), line(n++))); // INVALID_INPUT
        ops.add(new WiringOp.AddWidget("D", "bell\u0007", EnumSet.of(P), line(n++))); // INVALID_INPUT name
        ops.add(new WiringOp.LinkPorts(port("A", P), port("B", Q), line(n++)));
        ops.add(new WiringOp.LinkPorts(port("B", Q), port("A", P), line(n++))); // unchanged
        ops.add(new WiringOp.LinkPorts(port("C", R), port("A", P), line(n++))); // PORT_BUSY
        ops.add(new WiringOp.LinkPorts(port("A", R), port("A", Q), line(n++))); // SELF_LINK
        ops.add(new WiringOp.LinkPorts(port("A", R), port("NOPE", P), line(n++))); // WIDGET_NOT_FOUND
        ops.add(new WiringOp.LinkPorts(port("C", P), port("A", R), line(n++))); // PORT_NOT_ON_WIDGET
        ops.add(new WiringOp.UnlinkPort(port("A", P), port("C", R), line(n++))); // NOT_LINKED_TO
        ops.add(new WiringOp.UnlinkPort(port("A", R), null, line(n++))); // unchanged: free
        ops.add(new WiringOp.LinkPorts(port("A", R), port("C", R), line(n++)));
        ops.add(new WiringOp.UnlinkPort(port("B", Q), port("A", P), line(n++)));
        ops.add(new WiringOp.LinkPorts(port("B", Q), port("A", P), line(n++))); // relink the same
        ops.add(new WiringOp.RemoveWidget("A", line(n++))); // frees B.Q and C.R
        ops.add(new WiringOp.RemoveWidget("A", line(n++))); // unchanged
        ops.add(new WiringOp.UnlinkPort(port("NOPE", P), null, line(n++))); // WIDGET_NOT_FOUND
        ops.add(new WiringOp.AddWidget("A", "new A", EnumSet.of(Q), line(n++))); // a new generation
        ops.add(new WiringOp.LinkPorts(port("A", Q), port("C", R), line(n++)));
        ops.add(new WiringOp.AddWidget("E", "short-lived", EnumSet.of(P), line(n++)));
        ops.add(new WiringOp.LinkPorts(port("E", P), port("B", P), line(n++)));
        ops.add(new WiringOp.RemoveWidget("E", line(n++)));
        ops.add(new WiringOp.LinkPorts(port("B", P), port("B", Q), line(n++))); // SELF_LINK
        return ops;
    }

    @Test
    void aChunkJudgesEveryLineExactlyAsTheSingleOperationsDo() {
        List<WiringOp> ops = script();
        List<OpOutcome> expected = ops.stream().map(this::single).toList();
        Map<String, String> expectedState = db.snapshot();
        long expectedHistory = db.count("SELECT count(*) FROM wiring_history");
        assertThat(expected)
                .extracting(OpOutcome::code)
                .contains(
                        ErrorCode.WIDGET_EXISTS,
                        ErrorCode.INVALID_INPUT,
                        ErrorCode.PORT_BUSY,
                        ErrorCode.SELF_LINK,
                        ErrorCode.WIDGET_NOT_FOUND,
                        ErrorCode.PORT_NOT_ON_WIDGET,
                        ErrorCode.NOT_LINKED_TO);

        for (int size : new int[] {ops.size(), 4, 1}) {
            db.reset();
            List<OpOutcome> outcomes = new ArrayList<>();
            for (int from = 0; from < ops.size(); from += size) {
                outcomes.addAll(store.applyChunk(ops.subList(from, Math.min(ops.size(), from + size))));
            }
            assertThat(outcomes).as("chunks of %d", size).isEqualTo(expected);
            assertThat(db.snapshot()).isEqualTo(expectedState);
            assertThat(db.replayHistory()).isEqualTo(expectedState);
            assertThat(db.invariantViolations()).isEmpty();
            assertThat(db.count("SELECT count(*) FROM wiring_history")).isEqualTo(expectedHistory);
        }
        assertThat(db.count("SELECT count(*) FROM wiring_history WHERE job_id = 7 AND line_number = 8"))
                .isEqualTo(2);
    }

    @Test
    void aDryRunJudgesTheChunkAndChangesNothing() {
        List<WiringOp> ops = script();
        List<OpOutcome> applied = store.applyChunk(ops);
        Map<String, String> after = db.snapshot();
        db.reset();

        try (DryRun dryRun = store.dryRun()) {
            assertThat(dryRun.judge(ops)).isEqualTo(applied);
        }
        assertThat(db.count("SELECT count(*) FROM widget")).isZero();
        assertThat(db.count("SELECT count(*) FROM wiring_history")).isZero();
        List<OpOutcome> inChunks = new ArrayList<>();
        try (DryRun dryRun = store.dryRun()) {
            for (int from = 0; from < ops.size(); from += 3) {
                inChunks.addAll(dryRun.judge(ops.subList(from, Math.min(ops.size(), from + 3))));
            }
        }
        assertThat(inChunks)
                .as("chunk by chunk, each seeing what the ones before would have done")
                .isEqualTo(applied);
        assertThat(db.count("SELECT count(*) FROM widget")).isZero();
        store.applyChunk(ops);
        assertThat(db.snapshot()).isEqualTo(after);
    }

    @Test
    void chunksAndSingleOperationsOnRealThreadsKeepTheInvariants() throws Exception {
        int widgets = 60;
        List<WiringOp> adds = new ArrayList<>();
        for (int i = 0; i < widgets; i++) {
            adds.add(new WiringOp.AddWidget("W" + i, "w" + i, EnumSet.allOf(PortType.class), line(i)));
        }
        store.applyChunk(adds);
        ExecutorService threads = Executors.newFixedThreadPool(6);
        List<Future<?>> running = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
            running.add(threads.submit(() -> {
                for (int round = 0; round < 40; round++) {
                    List<WiringOp> chunk = new ArrayList<>();
                    for (int i = 0; i < 50; i++) {
                        chunk.add(randomOp(widgets, line(i)));
                    }
                    store.applyChunk(chunk);
                }
                return null;
            }));
            running.add(threads.submit(() -> {
                for (int i = 0; i < 800; i++) {
                    single(randomOp(widgets, Origin.request("api", "r" + i)));
                }
                return null;
            }));
        }
        awaitAndAssertSound(threads, running);
        assertThat(db.count("SELECT count(*) FROM port WHERE peer_serial IS NOT NULL"))
                .isPositive();
    }

    @Test
    void aWidgetAddedBySomeoneElseWhileAChunkAddsItIsJudgedOnceAndOnlyOnce() throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 10; round++) {
                store.chunkAddAssumptions().assumeNext(); // the chunk is written unread unless it meets the API's
                List<String> serials = new ArrayList<>();
                List<WiringOp> adds = new ArrayList<>();
                for (int i = 0; i < 200; i++) {
                    serials.add("RACE" + round + "-" + i);
                    adds.add(new WiringOp.AddWidget(serials.get(i), "by the chunk", Set.of(P), line(i)));
                }
                Future<List<OpOutcome>> chunk = threads.submit(() -> store.applyChunk(adds));
                Future<List<String>> api = threads.submit(() -> {
                    List<String> added = new ArrayList<>();
                    for (int i = serials.size() - 1; i >= 0; i--) { // from the other end, to meet the chunk halfway
                        try {
                            store.addWidget(serials.get(i), "by the API", Set.of(P), Origin.request("api", "r" + i));
                            added.add(serials.get(i));
                        } catch (WiringException exists) {
                            assertThat(exists.code()).isEqualTo(ErrorCode.WIDGET_EXISTS);
                        }
                    }
                    return added;
                });
                List<OpOutcome> outcomes = chunk.get();
                List<String> byApi = api.get();
                for (int i = 0; i < serials.size(); i++) {
                    String serial = serials.get(i);
                    OpOutcome outcome = outcomes.get(i);
                    if (byApi.contains(serial)) {
                        assertThat(outcome.result()).as(serial).isEqualTo(OpOutcome.Result.REJECTED);
                        assertThat(outcome.code()).as(serial).isEqualTo(ErrorCode.WIDGET_EXISTS);
                    } else {
                        assertThat(outcome.result()).as(serial).isEqualTo(OpOutcome.Result.CHANGED);
                    }
                    assertThat(store.widget(serial).orElseThrow().name())
                            .isEqualTo(byApi.contains(serial) ? "by the API" : "by the chunk");
                }
                assertThat(db.count("SELECT count(*) FROM wiring_history WHERE event = 'ADDED' AND serial_number LIKE"
                                + " 'RACE" + round + "-%'"))
                        .isEqualTo(serials.size());
            }
        } finally {
            threads.shutdown();
        }
        assertThat(db.invariantViolations()).isEmpty();
        assertThat(db.replayHistory()).isEqualTo(db.snapshot());
    }

    /** Widgets W0…W(n-1) with every port, free. */
    private static List<WiringOp> widgets(int n) {
        List<WiringOp> adds = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            adds.add(new WiringOp.AddWidget("W" + i, "w" + i, EnumSet.allOf(PortType.class), line(i)));
        }
        return adds;
    }

    @Test
    void aChunkOfLinksToFreePortsIsWrittenWithoutReadingAndJudgedAsSingleOperationsWould() {
        List<WiringOp> links = new ArrayList<>();
        for (int i = 0; i < 40; i += 2) { // W0.P-W1.R, W2.P-W3.R, …, then W1.P-W2.Q, … a chain across the chunk
            links.add(new WiringOp.LinkPorts(port("W" + i, P), port("W" + (i + 1), R), line(100 + i)));
            links.add(new WiringOp.LinkPorts(port("W" + (i + 1), P), port("W" + (i + 2), Q), line(101 + i)));
        }
        widgets(41).forEach(this::single);
        List<OpOutcome> expected = links.stream().map(this::single).toList();
        Map<String, String> expectedState = db.snapshot();

        db.reset();
        store.applyChunk(widgets(41));
        ChunkWrites.Assuming assuming = store.chunkAssumptions();
        assuming.assumeNext();
        long before = assuming.chunksHeld();
        assertThat(store.applyChunk(links)).isEqualTo(expected);
        assertThat(assuming.chunksHeld()).as("written on the assumption").isEqualTo(before + 1);
        assertThat(db.snapshot()).isEqualTo(expectedState);
        assertThat(db.replayHistory()).isEqualTo(expectedState);
        assertThat(db.invariantViolations()).isEmpty();
        assertThat(db.count("SELECT count(*) FROM wiring_history WHERE event = 'LINKED'"))
                .isEqualTo(2L * links.size());
    }

    @Test
    void aChunkOfLinksThatMeetsOtherStateThanFreePortsIsJudgedOnTheStateItMeets() {
        // Each spoiler is one line among free links; the state it meets was made by an API call before the chunk.
        List<WiringOp> before = List.of(
                new WiringOp.LinkPorts(port("W0", P), port("W1", P), Origin.request("api", "r1")),
                new WiringOp.RemoveWidget("W2", Origin.request("api", "r2")),
                new WiringOp.AddWidget("ONLY-P", "has only P", EnumSet.of(P), Origin.request("api", "r3")));
        List<WiringOp> spoilers = List.of(
                new WiringOp.LinkPorts(port("W0", P), port("W5", R), line(900)), // PORT_BUSY
                new WiringOp.LinkPorts(port("W1", P), port("W0", P), line(900)), // unchanged: already so
                new WiringOp.LinkPorts(port("W2", Q), port("W5", Q), line(900)), // WIDGET_NOT_FOUND
                new WiringOp.LinkPorts(port("ONLY-P", R), port("W5", P), line(900)), // PORT_NOT_ON_WIDGET
                new WiringOp.LinkPorts(port("W6", R), port("W1", P), line(900)), // PORT_BUSY, the second end
                new WiringOp.LinkPorts(port("W7", R), port("W7", P), line(900))); // SELF_LINK: refused unwritten
        ChunkWrites.Assuming assuming = store.chunkAssumptions();
        for (WiringOp spoiler : spoilers) {
            List<WiringOp> chunk = new ArrayList<>();
            for (int i = 10; i < 30; i += 2) {
                chunk.add(new WiringOp.LinkPorts(port("W" + i, Q), port("W" + (i + 1), Q), line(i)));
            }
            chunk.add(chunk.size() / 2, spoiler);

            db.reset();
            widgets(31).forEach(this::single);
            before.forEach(this::single);
            List<OpOutcome> expected = chunk.stream().map(this::single).toList();
            Map<String, String> expectedState = db.snapshot();
            long expectedHistory = db.count("SELECT count(*) FROM wiring_history");

            db.reset();
            store.applyChunk(widgets(31));
            before.forEach(this::single);
            assuming.assumeNext();
            long held = assuming.chunksHeld(), missed = assuming.chunksMissed();
            assertThat(store.applyChunk(chunk)).as("%s", spoiler).isEqualTo(expected);
            assertThat(assuming.chunksHeld()).as("the assumption did not hold").isEqualTo(held);
            boolean refusedOnFreePorts = spoiler == spoilers.get(spoilers.size() - 1);
            assertThat(assuming.chunksMissed())
                    .as("written on the assumption and rolled back: %s", spoiler)
                    .isEqualTo(refusedOnFreePorts ? missed : missed + 1);
            assertThat(db.snapshot()).isEqualTo(expectedState);
            assertThat(db.replayHistory()).isEqualTo(expectedState);
            assertThat(db.count("SELECT count(*) FROM wiring_history")).isEqualTo(expectedHistory);
        }
    }

    /** Adds of N0…N(n-1) with four sets of ports, lines from {@code from}. */
    private static List<WiringOp> newWidgets(int n, long from) {
        List<Set<PortType>> kinds =
                List.of(EnumSet.of(P), EnumSet.of(P, R), EnumSet.allOf(PortType.class), EnumSet.of(Q, R));
        List<WiringOp> adds = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            adds.add(new WiringOp.AddWidget("N" + i, "new " + i, kinds.get(i % kinds.size()), line(from + i)));
        }
        return adds;
    }

    @Test
    void aChunkOfAddsOfNewWidgetsIsWrittenWithoutReadingAndJudgedAsSingleOperationsWould() {
        List<WiringOp> adds = newWidgets(40, 100);
        List<OpOutcome> expected = adds.stream().map(this::single).toList();
        Map<String, String> expectedState = db.snapshot();

        db.reset();
        ChunkWrites.Assuming assuming = store.chunkAddAssumptions();
        assuming.assumeNext();
        long held = assuming.chunksHeld(), links = store.chunkAssumptions().chunksHeld();
        assertThat(store.applyChunk(adds)).isEqualTo(expected);
        assertThat(assuming.chunksHeld()).as("written on the assumption").isEqualTo(held + 1);
        assertThat(store.chunkAssumptions().chunksHeld())
                .as("not counted as links")
                .isEqualTo(links);
        assertThat(db.snapshot()).isEqualTo(expectedState);
        assertThat(db.replayHistory()).isEqualTo(expectedState);
        assertThat(db.count("SELECT count(*) FROM wiring_history WHERE event = 'ADDED' AND job_id = 7"))
                .isEqualTo(adds.size());
    }

    @Test
    void aChunkOfAddsThatMeetsAnExistingWidgetIsJudgedOnTheStateItMeets() {
        // Made by API calls before the chunk: N3 as the chunk would add it, N5 otherwise, N7 added and removed again.
        List<WiringOp> before = List.of(
                new WiringOp.AddWidget("N3", "new 3", EnumSet.of(Q, R), Origin.request("api", "r1")),
                new WiringOp.AddWidget("N5", "someone else's", EnumSet.of(P), Origin.request("api", "r2")),
                new WiringOp.AddWidget("N7", "gone", EnumSet.of(P), Origin.request("api", "r3")),
                new WiringOp.RemoveWidget("N7", Origin.request("api", "r4")));
        record Spoiler(String what, WiringOp op, boolean written) {}
        List<Spoiler> spoilers = List.of(
                new Spoiler(
                        "exists as added: unchanged",
                        new WiringOp.AddWidget("N3", "new 3", EnumSet.of(Q, R), line(900)),
                        true),
                new Spoiler(
                        "exists otherwise: WIDGET_EXISTS",
                        new WiringOp.AddWidget("N5", "mine", EnumSet.of(P), line(900)),
                        true),
                new Spoiler(
                        "removed before: added again",
                        new WiringOp.AddWidget("N7", "back", EnumSet.of(R), line(900)),
                        true),
                new Spoiler(
                        "twice in the chunk: refused unwritten",
                        new WiringOp.AddWidget("N1", "again", EnumSet.of(P), line(900)),
                        false),
                new Spoiler(
                        "invalid: refused unwritten",
                        new WiringOp.AddWidget("bad serial", "x", EnumSet.of(P), line(900)),
                        false));
        ChunkWrites.Assuming assuming = store.chunkAddAssumptions();
        for (Spoiler spoiler : spoilers) {
            List<WiringOp> chunk = new ArrayList<>(newWidgets(12, 10).stream()
                    .filter(op -> !List.of("N3", "N5", "N7").contains(((WiringOp.AddWidget) op).serialNumber()))
                    .toList());
            chunk.add(chunk.size() / 2, spoiler.op());

            db.reset();
            before.forEach(this::single);
            List<OpOutcome> expected = chunk.stream().map(this::single).toList();
            Map<String, String> expectedState = db.snapshot();
            long expectedHistory = db.count("SELECT count(*) FROM wiring_history");

            db.reset();
            before.forEach(this::single);
            assuming.assumeNext();
            long held = assuming.chunksHeld(), missed = assuming.chunksMissed();
            assertThat(store.applyChunk(chunk)).as(spoiler.what()).isEqualTo(expected);
            boolean holds = spoiler.op() instanceof WiringOp.AddWidget add
                    && add.serialNumber().equals("N7");
            assertThat(assuming.chunksHeld()).as("held: %s", spoiler.what()).isEqualTo(holds ? held + 1 : held);
            assertThat(assuming.chunksMissed())
                    .as("written on the assumption and rolled back: %s", spoiler.what())
                    .isEqualTo(spoiler.written() && !holds ? missed + 1 : missed);
            assertThat(db.snapshot()).as(spoiler.what()).isEqualTo(expectedState);
            assertThat(db.replayHistory()).isEqualTo(expectedState);
            assertThat(db.count("SELECT count(*) FROM wiring_history")).isEqualTo(expectedHistory);
        }
    }

    @Test
    void afterAMissedAssumptionLinkChunksAreReadFirstForLongerAndLongerUntilOneHolds() {
        ChunkWrites.Assuming assuming = new ChunkWrites.Assuming();
        assertThat(assuming.mayAssume()).isTrue();
        assuming.held(false);
        assertThat(List.of(assuming.mayAssume(), assuming.mayAssume())).containsExactly(false, true);
        assuming.held(false);
        assertThat(List.of(assuming.mayAssume(), assuming.mayAssume(), assuming.mayAssume()))
                .containsExactly(false, false, true);
        for (int miss = 0; miss < 20; miss++) {
            assuming.held(false);
        }
        int readFirst = 0;
        while (!assuming.mayAssume()) {
            readFirst++;
        }
        assertThat(readFirst).isEqualTo(ChunkWrites.Assuming.MOST_READ_FIRST);
        assuming.held(true);
        assuming.held(false);
        assertThat(List.of(assuming.mayAssume(), assuming.mayAssume())).containsExactly(false, true);
        assertThat(assuming.chunksHeld()).isEqualTo(1);
    }

    @Test
    void chunksOfLinksWrittenOnAssumptionWhileApiCallsChangeTheSamePortsKeepTheInvariants() throws Exception {
        int widgets = 40;
        store.applyChunk(widgets(widgets));
        ChunkWrites.Assuming assuming = store.chunkAssumptions();
        long heldBefore = assuming.chunksHeld();
        AtomicLong lines = new AtomicLong(1000);
        Queue<OpOutcome> changed = new ConcurrentLinkedQueue<>();
        ExecutorService threads = Executors.newFixedThreadPool(4);
        List<Future<?>> running = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            running.add(threads.submit(() -> {
                ThreadLocalRandom random = ThreadLocalRandom.current();
                for (int round = 0; round < 60; round++) {
                    // Links between ports free a moment ago, one per widget, so a chunk holds unless an API call
                    // (or the other chunk thread) takes one of them first.
                    List<PortRef> ports = jdbc.query(
                            "SELECT DISTINCT ON (serial_number) serial_number, port FROM port"
                                    + " WHERE peer_serial IS NULL ORDER BY serial_number, random()",
                            (rs, n) -> port(rs.getString(1), PortType.valueOf(rs.getString(2))));
                    Collections.shuffle(ports, random);
                    List<WiringOp> chunk = new ArrayList<>();
                    for (int i = 0; i + 1 < Math.min(12, ports.size()); i += 2) {
                        chunk.add(
                                new WiringOp.LinkPorts(ports.get(i), ports.get(i + 1), line(lines.incrementAndGet())));
                    }
                    assuming.assumeNext();
                    store.applyChunk(chunk).stream()
                            .filter(o -> o.result() == OpOutcome.Result.CHANGED)
                            .forEach(changed::add);
                }
                return null;
            }));
            running.add(threads.submit(() -> {
                for (int i = 0; i < 400; i++) {
                    WiringOp op = randomOp(widgets, Origin.request("api", "r" + i));
                    if (!(op instanceof WiringOp.AddWidget) && !(op instanceof WiringOp.RemoveWidget)) {
                        single(op);
                    }
                }
                return null;
            }));
        }
        awaitAndAssertSound(threads, running);
        assertThat(assuming.chunksHeld())
                .as("some chunks written on the assumption")
                .isGreaterThan(heldBefore);
        for (OpOutcome link : changed) {
            assertThat(db.count("SELECT count(*) FROM wiring_history WHERE event = 'LINKED' AND job_id = 7"
                            + " AND line_number = " + link.origin().lineNumber()))
                    .as("history rows of line %d", link.origin().lineNumber())
                    .isEqualTo(2);
        }
        assertThat(db.count("SELECT count(*) FROM wiring_history WHERE job_id = 7 AND line_number > 1000"))
                .as("no history for a line that did not change anything")
                .isEqualTo(2L * changed.size());
    }

    @Autowired
    PlatformTransactionManager transactions;

    @Test
    void aRowChangedAndChangedBackWhileAChunkWritesKeepsItsHistoryInCommitOrder() throws Exception {
        store.addWidget("GONE", "to be removed", Set.of(P), line(1));
        store.addWidget("OTHER", "other", Set.of(P), line(2));
        ExecutorService api = Executors.newSingleThreadExecutor();
        AtomicBoolean armed = new AtomicBoolean(true);
        // Right after the chunk takes its history ids, someone links GONE.P and unlinks it again. Had the chunk not yet
        // written (and so locked) GONE's rows, both changes would commit before it with later ids, its check-and-set
        // would find GONE.P free as read, and the history replayed by id would end with GONE.P back. Once the chunk
        // holds the rows, the link waits for its commit and finds GONE removed.
        JdbcTemplate hooked = new JdbcTemplate(dataSource) {
            @Override
            public void query(String sql, RowCallbackHandler rows, Object... args) {
                super.query(sql, rows, args);
                if (sql.equals(ChunkWrites.HISTORY_IDS) && armed.getAndSet(false)) {
                    Future<?> aba = api.submit(() -> {
                        try {
                            store.link(port("GONE", P), port("OTHER", P), Origin.request("api", "link"));
                            store.unlink(port("GONE", P), null, Origin.request("api", "unlink"));
                        } catch (WiringException gone) {
                            assertThat(gone.code()).isEqualTo(ErrorCode.WIDGET_NOT_FOUND);
                        }
                        return null;
                    });
                    try {
                        aba.get(2, TimeUnit.SECONDS);
                    } catch (TimeoutException waitingForUs) {
                        // the chunk holds GONE's rows: the link waits for our commit
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }
            }
        };
        PerShard perShard = new PerShard(hooked);
        ChunkWrites chunks = new ChunkWrites(
                hooked,
                transactions,
                new Attempts(Attempts.DEFAULT_MAX_ATTEMPTS),
                new WidgetReads(hooked, perShard),
                perShard);
        try {
            List<OpOutcome> outcomes = chunks.apply(List.of(new WiringOp.RemoveWidget("GONE", line(3))));
            assertThat(outcomes).extracting(OpOutcome::result).containsExactly(OpOutcome.Result.CHANGED);
        } finally {
            api.shutdown();
            assertThat(api.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(armed).isFalse();
        assertThat(db.snapshot()).doesNotContainKey("GONE.P");
        assertThat(db.replayHistory()).isEqualTo(db.snapshot());
    }

    @Test
    void aChunkReadAheadMeetsWhatWasCommittedSinceAndIsJudgedOnIt() throws InterruptedException {
        for (String serial : List.of("A", "B", "C", "D", "E")) {
            store.addWidget(serial, "widget " + serial, EnumSet.allOf(PortType.class), line(0));
        }
        store.link(port("C", P), port("D", P), line(0));
        AtomicBoolean armed = new AtomicBoolean(true);
        AtomicInteger readsAhead = new AtomicInteger();
        CountDownLatch stale = new CountDownLatch(1);
        // Right after the second chunk's widgets are read ahead (while the first chunk is written: whole widgets, then
        // ports), someone moves C.P from D.P to E.Q: the read is stale before the second chunk starts from it. The move
        // runs on a thread of its own, as an API call would (the read ahead's thread is inside its read transaction).
        JdbcTemplate hooked = new JdbcTemplate(dataSource) {
            @Override
            public void query(String sql, RowCallbackHandler rows, Object... args) {
                super.query(sql, rows, args);
                if (Thread.currentThread().getName().startsWith("chunk-read-ahead-")
                        && readsAhead.incrementAndGet() == 2
                        && armed.getAndSet(false)) {
                    CompletableFuture.runAsync(() -> {
                                store.unlink(port("C", P), null, Origin.request("api", "unlink"));
                                store.link(port("C", P), port("E", Q), Origin.request("api", "link"));
                            })
                            .join();
                    stale.countDown();
                }
            }
        };
        PerShard perShard = new PerShard(hooked);
        ChunkWrites chunks = new ChunkWrites(
                hooked,
                transactions,
                new Attempts(Attempts.DEFAULT_MAX_ATTEMPTS),
                new WidgetReads(hooked, perShard),
                perShard);
        ExecutorService reader = Executors.newSingleThreadExecutor(r -> new Thread(r, "chunk-read-ahead-test"));
        List<WiringOp> first = List.of(
                new WiringOp.AddWidget("X", "widget X", EnumSet.of(P), line(1)),
                new WiringOp.LinkPorts(port("A", P), port("B", P), line(2)));
        List<WiringOp> second = List.of(
                new WiringOp.RemoveWidget("C", line(3)), // frees E.Q, no longer D.P
                new WiringOp.LinkPorts(port("D", P), port("E", P), line(4)));
        try (ChunkRun run = new ChunkRun(chunks, new TransactionTemplate(transactions), reader)) {
            WiringStore.PartRecorder inOnePart = new WiringStore.PartRecorder() {
                @Override
                public void record(int from, List<OpOutcome> outcomes) {}

                @Override
                public void lockingRows() {
                    throw new AssertionError("read again and judged in one part, not split");
                }
            };
            run.applyInParts(first, second, inOnePart);
            // the read ahead has run (a busy machine may not have started it by now, and a read still waiting for a
            // connection when its chunk comes is dropped for a read of the job's own)
            assertThat(stale.await(30, TimeUnit.SECONDS)).isTrue();
            List<OpOutcome> outcomes = run.applyInParts(second, List.of(), inOnePart);
            assertThat(outcomes).extracting(OpOutcome::result).containsOnly(OpOutcome.Result.CHANGED);
            assertThat(run.chunksReadAhead()).isEqualTo(1);
        } finally {
            reader.shutdown();
        }
        assertThat(armed).isFalse();
        Map<String, String> state = db.snapshot();
        assertThat(state).doesNotContainKey("C.P");
        assertThat(state).containsEntry("E.Q", "widget E -> .").containsEntry("D.P", "widget D -> E.P");
        assertThat(state).containsEntry("A.P", "widget A -> B.P").containsKey("X.P");
        assertThat(db.invariantViolations()).isEmpty();
        assertThat(db.replayHistory()).isEqualTo(state);
    }

    @Test
    void chunksReadAheadWhileApiCallsChangeTheirWidgetsKeepTheInvariants() throws Exception {
        int widgets = 60;
        store.applyChunk(widgets(widgets));
        List<List<WiringOp>> chunks = new ArrayList<>();
        for (int c = 0; c < 80; c++) {
            List<WiringOp> chunk = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                chunk.add(randomOp(widgets, line(c * 100L + i)));
            }
            chunks.add(chunk);
        }
        AtomicBoolean running = new AtomicBoolean(true);
        ExecutorService threads = Executors.newFixedThreadPool(2);
        List<Future<?>> api = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            api.add(threads.submit(() -> {
                for (int i = 0; running.get(); i++) {
                    single(randomOp(widgets, Origin.request("api", "r" + i)));
                }
                return null;
            }));
        }
        long readAhead;
        try (ChunkRun run = store.chunkRun()) {
            for (int c = 0; c < chunks.size(); c++) {
                run.applyInParts(chunks.get(c), c + 1 < chunks.size() ? chunks.get(c + 1) : List.of(), (f, p) -> {});
            }
            readAhead = run.chunksReadAhead();
        } finally {
            running.set(false);
        }
        awaitAndAssertSound(threads, api);
        assertThat(readAhead).as("chunks started from a read ahead").isPositive();
    }

    /** Waits for every writer, then checks that the wiring is sound and is what its history replays to. */
    private void awaitAndAssertSound(ExecutorService threads, List<Future<?>> running) throws Exception {
        for (Future<?> f : running) {
            f.get();
        }
        threads.shutdown();
        assertThat(db.invariantViolations()).isEmpty();
        assertThat(db.replayHistory()).isEqualTo(db.snapshot());
    }
}
