package com.widgets.db;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.springframework.dao.support.DataAccessUtils;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;

/**
 * The committed changes of the wiring, read from the history: every row exactly once, soon after its transaction
 * commits — whichever process wrote it, with no notification sent by the writers (their commits stay off any global
 * lock). Poll it on one connection in autocommit mode; keep the object across reconnections.
 *
 * <p>History ids and timestamps are taken when a transaction writes, not when it commits, so "id above the last seen"
 * alone would miss a row whose transaction took its id early and committed late. Each poll therefore reads the last
 * id taken from the sequence, then the session list, then the rows: those with an id above the last id taken when
 * the previous poll began — a transaction that look did not show had not started, and PostgreSQL shows a transaction's
 * start before it runs a statement, so its ids come after — and the rows of the transactions that look showed running
 * and this one no longer shows (a row's {@code at} is its transaction's start, the {@code xact_start} {@code
 * pg_stat_activity} showed), above the last id taken before the look that first showed each; a bit per recent id
 * drops the ones already returned. Each is its own statement, in that
 * order, so a transaction the session list no longer shows has committed before the rows are read. Both reads go
 * through btree indexes ({@code id}, {@code (at, id)}), and a poll re-reads only the rows whose ids were taken while
 * the previous one ran. On Citus every write goes through the coordinator, whose sessions, clock and sequence this
 * reads.
 *
 * <p>The database user must see the other writers' sessions in {@code pg_stat_activity}: the same user, or one with
 * {@code pg_read_all_stats}.
 */
public final class ChangeFeed {

    /**
     * A resume point stays this far behind the look it comes from (see {@link #resumePoint()}): a session's start time
     * is taken an instant before {@code pg_stat_activity} shows it.
     */
    static final Duration MARGIN = Duration.ofMillis(100);

    private static final String ACTIVITY = """
            SELECT now(), array_agg(xact_start)
              FROM pg_stat_activity
             WHERE datname = current_database() AND backend_type = 'client backend'
               AND xact_start IS NOT NULL AND pid <> pg_backend_pid()
            """;
    private static final String MAX_ID = "SELECT coalesce(max(id), 0) FROM wiring_history";
    private static final String COLUMNS = """
            SELECT id, at, serial_number, event, port, peer_serial, peer_port, name, ports,
                   actor, request_id, job_id, line_number
              FROM wiring_history
            """;
    /**
     * The rows of ids not yet read, and of the transactions that ended since, each of those above the last id taken
     * before it began: without that bound the planner prices {@code at = ANY(…)} by the history's average rows per
     * transaction start — thousands after bulk loads, whose chunks share a start — and plans parallel workers, two
     * processes forked at a look.
     */
    private static final String NEW_ROWS =
            COLUMNS + " WHERE id > ? OR (at = ANY(?::timestamptz[]) AND id > ?) ORDER BY id";
    /**
     * The last id taken, as {@code nextval} left it (a sequence never called yet has taken none), read under the
     * sequence's buffer lock. Not {@code SELECT last_value FROM} the sequence: a scan checks the page under the lock
     * but reads the tuple after letting go of it, and {@code nextval}, while it writes its WAL record every 32 values,
     * holds the value it logs — 32 ahead of the one it hands out — in that very tuple for an instant. A look that read
     * it took ids not yet handed out for taken, and lost the changes of the transactions that started after it and
     * took them (seen in the live bench: 15, 27 and 32 contiguous ids, never delivered).
     */
    private static final String LAST_TAKEN =
            "SELECT coalesce(pg_sequence_last_value('wiring_history_id_seq'::regclass), 0)";

    private static final String REPLAY = COLUMNS
            + " WHERE (at > ? OR (at = ? AND id > ?)) AND (?::text[] IS NULL OR serial_number = ANY(?::text[]))"
            + " ORDER BY at, id LIMIT ?";

    /**
     * A moment to count changes from: the last history id taken by then and the start of every transaction open then.
     * A row whose id is above it, or whose transaction was open then, committed after it (or within the instant the
     * look took); any other row committed before it.
     */
    public record Since(long lastId, Set<Instant> open) {

