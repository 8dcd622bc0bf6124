package com.widgets.ingest.rewire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.widgets.db.PortRef;
import com.widgets.db.PortType;
import com.widgets.db.WiringOp;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * How {@link TwoWriters} orders the halves of consecutive chunks, whatever order their writes end in: a judge that
 * follows a script per half (wait, go on to lock rows, fail) stands in for the store, and its record of a part is that
 * part's commit. {@code TwoWritersTest} runs the same on the database.
 */
class TwoWritersOrderTest {

    private static final int HALF = 10;

    private final SecondWriter writers = new SecondWriter(2, 4, () -> 1);
    private final ScriptedJudge judge = new ScriptedJudge();
    private final OrderedLog log = new OrderedLog();
    private final TwoWriters pair = new TwoWriters(writers, judge, log, 1);

    @AfterEach
    void close() {
        pair.close();
        writers.close();
    }

    @Test
    void theJobGoesOnWhileASecondHalfIsWrittenAndHalvesCommitInFileOrder() throws Exception {
        CountDownLatch release = judge.holdUntilReleased(HALF + 1);
        judge.sleepFirst(1, 50); // the first halves end last...
        judge.sleepFirst(2 * HALF + 1, 50);

        CommittedLines.Position first = pair.write(chunk(1));
        assertThat(first.lastLine()).isEqualTo(HALF);
        assertThat(pair.writing()).as("the second half is still being written").isTrue();
        assertThat(log.recorded).containsExactly(1L);

        CompletableFuture<CommittedLines.Position> second = CompletableFuture.supplyAsync(() -> pair.write(chunk(2)));
        assertThat(judge.started(2 * HALF + 1).await(5, TimeUnit.SECONDS))
                .as("the next chunk's first half starts beside the second half before it")
                .isTrue();
        release.countDown();
        assertThat(second.get(5, TimeUnit.SECONDS).lastLine()).isEqualTo(3 * HALF);
        assertThat(pair.finish().lastLine()).isEqualTo(4 * HALF);
        assertThat(log.recorded).as("...and still commit in file order").containsExactly(1L, 11L, 21L, 31L);
    }

    @Test
    void theHalfAfterOneThatGoesOnToLockItsRowsGivesWayAndIsWrittenAgainAfterIt() {
        judge.lockRowsFirst(1, HALF + 1); // once the second half is under way
        judge.sleepFirst(1, 200); // and then takes its time to commit

        pair.write(chunk(1));
        pair.finish();

        assertThat(judge.attempts(1)).isEqualTo(1);
        assertThat(judge.attempts(HALF + 1)).as("gave way, then written again").isEqualTo(2);
        assertThat(log.recorded).containsExactly(1L, 11L);
    }

    @Test
    void aSecondHalfThatFailsFailsTheNextWriteAndTheHalvesAfterItCommitNothing() throws Exception {
        CountDownLatch release = judge.holdUntilReleased(HALF + 1);
        judge.fail(HALF + 1);

        pair.write(chunk(1));
        CompletableFuture<CommittedLines.Position> next = CompletableFuture.supplyAsync(() -> pair.write(chunk(2)));
        judge.started(2 * HALF + 1).await(5, TimeUnit.SECONDS);
        release.countDown();

        assertThatThrownBy(() -> next.join()).hasRootCauseMessage("half 11 failed");
        assertThat(log.recorded).containsExactly(1L);
        assertThat(judge.attempts(3 * HALF + 1))
                .as("queued behind the failed half: never written")
                .isZero();
        assertThat(pair.writing()).isFalse();
    }

    @Test
    void aFirstHalfTouchingWhatTheSecondWriterStillWritesWaitsForIt() throws Exception {
        CountDownLatch release = judge.holdUntilReleased(HALF + 1);
        pair.write(chunk(1));

        // the next chunk's first half links a port the second half before it links
        List<FileLine> lines = lines(2 * HALF + 1, 2 * HALF);
        lines.set(0, link(2 * HALF + 1, "W" + (HALF + 1)));
        CompletableFuture<CommittedLines.Position> next =
                CompletableFuture.supplyAsync(() -> pair.write(halves(lines)));

        assertThat(judge.started(2 * HALF + 1).await(200, TimeUnit.MILLISECONDS))
                .as("not started beside a half it shares a port with")
                .isFalse();
        release.countDown();
        next.get(5, TimeUnit.SECONDS);
        pair.finish();
        assertThat(log.recorded).containsExactly(1L, 11L, 21L, 31L);
    }

