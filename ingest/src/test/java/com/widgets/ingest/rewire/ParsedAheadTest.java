package com.widgets.ingest.rewire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Records parsed on a thread of their own come out whole and in order, and a failure reaches the taker. */
class ParsedAheadTest {

    @Test
    void everyRecordComesOutOnceInOrderAcrossBatchesThenTheEnd() {
        int n = 3 * ParsedAhead.BATCH + 7;
        AtomicInteger produced = new AtomicInteger();
        try (ParsedAhead<Integer> parsed =
                new ParsedAhead<>("test-parse", () -> produced.get() < n ? produced.getAndIncrement() : null)) {
            List<Integer> taken = new ArrayList<>();
            for (Integer record = parsed.next(); record != null; record = parsed.next()) {
                taken.add(record);
            }
            assertThat(taken).hasSize(n);
            for (int i = 0; i < n; i++) {
                assertThat(taken.get(i)).isEqualTo(i);
            }
            assertThat(parsed.next()).as("still the end").isNull();
        }
    }

    @Test
    void parsingStopsAtItsBoundAheadOfTheTaker() throws Exception {
        AtomicInteger produced = new AtomicInteger();
        try (ParsedAhead<Integer> parsed = new ParsedAhead<>("test-parse", produced::getAndIncrement)) {
            assertThat(parsed.next()).isZero();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            int before;
            do { // until the parser stops for room
                before = produced.get();
                Thread.sleep(200);
            } while (produced.get() != before && System.nanoTime() < deadline);
            assertThat(produced.get())
                    .as("records parsed and not taken, plus the batch being filled")
                    .isLessThanOrEqualTo(ParsedAhead.AHEAD + 2 * ParsedAhead.BATCH + 1);
        }
    }

    @Test
    void aReadFailureReachesTheTakerAfterTheRecordsBeforeIt() {
        AtomicInteger produced = new AtomicInteger();
        try (ParsedAhead<Integer> parsed = new ParsedAhead<>("test-parse", () -> {
            if (produced.get() == 3) {
                throw new IOException("disk gone");
            }
            return produced.getAndIncrement();
        })) {
            assertThat(List.of(parsed.next(), parsed.next(), parsed.next())).containsExactly(0, 1, 2);
            assertThatThrownBy(parsed::next)
                    .isInstanceOf(UncheckedIOException.class)
                    .hasRootCauseMessage("disk gone");
            assertThat(parsed.next()).as("nothing after a failure").isNull();
        }
    }

    @Test
    void aRuntimeFailureOfTheParserIsThrownAsItself() {
        try (ParsedAhead<Integer> parsed = new ParsedAhead<>("test-parse", () -> {
            throw new IllegalStateException("parser bug");
        })) {
            assertThatThrownBy(parsed::next)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("parser bug");
        }
    }

    @Test
    void closeStopsTheParsingThreadBeforeItReturns() throws Exception {
        CountDownLatch parsing = new CountDownLatch(1);
        AtomicBoolean touchedAfterClose = new AtomicBoolean();
        AtomicBoolean closed = new AtomicBoolean();
        AtomicInteger produced = new AtomicInteger();
        ParsedAhead<Integer> parsed = new ParsedAhead<>("test-parse-close", () -> {
            parsing.countDown();
            if (closed.get()) {
                touchedAfterClose.set(true);
            }
            return produced.getAndIncrement(); // never ends: only close stops it
        });
        assertThat(parsing.await(5, TimeUnit.SECONDS)).isTrue();
        parsed.close();
        closed.set(true);
        Thread.sleep(300);
        assertThat(touchedAfterClose)
                .as("the source is not read after close returned")
                .isFalse();
        assertThat(Thread.getAllStackTraces().keySet())
                .noneMatch(t -> t.getName().equals("test-parse-close"));
    }

    @Test
    void anInterruptedTakerGetsAnIoFailureAndKeepsItsInterrupt() throws Exception {
        CountDownLatch never = new CountDownLatch(1);
        try (ParsedAhead<Integer> parsed = new ParsedAhead<>("test-parse", () -> {
            try {
                never.await(); // a source that has nothing yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return null;
        })) {
            Thread.currentThread().interrupt();
            try {
                assertThatThrownBy(parsed::next).hasCauseInstanceOf(InterruptedIOException.class);
                assertThat(Thread.currentThread().isInterrupted()).isTrue();
            } finally {
                Thread.interrupted();
                never.countDown();
            }
        }
    }
}