        /** Whether the row of this id and time committed after this moment. */
        public boolean precedes(long id, Instant at) {
            return id > lastId || open.contains(at);
        }
    }

    /**
     * Now, as a moment to count changes from: the sequence, then the sessions, each in its own statement as {@link
     * #poll} reads them. One statement reading both would read the sessions first: PostgreSQL evaluates a scalar
     * subquery of the select list (the sequence) once the rows under it (the sessions) are read, and a transaction
     * starting between the two reads would take an id below the one read while missing from the sessions — its
     * change, committed after this moment, would be taken for an earlier one.
     */
    public static Since since(JdbcTemplate jdbc) {
        long taken = lastTaken(jdbc);
        return new Since(taken, activity(jdbc).running());
    }

    /** What {@code pg_stat_activity} showed: the time of the look and the start of every open transaction. */
    private record Activity(Instant now, Set<Instant> running) {}

    /** The highest id seen by the poll before {@code at}: every id taken after {@code at} is above it. */
    private record Mark(Instant at, long maxIdBefore) {}

    private boolean started;
    private long lastMaxId;
    /** The last id taken when the previous look began: ids of every session not shown in that look are above it. */
    private long lastTaken;

    private Set<Instant> running = Set.of();
    /**
     * For each start in {@link #running}, the last id taken before the look that first showed it (0 when that was the
     * first look): that look's predecessor did not show the transaction, so it had not begun, and takes its ids after.
     */
    private Map<Instant, Long> floors = Map.of();

    private final Deque<Mark> marks = new ArrayDeque<>();
    /** Ids above {@link #base} already returned: bit {@code i} is id {@code base + 1 + i}. */
    private BitSet seen = new BitSet();

    private long base;
    private Instant resumePoint;
    private Instant previousResumePoint;
    /** Looks that read the history table (the others knew there was nothing new to read). */
    private volatile long reads; // written by the polling thread only

    /**
     * The rows committed since the previous poll (the first poll only takes its bearings and returns none), in id
     * order. {@code jdbc} must run each statement in its own transaction.
     */
    public List<WiringEvent> poll(JdbcTemplate jdbc) {
        return poll(jdbc, () -> true);
    }

    /**
     * Like {@link #poll(JdbcTemplate)}, but only takes its bearings, reading no rows, unless {@code wanted} says
     * someone listens — while nobody does, a busy system's changes are not worth reading. {@code wanted} is asked
     * after the look at the sessions, so whatever commits after it answered is returned by the next poll.
     */
    public List<WiringEvent> poll(JdbcTemplate jdbc, BooleanSupplier wanted) {
        // the sequence before the sessions, each in its own statement: a session the look does not show had not
        // started its transaction when the look read it, so every id it takes comes after this one
        long taken = lastTaken(jdbc);
        Activity activity = activity(jdbc);
        if (!started || !wanted.getAsBoolean()) {
            reset(jdbc, activity, taken);
            return List.of();
        }
        Set<Instant> finished = new HashSet<>(running);
        finished.removeAll(activity.running());
        marks.addLast(new Mark(activity.now(), lastMaxId));
        List<WiringEvent> rows;
        if (taken == lastTaken && finished.isEmpty()) {
            // no id taken since the previous look and no transaction it saw has ended: nothing new can have committed
            // (on Citus this saves a query over every shard at each look of an idle system)
            rows = List.of();
        } else {
            reads++;
            long floor = Long.MAX_VALUE;
            for (Instant start : finished) {
                floor = Math.min(floor, floors.get(start));
            }
            rows = jdbc.query(
                    NEW_ROWS,
                    History.ROW,
                    lastTaken,
                    finished.stream().map(Instant::toString).toArray(String[]::new),
                    finished.isEmpty() ? lastTaken : floor);
        }
        List<WiringEvent> fresh = new ArrayList<>(rows.size());
        for (WiringEvent row : rows) {
            if (firstTime(row.id())) {
                fresh.add(row);
            }
            lastMaxId = Math.max(lastMaxId, row.id());
        }
        see(activity, taken);
        advance(activity);
        return fresh;
    }

    /** How many polls read the history table; a poll that knew nothing could have committed did not. */
    public long historyReads() {
        return reads;
    }