    /** Lines {@code 2 * HALF * (n - 1) + 1} on, cut in two halves; each line links ports no other line names. */
    private static Halves chunk(int n) {
        return halves(lines(2 * HALF * (n - 1) + 1, 2 * HALF));
    }

    private static Halves halves(List<FileLine> lines) {
        List<FileLine> first = lines.subList(0, HALF), second = lines.subList(HALF, lines.size());
        return new Halves(first, second, Halves.Touched.by(first), Halves.Touched.by(second));
    }

    private static List<FileLine> lines(long from, int count) {
        List<FileLine> lines = new ArrayList<>();
        for (long n = from; n < from + count; n++) {
            lines.add(link(n, "W" + n));
        }
        return lines;
    }

    private static FileLine link(long number, String serial) {
        WiringOp op =
                new WiringOp.LinkPorts(new PortRef(serial, PortType.P), new PortRef("V" + number, PortType.P), null);
        return new FileLine(number, "link", op, null);
    }

    /** Writes a half by its script: wait, go on to lock its rows, fail, then record it as one part. */
    private static final class ScriptedJudge extends LineJudge {
        private final Map<Long, AtomicInteger> attempts = new ConcurrentHashMap<>();
        private final Map<Long, CountDownLatch> started = new ConcurrentHashMap<>();
        private final Map<Long, CountDownLatch> holds = new ConcurrentHashMap<>();
        private final Map<Long, Long> sleeps = new ConcurrentHashMap<>();
        private final Map<Long, Long> lockRowsOnceStarted = new ConcurrentHashMap<>();
        private final Map<Long, Boolean> failing = new ConcurrentHashMap<>();

        ScriptedJudge() {
            super(null);
        }

        CountDownLatch holdUntilReleased(long half) {
            return holds.computeIfAbsent(half, h -> new CountDownLatch(1));
        }

        void sleepFirst(long half, long millis) {
            sleeps.put(half, millis);
        }

        /** The half goes on to lock its rows (once) when {@code other} has started. */
        void lockRowsFirst(long half, long other) {
            lockRowsOnceStarted.put(half, other);
        }

        void fail(long half) {
            failing.put(half, true);
        }

        int attempts(long half) {
            AtomicInteger n = attempts.get(half);
            return n == null ? 0 : n.get();
        }

        CountDownLatch started(long half) {
            return started.computeIfAbsent(half, h -> new CountDownLatch(1));
        }

        @Override
        void apply(List<? extends FileLine> lines, Recorder recorder) {
            long half = lines.get(0).number();
            int attempt =
                    attempts.computeIfAbsent(half, h -> new AtomicInteger()).incrementAndGet();
            started(half).countDown();
            try {
                CountDownLatch hold = holds.get(half);
                if (hold != null && !hold.await(10, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("never released");
                }
                Long other = lockRowsOnceStarted.get(half);
                if (other != null && attempt == 1) {
                    started(other).await(5, TimeUnit.SECONDS);
                    recorder.lockingRows();
                }
                Thread.sleep(sleeps.getOrDefault(half, 0L));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            if (failing.containsKey(half)) {
                throw new IllegalStateException("half " + half + " failed");
            }
            long last = lines.get(lines.size() - 1).number();
            recorder.record(half, new Verdict(new Counts(lines.size(), lines.size(), 0, 0), List.of(), last));
        }
    }

    /** Keeps the order parts were recorded (committed) in. */
    private static final class OrderedLog extends PartLog {
        final List<Long> recorded = Collections.synchronizedList(new ArrayList<>());

        OrderedLog() {
            super(CommittedLines.Position.START, 0, null, null, null, 1);
        }

        @Override
        CommittedLines.Position keep(long firstLine, LineJudge.Verdict part) {
            recorded.add(firstLine);
            return new CommittedLines.Position(part.lastLine(), part.counts());
        }
    }
}
