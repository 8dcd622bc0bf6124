package com.widgets.db;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.SqlParameterValue;
import org.springframework.transaction.support.TransactionTemplate;

/** The wiring_history table: the origin columns every row carries, and reading a widget's history back. */
final class History {

    /** The columns after the event's own: who and where from. */
    static final String ORIGIN = "actor, request_id, job_id, line_number";
    /** The matching placeholders, cast so PostgreSQL knows their types inside INSERT … SELECT. */
    static final String ORIGIN_VALUES = "?::text, ?::text, ?::bigint, ?::bigint";

    private static final String READ = """
            SELECT id, at, serial_number, event, port, peer_serial, peer_port, name, ports,
                   actor, request_id, job_id, line_number
              FROM wiring_history
             WHERE serial_number = ? AND id < ?
             ORDER BY id DESC
             LIMIT ?
            """;

    static final RowMapper<WiringEvent> ROW = History::event;

    /** One replica prunes at a time: the others find the lock taken and leave it to that one. */
    private static final long PRUNE_LOCK = 0x7769_7269_6e67_4cL; // "wiringL"

    private static final String OLDEST = "SELECT min(at) FROM wiring_history WHERE at < ?";
    private static final String PRUNE = "DELETE FROM wiring_history WHERE at < ?";

    /** The database-assigned identity of a history row. */
    record Stamp(long id, Instant at) {
        static final RowMapper<Stamp> ROW =
                (rs, i) -> new Stamp(rs.getLong("id"), rs.getTimestamp("at").toInstant());
    }

    private final JdbcTemplate jdbc;

    History(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Deletes the rows older than {@code before}, oldest first, {@code window} of history per transaction so no
     * transaction grows with the backlog; returns how many went. Stops at once (returning 0) when another process
     * holds the prune lock.
     */
    long prune(TransactionTemplate tx, Instant before, Duration window) {
        long deleted = 0;
        while (true) {
            Long rows = tx.execute(status -> {
                // a window of a busy hour (a big rewiring job's) may take longer to delete than the pool's limit
                jdbc.execute((ConnectionCallback<Void>) connection -> {
                    SocketTimeouts.lift(connection);
                    return null;
                });
                if (!Boolean.TRUE.equals(
                        jdbc.queryForObject("SELECT pg_try_advisory_xact_lock(?)", Boolean.class, PRUNE_LOCK))) {
                    return null;
                }
                Timestamp oldest = jdbc.queryForObject(OLDEST, Timestamp.class, Timestamp.from(before));
                if (oldest == null) {
                    return -1L;
                }
                Instant upTo = oldest.toInstant().plus(window);
                return (long) jdbc.update(PRUNE, Timestamp.from(upTo.isBefore(before) ? upTo : before));
            });
            if (rows == null || rows < 0) {
                return deleted;
            }
            deleted += rows;
        }
    }

    /** Up to {@code limit} events of one widget, newest first, older than {@code beforeId}. */
    List<WiringEvent> read(String serial, long beforeId, int limit) {
        return jdbc.query(READ, ROW, serial, beforeId, limit);
    }

    static Object[] origin(Origin origin) {
        return new Object[] {
            origin.actor(),
            new SqlParameterValue(Types.VARCHAR, origin.requestId()),
            new SqlParameterValue(Types.BIGINT, origin.jobId()),
            new SqlParameterValue(Types.BIGINT, origin.lineNumber())
        };
    }

    /** {@code head} followed by the origin arguments. */
    static Object[] args(Origin origin, Object... head) {
        Object[] tail = origin(origin);
        Object[] all = new Object[head.length + tail.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(tail, 0, all, head.length, tail.length);
        return all;
    }

    static WiringEvent portEvent(Stamp stamp, EventType type, PortRef end, PortRef peer, Origin origin) {
        return new WiringEvent(stamp.id(), stamp.at(), end.serialNumber(), type, end.port(), peer, null, null, origin);
    }

    private static WiringEvent event(ResultSet rs, int row) throws SQLException {
        String peerSerial = rs.getString(6);
        String port = rs.getString(5);
        String ports = rs.getString(9);
        Set<PortType> types = ports == null ? null : PortType.setOf("ports", ports);
        long job = rs.getLong(12);
        Long jobId = rs.wasNull() ? null : job;
        long line = rs.getLong(13);
        Long lineNumber = rs.wasNull() ? null : line;
        return new WiringEvent(
                rs.getLong(1),
                rs.getTimestamp(2).toInstant(),
                rs.getString(3),
                EventType.valueOf(rs.getString(4)),
                port == null ? null : PortType.valueOf(port),
                peerSerial == null ? null : new PortRef(peerSerial, PortType.valueOf(rs.getString(7))),
                rs.getString(8),
                types,
                new Origin(rs.getString(10), rs.getString(11), jobId, lineNumber));
    }
}
