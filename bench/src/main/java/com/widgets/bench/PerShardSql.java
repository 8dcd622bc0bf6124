package com.widgets.bench;

import java.lang.reflect.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The set-based bound's statements over many serial numbers, on Citus sent one per shard as a user who knows Citus
 * writes them. Citus sends a statement's array parameters whole to every shard it touches: {@code = ANY(…)} of a
 * batch's serial numbers has every shard look up all of them, and {@code UPDATE … FROM unnest(…)} is not routed at all,
 * which made the bound a measure of that fan-out rather than of its writes. So on Citus the serial numbers are grouped
 * by the shard the coordinator says each is on, and one statement per group, restricted to it, goes in one round trip.
 * The store does the same (the db module's {@code PerShard}); this is plain JDBC of its own, so the bound carries none
 * of the store's code. On plain PostgreSQL each statement runs once, as written.
 */
final class PerShardSql {

    /** What a query does with each row it returns. */
    interface Rows {
        void row(ResultSet rs) throws SQLException;
    }

    /** As the store: fewer serial numbers cost less fanned out than the round trip that groups them. */
    private static final int SPLIT_FROM = 16;

    private final Connection c;
    private final boolean citus;

    PerShardSql(Connection c, boolean citus) {
        this.c = c;
        this.citus = citus;
    }

    /**
     * Runs {@code sql} over {@code keys}, or on Citus {@code onOneShard} for each shard's keys: {@code sql} with one more
     * parameter, last, that restricts it to them ({@code AND t.serial_number = ANY(?)}); null when {@code sql} itself
     * names the keys by an {@code = ANY(…)} Citus routes on. Every array among {@code args} holds a value per key and is
     * split with them.
     *
     * @return the rows changed, in all
     */
    int update(String sql, String onOneShard, String[] keys, Object... args) throws SQLException {
        return run(sql, onOneShard, keys, args, null);
    }

    /** Runs {@code query}, which names {@code keys} by an {@code = ANY(…)}, per shard on Citus as {@link #update}. */
    void query(String query, String[] keys, Rows rows, Object... args) throws SQLException {
        run(query, null, keys, args, rows);
    }

    private int run(String sql, String onOneShard, String[] keys, Object[] args, Rows rows) throws SQLException {
        List<int[]> groups = citus && keys.length >= SPLIT_FROM ? groups(keys) : List.of();
        String text;
        List<Object> bound = new ArrayList<>();
        if (groups.isEmpty()) {
            text = sql;
            Collections.addAll(bound, args);
        } else {
            text = String.join(";\n", Collections.nCopies(groups.size(), onOneShard == null ? sql : onOneShard));
            for (int[] group : groups) {
                for (Object arg : args) {
                    bound.add(arg instanceof Object[] values ? pick(values, group) : arg);
                }
                if (onOneShard != null) {
                    bound.add(pick(keys, group));
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement(text)) {
            for (int i = 0; i < bound.size(); i++) {
                ps.setObject(i + 1, bound.get(i));
            }
            int changed = 0;
            for (boolean isResult = ps.execute(); ; isResult = ps.getMoreResults()) {
                if (isResult) {
                    try (ResultSet rs = ps.getResultSet()) {
                        while (rs.next()) {
                            rows.row(rs);
                        }
                    }
                } else if (ps.getUpdateCount() == -1) {
                    return changed;
                } else {
                    changed += ps.getUpdateCount();
                }
            }
        }
    }

    /** The positions of {@code keys} grouped by the shard of the co-located tables each is on. */
    private List<int[]> groups(String[] keys) throws SQLException {
        List<int[]> groups = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT array_agg(i::int ORDER BY i) FROM unnest(?::text[]) WITH ORDINALITY AS v(s, i)
                 GROUP BY get_shard_id_for_distribution_column('port', s)
                 ORDER BY get_shard_id_for_distribution_column('port', s)
                """)) {
            ps.setObject(1, keys);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Integer[] oneBased = (Integer[]) rs.getArray(1).getArray();
                    int[] group = new int[oneBased.length];
                    for (int i = 0; i < group.length; i++) {
                        group[i] = oneBased[i] - 1;
                    }
                    groups.add(group);
                }
            }
        }
        return groups;
    }

    private static Object[] pick(Object[] values, int[] positions) {
        Object[] picked = (Object[]) Array.newInstance(values.getClass().getComponentType(), positions.length);
        for (int i = 0; i < positions.length; i++) {
            picked[i] = values[positions[i]];
        }
        return picked;
    }
}
