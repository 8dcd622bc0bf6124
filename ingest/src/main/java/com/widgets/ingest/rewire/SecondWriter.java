package com.widgets.ingest.rewire;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;

/**
 * The threads that write the second half of a chunk beside the first (see {@link ChunkWriter}), on a connection of
 * their own. A second writer takes the place of a job that is not running: with {@code max-running-jobs} slots the
 * jobs and their second writers together hold no more connections than that many jobs did with one writer each, so
 * the pool sized for them has room. A job reading its next chunk ahead ({@link #takeSlot}) holds a slot the same way.
 */
class SecondWriter implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SecondWriter.class);

    private final boolean enabled;
    private final int slots;
    private final IntSupplier runningJobs;
    private final ExecutorService threads;
    private final AtomicLong chunks = new AtomicLong();
    private int busy;

    /**
     * @param writers 2 to write chunks with two connections, 1 not to
     * @param slots how many jobs may run at once
     * @param runningJobs how many run now
     */
    SecondWriter(int writers, int slots, IntSupplier runningJobs) {
        this.enabled = writers == 2;
        this.slots = slots;
        this.runningJobs = runningJobs;
        CustomizableThreadFactory named = new CustomizableThreadFactory("rewiring-writer-");
        named.setDaemon(true);
        this.threads = Executors.newCachedThreadPool(named);
    }

    boolean enabled() {
        return enabled;
    }

    /**
     * Writes the second half on a second connection while the calling thread writes the first, each through {@code
     * judge} to {@code parts}; false, having written nothing, when no second writer is free.
     *
     * <p>The second half's parts commit only once the whole first half has: each waits for it inside its own
     * transaction, holding locks on rows the first half does not touch. So the committed lines stay a prefix of the
     * file, as with one writer. When the first half fails, the second rolls back. When either half kept meeting
     * concurrent changes and goes on to lock its rows — every port of its widgets, the other half's among them — before
     * the first half committed, the second gives way, with nothing of it committed, and is written after the first.
     */
    boolean write(Halves halves, LineJudge judge, LineJudge.Recorder parts, long jobId) {
        FirstHalf first = new FirstHalf();
        CompletableFuture<Void> secondHalf = start(() -> judge.apply(halves.second(), new LineJudge.Recorder() {
            @Override
            public void record(long firstLine, LineJudge.Verdict part) {
                first.awaitCommitted();
                parts.record(firstLine, part);
            }

            @Override
            public void lockingRows() {
                first.committedOrGiveWay(); // our locks would take the first half's rows of the same widgets
            }
        }));
        if (secondHalf == null) {
            return false;
        }
        try {
            judge.apply(halves.first(), new LineJudge.Recorder() {
                @Override
                public void record(long firstLine, LineJudge.Verdict part) {
                    parts.record(firstLine, part);
                }

                @Override
                public void lockingRows() {
                    first.lockingRows();
                }
            });
        } catch (RuntimeException | Error e) {
            first.failed(e);
            secondHalf.exceptionally(rolledBack -> null).join();
            throw e;
        }
        first.committed();
        try {
            secondHalf.join();
            chunks.incrementAndGet();
        } catch (CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Error error) {
                throw error;
            }
            if (!(cause instanceof GaveWay)) {
                throw cause instanceof RuntimeException failure ? failure : e;
            }
            log.debug(
                    "Job {}: lines {} on gave way to the first half of their chunk (concurrent changes), written after it",
                    jobId,
                    halves.second().get(0).number());
            judge.apply(halves.second(), parts);
        }
        return true;
    }

    /**
     * Takes a slot for another connection of a running job (its next chunk read while this one is written), if one is
     * free; whatever {@code writers} says, and on Citus too. Give it back with {@link #freeSlot}.
     */
    synchronized boolean takeSlot() {
        if (busy + runningJobs.getAsInt() >= slots) {
            return false;
        }
        busy++;
        return true;
    }

    /** Starts writing a second half; null when there is no free slot for it. */
    private CompletableFuture<Void> start(Runnable half) {
        if (!enabled || !takeSlot()) {
            return null;
        }
        try {
            return CompletableFuture.runAsync(half, threads).whenComplete((done, failure) -> freeSlot());
        } catch (RuntimeException e) { // refused: shutting down
            freeSlot();
            return null;
        }
    }

    /** Gives back a slot {@link #takeSlot} (or a second half) took. */
    synchronized void freeSlot() {
        busy--;
    }

    /** Chunks written by two writers since this process started. */
    long chunksWrittenByTwo() {
        return chunks.get();
    }

    @Override
    public void close() {
        threads.shutdown();
    }

    /** How the first half of a chunk written by two writers got on, for the second half to wait for. */
    private static final class FirstHalf {
        private final CompletableFuture<Void> end = new CompletableFuture<>();
        private final CompletableFuture<Void> locking = new CompletableFuture<>();

        void committed() {
            end.complete(null);
        }

        void failed(Throwable e) {
            end.completeExceptionally(e);
        }

        void lockingRows() {
            locking.complete(null);
        }

        /** Waits until the whole first half committed; gives way when it failed or locks rows first. */
        void awaitCommitted() {
            CompletableFuture.anyOf(end, locking).exceptionally(failed -> null).join();
            committedOrGiveWay();
        }

        void committedOrGiveWay() {
            if (!end.isDone() || end.isCompletedExceptionally()) {
                throw new GaveWay();
            }
        }
    }

    /** The second half rolled back, to be written after the first half or not at all. */
    private static final class GaveWay extends RuntimeException {
        GaveWay() {
            super("the second half of a chunk gave way to the first", null, false, false);
        }
    }
}
