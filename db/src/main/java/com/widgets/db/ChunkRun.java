package com.widgets.db;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Chunks applied one after the other, in order, by one caller (a rewiring job's apply step): while a chunk is written,
 * the next one's widgets are read on another pooled connection and the next chunk is judged on them, on another
 * thread, so the next chunk starts writing at once. The read is taken before the chunk being written commits, so what
 * that chunk changes is laid over it ({@link ChunkSimulation#laidOver}): the next chunk is judged on exactly what it
 * would have read after the commit, except for what others committed meanwhile — which its check-and-set write finds,
 * as it finds changes made between its own read and write, and it is read and judged again.
 *
 * <p>A chunk whose writes were split into parts (it kept meeting changes) is not laid over anything: the chunk after
 * it reads as usual. So does a chunk of links only or of adds only (written without a read while that pays, see
 * {@link ChunkWrites}), and a chunk when the read for it has not even got a connection yet. Not thread-safe: one caller;
 * closing it drops a read still running.
 */
public final class ChunkRun implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ChunkRun.class);

    private final ChunkWrites writes;
    private final TransactionTemplate tx;
    private final ExecutorService reader;
    /** The read ahead for the chunk after the one last applied, if it can be used. */
    private Pending pending;

    private long chunksReadAhead;

    ChunkRun(ChunkWrites writes, TransactionTemplate tx, ExecutorService reader) {
        this.writes = writes;
        this.tx = tx;
        this.reader = reader;
    }

    /**
     * Applies {@code ops} as {@link WiringStore#applyChunkInParts} does, and reads the widgets {@code next} names while
     * they are written, for the next call if it applies {@code next}.
     *
     * @param next the operations of the chunk the caller applies next, or an empty list
     */
    public List<OpOutcome> applyInParts(
            List<? extends WiringOp> ops, List<? extends WiringOp> next, WiringStore.PartRecorder recorder) {
        List<WiringOp> chunk = List.copyOf(ops);
        Pending mine = pending;
        pending = null;
        ChunkWrites.Simulated readAhead = mine == null ? null : mine.result(chunk);
        if (readAhead != null) {
            chunksReadAhead++;
        }
        Tries tries = new Tries(readAhead, List.copyOf(next));
        boolean committed = false;
        try {
            List<OpOutcome> outcomes = writes.applyInParts(chunk, recorder, tries);
            committed = true;
            return outcomes;
        } finally {
            pending = tries.finish(committed);
        }
    }

    /** Chunks read and judged while the chunk before them was written. */
    public long chunksReadAhead() {
        return chunksReadAhead;
    }

    @Override
    public void close() {
        if (pending != null) {
            pending.drop();
            pending = null;
        }
    }

    /** Follows the attempts at one chunk, reading the next chunk's widgets beside the last one's writes. */
    private final class Tries implements ChunkWrites.Ahead {
        private ChunkWrites.Simulated readAhead;
        private final List<WiringOp> next;
        private Pending reading;
        private boolean split;

        Tries(ChunkWrites.Simulated readAhead, List<WiringOp> next) {
            this.readAhead = readAhead;
            this.next = next;
        }

        @Override
        public void attempt() {
            if (reading != null) {
                reading.drop();
                reading = null;
            }
        }

        @Override
        public ChunkWrites.Simulated take() {
            ChunkWrites.Simulated taken = readAhead;
            readAhead = null;
            return taken;
        }

        @Override
        public void judged(ChunkSimulation simulation, Timestamp at) {
            if (split || next.isEmpty() || ChunkWrites.writtenUnread(next)) {
                return; // links alone, or adds alone, are written unread (ChunkWrites.writeAsAssumed)
            }
            reading = new Pending(next, simulation, at == null ? null : at.toInstant());
        }

        @Override
        public void split() {
            split = true;
            attempt();
        }

        /**
         * The read for the next chunk when this chunk {@code committed} as the one attempt that started it; any other
         * read is dropped.
         */
        Pending finish(boolean committed) {
            if (committed && !split) {
                return reading;
            }
            if (reading != null) {
                reading.drop();
            }
            return null;
        }
    }

    /**
     * The next chunk read on another connection, with the chunk being written laid over the read, and judged; null
     * when the read cannot be squared with that chunk or was not one snapshot (then it is read and judged again).
     */
    private final class Pending {
        private final List<WiringOp> ops;
        private final AtomicBoolean connected = new AtomicBoolean();
        private final Future<ChunkWrites.Simulated> read;

        /**
         * @param before the chunk being written
         * @param writtenAt its transaction's time
         */
        Pending(List<WiringOp> ops, ChunkSimulation before, Instant writtenAt) {
            this.ops = ops;
            Set<String> serials = ChunkSimulation.serials(ops);
            Set<String> whole = ChunkSimulation.addedOrRemoved(ops);
            this.read = reader.submit(() -> {
                Map<String, Widget> read = tx.execute(status -> {
                    connected.set(true);
                    writes.readSettings();
                    return writes.read(ops, serials);
                });
                Map<String, Widget> after = before.laidOver(read, serials, whole, writtenAt);
                try {
                    return after == null ? null : ChunkWrites.simulate(ops, serials, after);
                } catch (Attempts.StateChanged notOneSnapshot) {
                    return null;
                }
            });
        }

        /** {@code chunk} judged on what the chunk before left; null when it must be read and judged now. */
        ChunkWrites.Simulated result(List<WiringOp> chunk) {
            if (!ops.equals(chunk)) {
                drop();
                return null;
            }
            if (!read.isDone() && !connected.get()) {
                drop(); // still waiting for a connection: reading now on our own is quicker
                return null;
            }
            try {
                return read.get();
            } catch (ExecutionException | CancellationException e) {
                log.debug("Reading the next chunk's widgets ahead failed; read now", e);
                return null;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new WiringException(ErrorCode.UNAVAILABLE, "Interrupted while reading a chunk's widgets.");
            }
        }

        void drop() {
            read.cancel(true);
        }
    }
}