    /**
     * Where a reader of the rows the latest poll returned can resume: every row before it was returned by this poll
     * or an earlier one; {@link #replay} from it returns every row since (some perhaps again).
     */
    public Instant resumePoint() {
        return previousResumePoint;
    }

    /**
     * A page of the rows after {@code (at, afterId)} in (at, id) order — of the widgets {@code serials} only, unless
     * null — at most {@code limit}; start with {@code afterId} 0 at a {@link #resumePoint()}.
     */
    public static List<WiringEvent> replay(JdbcTemplate jdbc, Instant at, long afterId, String[] serials, int limit) {
        Timestamp from = Timestamp.from(at);
        return jdbc.query(REPLAY, History.ROW, from, from, afterId, serials, serials, limit);
    }

    private void reset(JdbcTemplate jdbc, Activity activity, long taken) {
        lastMaxId = prepared(jdbc, MAX_ID, (rs, row) -> rs.getLong(1));
        see(activity, taken);
        marks.clear();
        base = lastMaxId;
        seen = new BitSet();
        resumePoint = lowest(activity);
        previousResumePoint = resumePoint;
        started = true;
    }

    /** Takes this look's sequence and sessions as the ones the next look compares with. */
    private void see(Activity activity, long taken) {
        Map<Instant, Long> next = new HashMap<>();
        for (Instant start : activity.running()) {
            Long floor = floors.get(start);
            next.put(start, floor != null ? floor : started ? lastTaken : 0L);
        }
        floors = next;
        running = activity.running();
        lastTaken = taken;
    }

    private boolean firstTime(long id) {
        if (id <= base) {
            // cannot happen by the reasoning above; returning a row twice is better than losing one
            return true;
        }
        long bit = id - base - 1;
        if (bit > Integer.MAX_VALUE - 1) {
            rebase(id - 1);
            bit = 0;
        }
        if (seen.get((int) bit)) {
            return false;
        }
        seen.set((int) bit);
        return true;
    }

    /**
     * Forgets what no later poll can read again: rows of transactions that started before the oldest one still
     * open, or before the margin before this poll.
     */
    private void advance(Activity activity) {
        Instant lowest = lowest(activity);
        previousResumePoint = resumePoint;
        resumePoint = lowest;
        Mark keep = null;
        while (!marks.isEmpty() && !marks.peekFirst().at().isAfter(lowest)) {
            keep = marks.pollFirst();
        }
        if (keep != null) {
            marks.addFirst(keep);
            if (keep.maxIdBefore() > base) {
                rebase(keep.maxIdBefore());
            }
        }
    }

    private Instant lowest(Activity activity) {
        Instant lowest = activity.now().minus(MARGIN);
        for (Instant start : activity.running()) {
            if (start.isBefore(lowest)) {
                lowest = start;
            }
        }
        return lowest;
    }

    private void rebase(long newBase) {
        long shift = newBase - base;
        seen = shift >= seen.length() ? new BitSet() : seen.get((int) shift, seen.length());
        base = newBase;
    }

    private static long lastTaken(JdbcTemplate jdbc) {
        return prepared(jdbc, LAST_TAKEN, (rs, row) -> rs.getLong(1));
    }

    private static Activity activity(JdbcTemplate jdbc) {
        return prepared(
                jdbc,
                ACTIVITY,
                (ResultSet rs, int row) -> new Activity(rs.getTimestamp(1).toInstant(), starts(rs.getArray(2))));
    }

    /**
     * A statement of no parameters, run as a prepared one: after a few looks the driver keeps it prepared on the
     * server, which then neither parses nor plans it again (a plain statement was parsed and planned at every look,
     * fifty a second).
     */
    private static <T> T prepared(JdbcTemplate jdbc, String sql, RowMapper<T> row) {
        return DataAccessUtils.requiredSingleResult(jdbc.query(connection -> connection.prepareStatement(sql), row));
    }

    private static Set<Instant> starts(Array starts) throws SQLException {
        Set<Instant> running = new HashSet<>();
        if (starts != null) {
            for (Object start : (Object[]) starts.getArray()) {
                running.add(((Timestamp) start).toInstant());
            }
        }
        return running;
    }
}
