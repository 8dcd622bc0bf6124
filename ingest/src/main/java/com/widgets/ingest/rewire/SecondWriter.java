package com.widgets.ingest.rewire;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;

/**
 * The threads that write the second halves of a job's chunks beside the first ({@link TwoWriters}), on a connection of
 * their own, and the slots for a job's extra connections. A second writer takes the place of a job that is not
 * running: with {@code max-running-jobs} slots the jobs and their second writers together hold no more connections
 * than that many jobs did with one writer each, so the pool sized for them has room. A job reading its next chunk
 * ahead ({@link #takeSlot}) holds a slot the same way.
 */
class SecondWriter implements AutoCloseable {

    private final boolean enabled;
    private final int slots;
    private final IntSupplier runningJobs;
    private final ExecutorService threads;
    private final AtomicLong halves = new AtomicLong();
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
     * Takes a slot for another connection of a running job (a second writer, or its next chunk read while this one is
     * written), if one is free; whatever {@code writers} says, and on Citus too. Give it back with {@link #freeSlot}.
     */
    synchronized boolean takeSlot() {
        if (busy + runningJobs.getAsInt() >= slots) {
            return false;
        }
        busy++;
        return true;
    }

    /** Gives back a slot {@link #takeSlot} took. */
    synchronized void freeSlot() {
        busy--;
    }

    /** Whether the jobs now running and the extra connections held fill more than the slots (a job started since). */
    synchronized boolean overbooked() {
        return busy + runningJobs.getAsInt() > slots;
    }

    /**
     * Writes a half on a second writer's thread once {@code before} (the half that writer had before) ended; when that
     * failed, fails the same way without writing. Null, having started nothing, when shutting down.
     */
    CompletableFuture<Void> after(CompletableFuture<Void> before, Runnable half) {
        try {
            return CompletableFuture.runAsync(
                    () -> {
                        before.join();
                        half.run();
                        halves.incrementAndGet();
                    },
                    threads);
        } catch (RejectedExecutionException e) {
            return null;
        }
    }

    /** Halves written by a second writer since this process started. */
    long halvesWritten() {
        return halves.get();
    }

    @Override
    public void close() {
        threads.shutdown();
    }
}
