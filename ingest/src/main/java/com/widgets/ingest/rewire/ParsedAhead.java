package com.widgets.ingest.rewire;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A file's records parsed on a thread of their own, at most {@link #AHEAD} records ahead of the thread that takes
 * them: the job's thread finds the next chunk's lines parsed when it has written this one, instead of reading and
 * parsing them while the database waits (on a 1M-line link file that was ~2 s of a ~40 s job, bench/PROFILE.md).
 * Records come out in the order of the source; a failure of the source is thrown to the taker when it reaches it.
 */
final class ParsedAhead<T> implements AutoCloseable {

    /** What {@link ParsedAhead} parses: the next record, or null at the end. */
    interface Source<T> {
        T next() throws IOException;
    }

    /** Records handed over at a time (a queue operation per record would cost more than parsing it). */
    static final int BATCH = 500;
    /** The most records parsed and not yet taken: two chunks of the default size. */
    static final int AHEAD = 10_000;

    private static final Object END = new Object();

    private record Failure(Throwable cause) {}

    private final BlockingQueue<Object> handed = new ArrayBlockingQueue<>(AHEAD / BATCH);
    private final Thread thread;
    private volatile boolean closed;
    private Iterator<T> batch = Collections.emptyIterator();
    private boolean ended;

    ParsedAhead(String threadName, Source<T> source) {
        this.thread = new Thread(() -> parse(source), threadName);
        this.thread.setDaemon(true);
        this.thread.start();
    }

    private void parse(Source<T> source) {
        List<T> records = new ArrayList<>(BATCH);
        Object last = END;
        try {
            for (T record = source.next(); record != null; record = source.next()) {
                records.add(record);
                if (records.size() == BATCH) {
                    if (!hand(records)) {
                        return;
                    }
                    records = new ArrayList<>(BATCH);
                }
            }
        } catch (IOException | RuntimeException | Error e) {
            last = new Failure(e); // after the records parsed before it
        }
        if (records.isEmpty() || hand(records)) {
            hand(last);
        }
    }

    /** Waits for room; false when the taker closed this meanwhile. */
    private boolean hand(Object item) {
        while (!closed) {
            try {
                if (handed.offer(item, 100, TimeUnit.MILLISECONDS)) {
                    return true;
                }
            } catch (InterruptedException e) {
                return false;
            }
        }
        return false;
    }

    /**
     * The next record, waiting for it to be parsed; null at the end of the source.
     *
     * @throws UncheckedIOException when the source failed to read (or this thread was interrupted while waiting)
     */
    @SuppressWarnings("unchecked")
    T next() {
        while (!batch.hasNext()) {
            if (ended) {
                return null;
            }
            Object item;
            try {
                item = handed.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new UncheckedIOException(new InterruptedIOException("Interrupted while reading the file"));
            }
            if (item == END) {
                ended = true;
                return null;
            }
            if (item instanceof Failure failure) {
                ended = true;
                Throwable cause = failure.cause();
                if (cause instanceof IOException io) {
                    throw new UncheckedIOException(io);
                }
                if (cause instanceof Error error) {
                    throw error;
                }
                throw (RuntimeException) cause;
            }
            batch = ((List<T>) item).iterator();
        }
        return batch.next();
    }

    /** Stops parsing; when this returns, the parsing thread no longer touches the source. */
    @Override
    public void close() {
        closed = true;
        handed.clear(); // room for a hand-over in progress, which then sees closed
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
