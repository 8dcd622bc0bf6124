package com.widgets.db;

import java.sql.Array;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.ArgumentPreparedStatementSetter;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowCallbackHandler;

/**
 * On Citus, a statement over many serial numbers sent as one statement per shard, each with that shard's values only.
 *
 * <p>Citus sends a multi-shard statement's parameters whole to every shard it touches. A chunk's read of 1,000 widgets
 * had each of 32 shards look up all 1,000 (the worker's planner, expecting 1,000 serial numbers in its shard, even
 * chose a sequential scan), and the chunk's check-and-set {@code UPDATE … FROM unnest(…)} is not pruned at all: ~100 ms
 * a chunk on the local cluster, where the same work split by shard takes ~20. So the values are first grouped by the
 * shard each hashes to (one round trip to the coordinator, which keeps the shard map), then one statement per group is
 * sent, all in one round trip; each is routed to its one shard. Within a group the rows keep their order (the canonical
 * lock order of a chunk's writes), and the groups go in shard order.
 *
 * <p>On plain PostgreSQL, and for fewer than {@value #MIN_VALUES} values, the one statement runs as before.
 */
final class PerShard {

    /** Fewer values than this cost less fanned out than the coordinator round trip that groups them. */
    static final int MIN_VALUES = 16;

    /** The shard of {@code s} on Citus; the wiring tables are co-located, so the widget table's shard stands for all. */
    private static final String CITUS_SHARD = "get_shard_id_for_distribution_column('widget', s)";

    private final JdbcTemplate jdbc;
    /** The SQL expression of a value's shard; empty on plain PostgreSQL; null until asked. */
    private volatile Optional<String> shardOf;

    PerShard(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** Splits on Citus as {@link #PerShard(JdbcTemplate)}, told whether the database is a coordinator. */
    static PerShard known(JdbcTemplate jdbc, boolean citus) {
        PerShard perShard = new PerShard(jdbc);
        perShard.shardOf = citus ? Optional.of(CITUS_SHARD) : Optional.empty();
        return perShard;
    }

    /**
     * Groups by {@code shardOf}, a SQL expression of a text value {@code s}, on any database: lets the splitting run
     * on plain PostgreSQL in tests, with a hash of the test's choosing standing in for Citus's shards.
     */
    PerShard(JdbcTemplate jdbc, String shardOf) {
        this.jdbc = jdbc;
        this.shardOf = Optional.of(shardOf);
    }

    /**
     * Runs {@code statement}, or on Citus {@code onOneShard} once per shard of {@code keys}: the same statement with
     * one more parameter, last, that restricts it to the group's keys (which lets Citus route it). Every array among
     * {@code args} holds one value per key and is split with them; any other argument goes to each statement as is.
     *
     * @return the rows changed, in all
     */
    int update(String statement, String onOneShard, String[] keys, Object... args) {
        List<int[]> groups = groups(keys);
        if (groups == null) {
            return jdbc.update(statement, args);
        }
        return run(onOneShard, groups, keys, args, true, null);
    }

    /**
     * Runs {@code query}, whose {@code = ANY(…)} over {@code keys} lets Citus route it, once per shard of {@code keys},
     * with the arrays among {@code args} split as for {@link #update}. Each key's rows come from one statement.
     */
    void query(String query, String[] keys, RowCallbackHandler rows, Object... args) {
        List<int[]> groups = groups(keys);
        if (groups == null) {
            jdbc.query(query, rows, args);
            return;
        }
        run(query, groups, keys, args, false, rows);
    }

    /** The positions of {@code keys} grouped by shard, in shard order; null when the statement is not split. */
    private List<int[]> groups(String[] keys) {
        if (keys.length < MIN_VALUES) {
            return null;
        }
        Optional<String> expression = shardOf();
        if (expression.isEmpty()) {
            return null;
        }
        String shard = expression.get();
        List<int[]> groups = new ArrayList<>();
        jdbc.query(
                "SELECT array_agg(i::int ORDER BY i) FROM unnest(?::text[]) WITH ORDINALITY AS v(s, i) GROUP BY "
                        + shard + " ORDER BY " + shard,
                rs -> {
                    groups.add(positions(rs.getArray(1)));
                },
                (Object) keys);
        return groups;
    }

    private Optional<String> shardOf() {
        Optional<String> known = shardOf;
        if (known == null) {
            known = CitusLayout.onCitus(jdbc) ? Optional.of(CITUS_SHARD) : Optional.empty();
            shardOf = known;
        }
        return known;
    }

    private static int[] positions(Array ordinals) throws SQLException {
        Integer[] oneBased = (Integer[]) ordinals.getArray();
        int[] positions = new int[oneBased.length];
        for (int i = 0; i < oneBased.length; i++) {
            positions[i] = oneBased[i] - 1;
        }
        return positions;
    }

    /** The statements of all groups in one round trip: counted rows for an update, or every row to {@code rows}. */
    private int run(
            String statement,
            List<int[]> groups,
            String[] keys,
            Object[] args,
            boolean update,
            RowCallbackHandler rows) {
        for (Object arg : args) {
            if (arg instanceof Object[] array && array.length != keys.length) {
                throw new IllegalArgumentException(
                        "an array of " + array.length + " values for " + keys.length + " keys");
            }
        }
        List<Object> bound = new ArrayList<>(groups.size() * (args.length + 1));
        for (int[] group : groups) {
            for (Object arg : args) {
                bound.add(arg instanceof Object[] array ? pick(array, group) : arg);
            }
            if (update) {
                bound.add(pick(keys, group));
            }
        }
        String all = String.join(";\n", Collections.nCopies(groups.size(), statement));
        Integer changed = jdbc.execute(all, (PreparedStatement ps) -> {
            new ArgumentPreparedStatementSetter(bound.toArray()).setValues(ps);
            int count = 0;
            boolean isResult = ps.execute();
            while (true) {
                if (isResult) {
                    try (ResultSet rs = ps.getResultSet()) {
                        while (rs.next()) {
                            rows.processRow(rs);
                        }
                    }
                } else if (ps.getUpdateCount() == -1) {
                    return count;
                } else {
                    count += ps.getUpdateCount();
                }
                isResult = ps.getMoreResults();
            }
        });
        return changed == null ? 0 : changed;
    }

    /** The values at {@code positions}, as an array of the same type. */
    private static Object[] pick(Object[] values, int[] positions) {
        Object[] picked =
                (Object[]) java.lang.reflect.Array.newInstance(values.getClass().getComponentType(), positions.length);
        for (int i = 0; i < positions.length; i++) {
            picked[i] = values[positions[i]];
        }
        return picked;
    }
}
