package com.widgets.ingest.rewire;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An apply-mode job writing its chunks' halves ({@link Halves}) with two connections that do not meet at every chunk:
 * the job's thread writes each chunk's first half, a second writer ({@link SecondWriter}) the second, and the job goes
 * on to its next chunk — Spring Batch's chunk commit, reading, cutting the next chunk and writing its first half —
 * while the second half is still being written.
 *
 * <p>The halves h0, h1, h2, … of the file commit in that order, so the committed lines are always a prefix of the
 * file, as with one writer: each half records its parts ({@link PartLog}) only once the half before it committed,
 * waiting inside its own transaction, holding locks only on rows the half before does not touch. A half starts beside
 * the half before it only when the two touch no row in common ({@link Halves.Touched#meets}); otherwise the job waits
 * for the second writer first. When a half fails, the half after it rolls back. When a half kept meeting concurrent
 * changes and goes on to lock its rows — every port of its widgets, the next half's among them — the half after it
 * gives way, and a half that would do so before the half before it committed gives way itself: it rolls back with
 * nothing committed, waits for the half before it, and is written again.
 *
 * <p>The job's position in Spring Batch's context may therefore run a half ahead of what committed; a restart resumes
 * from {@link CommittedLines}, which commits with the lines (see {@link RewiringFileReader}).
 */
final class TwoWriters implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TwoWriters.class);
    private static final CompletableFuture<Void> NOTHING = CompletableFuture.completedFuture(null);

    private final SecondWriter writers;
    private final LineJudge judge;
    private final PartLog parts;
    private final long jobId;
    /** Whether this job holds a slot for its second writer's connection. */
    private boolean slot;
    /** The last half handed to the second writer, until {@link #finish}: it may still be writing. */
    private Half behind;

    TwoWriters(SecondWriter writers, LineJudge judge, PartLog parts, long jobId) {
        this.writers = writers;
        this.judge = judge;
        this.parts = parts;
        this.jobId = jobId;
    }

    /**
     * Writes the first half on this thread and hands the second to the second writer, to be written beside the first
     * once the half it had before is done. Returns the job's position after the first half — every line up to it
     * committed — while the second half may still be writing ({@link #writing}). Null, having written nothing and with
     * no half in flight, when no slot is free for a second writer.
     */
    CommittedLines.Position write(Halves halves) {
        Half before = behind;
        if (before != null && (before.touched.meets(halves.firstTouched()) || writers.overbooked())) {
            finish(); // this half may touch what the second writer still writes, or another job needs the slot
            before = null;
        }
        if (!slot && !(slot = writers.takeSlot())) {
            return null;
        }
        Half first = new Half(halves.first(), halves.firstTouched(), before);
        Half second = new Half(halves.second(), halves.secondTouched(), first);
        CompletableFuture<Void> task = writers.after(before == null ? NOTHING : before.task, second::write);
        if (task == null) { // shutting down: nothing of this chunk started
            finish();
            return null;
        }
        second.task = task.whenComplete((done, failure) -> {
            if (failure != null) {
                second.end.completeExceptionally(cause(failure)); // when it never started: the half before it failed
            }
        });
        behind = second;
        try {
            first.write();
        } catch (RuntimeException | Error e) {
            behind = null;
            second.task.exceptionally(rolledBack -> null).join(); // it gives way: nothing of it commits
            release();
            throw e;
        }
        return first.end.join();
    }

    /** Whether the second writer may still be writing a half. */
    boolean writing() {
        return behind != null;
    }

    /**
     * Waits until the second writer's last half is written and gives back its slot. Returns the job's position after
     * that half (null when none was handed over), or throws what it failed with.
     */
    CommittedLines.Position finish() {
        Half last = behind;
        behind = null;
        try {
            if (last == null) {
                return null;
            }
            try {
                last.task.join();
            } catch (CompletionException e) {
                throw rethrown(e);
            }
            return last.end.join();
        } finally {
            release();
        }
    }

    /** Waits for the half in flight, if any; what it failed with is logged (a restart writes it again). */
    @Override
    public void close() {
        try {
            finish();
        } catch (RuntimeException e) {
            log.warn("Job {}: the last half handed to the second writer failed; a restart writes it again", jobId, e);
        }
    }

    private void release() {
        if (slot) {
            slot = false;
            writers.freeSlot();
        }
    }

    private static Throwable cause(Throwable failure) {
        return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    }

    private static RuntimeException rethrown(Throwable failure) {
        Throwable cause = cause(failure);
        if (cause instanceof Error error) {
            throw error;
        }
        return cause instanceof RuntimeException runtime ? runtime : new IllegalStateException(cause);
    }

    /** A half of a chunk, and how its writing got on, for the half after it to wait for. */
    private final class Half {
        /** Its lines, until written: then let go, with {@link #before}, so that written halves are not kept. */
        private List<FileLine> lines;

        final Halves.Touched touched;
        /** The half that commits just before this one; null when it had committed when this one started. */
        private Half before;
        /** Completes with the job's position after this half once all of it committed, or with what it failed with. */
        final CompletableFuture<CommittedLines.Position> end = new CompletableFuture<>();
        /** Completes when this half goes on to lock its rows (every port of its widgets) before reading them. */
        final CompletableFuture<Void> locking = new CompletableFuture<>();
        /** On the second writer: its writing, from waiting for the half it had before to the end. */
        CompletableFuture<Void> task;

        private volatile CommittedLines.Position position;

        Half(List<FileLine> lines, Halves.Touched touched, Half before) {
            this.lines = lines;
            this.touched = touched;
            this.before = before;
        }

        void write() {
            try {
                try {
                    judge.apply(lines, recorder(before));
                } catch (GaveWay gaveWay) {
                    before.awaitEnd();
                    log.debug(
                            "Job {}: lines {} on gave way to the half before them (concurrent changes), written after it",
                            jobId,
                            lines.get(0).number());
                    judge.apply(lines, recorder(null));
                }
            } catch (RuntimeException | Error e) {
                end.completeExceptionally(e);
                throw e;
            } finally {
                lines = null;
                before = null;
            }
            end.complete(position);
        }

        private LineJudge.Recorder recorder(Half waitFor) {
            return new LineJudge.Recorder() {
                @Override
                public void record(long firstLine, LineJudge.Verdict part) {
                    if (waitFor != null) {
                        waitFor.awaitCommitted();
                    }
                    position = parts.keep(firstLine, part);
                }

                @Override
                public void lockingRows() {
                    if (waitFor != null) {
                        waitFor.committedOrGiveWay(); // our locks would take its rows of the same widgets
                    }
                    locking.complete(null); // and the half after us gives way to them
                }
            };
        }

        /** Waits until all of this half committed; gives way when it failed or goes on to lock rows first. */
        void awaitCommitted() {
            CompletableFuture.anyOf(end, locking).exceptionally(failed -> null).join();
            committedOrGiveWay();
        }

        void committedOrGiveWay() {
            if (!end.isDone() || end.isCompletedExceptionally()) {
                throw new GaveWay();
            }
        }

        /** Waits until this half ended; throws what it failed with. */
        CommittedLines.Position awaitEnd() {
            try {
                return end.join();
            } catch (CompletionException e) {
                throw rethrown(e);
            }
        }
    }

    /** A half rolled back, to be written after the half before it or not at all. */
    private static final class GaveWay extends RuntimeException {
        GaveWay() {
            super("a half gave way to the half before it", null, false, false);
        }
    }
}
