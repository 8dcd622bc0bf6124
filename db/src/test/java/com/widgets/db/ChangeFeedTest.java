package com.widgets.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.widgets.db.testing.TestDatabases;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DelegatingDataSource;

/**
 * The feed returns every committed history row exactly once, also when its transaction took its id and time long
 * before it committed, while other transactions committed around it — with real concurrent transactions.
 */
class ChangeFeedTest extends StoreTestSupport {

    @Autowired
    DataSource dataSource;

    private long insert(Connection connection, String serial) throws Exception {
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO wiring_history (serial_number, event, name, actor) VALUES (?, 'ADDED', 'x', 'feed-test')"
                        + " RETURNING id")) {
            insert.setString(1, serial);
            try (var rs = insert.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static Set<String> serials(List<WiringEvent> events) {
        Set<String> serials = new HashSet<>();
        for (WiringEvent event : events) {
            serials.add(event.serialNumber());
        }
        return serials;
    }

    @Test
    void aRowWhoseTransactionCommitsAfterLaterIdsIsReturnedOnceItCommits() throws Exception {
        ChangeFeed feed = new ChangeFeed();
        assertThat(feed.poll(jdbc)).isEmpty(); // takes its bearings
        try (Connection slow = dataSource.getConnection()) {
            slow.setAutoCommit(false);
            long early = insert(slow, "LATE-1"); // takes its id and time now, commits last
            feed.poll(jdbc);
            long later;
            try (Connection quick = dataSource.getConnection()) {
                later = insert(quick, "QUICK-1");
            }
            assertThat(later).isGreaterThan(early);
            assertThat(serials(feed.poll(jdbc))).containsExactly("QUICK-1");
            assertThat(feed.poll(jdbc)).isEmpty();
            Thread.sleep(300); // long after it took its id: only its finishing can bring it back
            assertThat(feed.poll(jdbc)).isEmpty();
            slow.commit();
            slow.setAutoCommit(true);
        }
        assertThat(serials(feed.poll(jdbc))).containsExactly("LATE-1");
        assertThat(feed.poll(jdbc)).isEmpty();
        assertThat(feed.poll(jdbc)).isEmpty();
    }

    @Test
    void aRowTakenBeforeTheFeedsFirstLookIsReturnedWhenItsTransactionCommitsAfter() throws Exception {
        ChangeFeed feed = new ChangeFeed();
        try (Connection slow = dataSource.getConnection()) {
            slow.setAutoCommit(false);
            insert(slow, "BEFORE-1"); // its id is taken before the feed has looked at all
            assertThat(feed.poll(jdbc)).isEmpty(); // takes its bearings with that transaction running
            try (Connection quick = dataSource.getConnection()) {
                insert(quick, "QUICK-2");
            }
            assertThat(serials(feed.poll(jdbc))).containsExactly("QUICK-2");
            slow.commit();
            slow.setAutoCommit(true);
        }
        assertThat(serials(feed.poll(jdbc))).containsExactly("BEFORE-1");
        assertThat(feed.poll(jdbc)).isEmpty();
    }

    @Test
    void looksOfAnIdleSystemReadNoHistoryAndTheNextChangeIsRead() throws Exception {
        ChangeFeed feed = new ChangeFeed();
        assertThat(feed.poll(jdbc)).isEmpty(); // takes its bearings
        long reads = feed.historyReads();
        for (int i = 0; i < 5; i++) {
            assertThat(feed.poll(jdbc)).isEmpty();
        }
        assertThat(feed.historyReads()).as("idle looks").isEqualTo(reads);

        try (Connection writer = dataSource.getConnection()) {
            insert(writer, "IDLE-1");
        }
        assertThat(serials(feed.poll(jdbc))).containsExactly("IDLE-1");
        assertThat(feed.historyReads()).isEqualTo(reads + 1);

        try (Connection open = dataSource.getConnection()) {
            open.setAutoCommit(false);
            insert(open, "IDLE-2"); // took its id, not committed: the sequence moved, so the next look reads
            assertThat(feed.poll(jdbc)).isEmpty();
            long afterTaking = feed.historyReads();
            assertThat(feed.poll(jdbc)).isEmpty(); // nothing taken, nothing ended since
            assertThat(feed.historyReads()).isEqualTo(afterTaking);
            open.commit(); // its transaction ends: the next look reads it although no id was taken
        }
        assertThat(serials(feed.poll(jdbc))).containsExactly("IDLE-2");
    }

    @Test
    void onlyOnPostgreSqlWhichCanRestartTheSequenceTheFirstIdEverTakenCountsAsAfterAMomentBeforeIt() throws Exception {
        // Citus refuses to alter a distributed sequence; the statements under test are the same there
        assumeFalse(TestDatabases.onCitus(), "Citus: altering a distributed sequence is not supported");
        // as on a database where no change was ever made: the sequence shows its start value, not yet taken
        jdbc.execute("ALTER SEQUENCE wiring_history_id_seq RESTART");
        ChangeFeed.Since since = ChangeFeed.since(jdbc);
        long first;
        try (Connection connection = dataSource.getConnection()) {
            first = insert(connection, "FIRST-1");
        }
        Instant at = jdbc.queryForObject("SELECT at FROM wiring_history WHERE id = ?", Instant.class, first);
        assertThat(since.precedes(first, at))
                .as("id %d, taken after the moment %s", first, since)
                .isTrue();
        assertThat(ChangeFeed.since(jdbc).precedes(first, at)).isFalse();
    }

    /**
     * A moment reads the sequence before, and apart from, the sessions: in one statement PostgreSQL would read the
     * sessions first (a scalar subquery of the select list runs once the rows under it are read), and a transaction
     * starting between the two reads would have its change, committed after the moment, taken for an earlier one. It
     * reads the sequence under its lock: a scan of it can catch the value {@code nextval} logs ahead.
     */
    @Test
    void aMomentReadsTheSequenceBeforeTheSessionsInStatementsOfTheirOwn() {
        List<String> statements = Collections.synchronizedList(new ArrayList<>());
        DataSource recording = new DelegatingDataSource(dataSource) {
            @Override
            public Connection getConnection() throws SQLException {
                Connection real = super.getConnection();
                return (Connection) Proxy.newProxyInstance(
                        getClass().getClassLoader(), new Class<?>[] {Connection.class}, (proxy, method, args) -> {
                            if (method.getName().startsWith("prepare")
                                    && args != null
                                    && args[0] instanceof String sql) {
                                statements.add(sql);
                            }
                            try {
                                return method.invoke(real, args);
                            } catch (InvocationTargetException e) {
                                throw e.getCause();
                            }
                        });
            }
        };
        ChangeFeed.since(new JdbcTemplate(recording));
        assertThat(statements).hasSize(2);
        // under the sequence's buffer lock, never a scan of the sequence (see ChangeFeed.LAST_TAKEN)
        assertThat(statements.get(0))
                .contains("pg_sequence_last_value('wiring_history_id_seq'")
                .doesNotContain("FROM wiring_history_id_seq")
                .doesNotContain("pg_stat_activity");
        assertThat(statements.get(1)).contains("pg_stat_activity").doesNotContain("wiring_history_id_seq");
    }

    @Test
    void concurrentWritersShortAndLongLoseNothingAndRepeatNothing() throws Exception {
        ChangeFeed feed = new ChangeFeed();
        feed.poll(jdbc);
        Set<Long> committed = ConcurrentHashMap.newKeySet();
        List<Long> returned = Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean writing = new AtomicBoolean(true);
        ExecutorService writers = Executors.newFixedThreadPool(6);
        List<Future<?>> done = new ArrayList<>();
        for (int w = 0; w < 6; w++) {
            int writer = w;
            done.add(writers.submit(() -> {
                int n = 0;
                while (writing.get()) {
                    try (Connection connection = dataSource.getConnection()) {
                        connection.setAutoCommit(false);
                        List<Long> ids = new ArrayList<>();
                        int rows = 1 + ThreadLocalRandom.current().nextInt(3);
                        for (int r = 0; r < rows; r++) {
                            ids.add(insert(connection, "W" + writer + "-" + n++));
                            // writer 0 holds its transactions open far longer than a poll
                            Thread.sleep(
                                    writer == 0
                                            ? 400
                                            : ThreadLocalRandom.current().nextInt(15));
                        }
                        if (ThreadLocalRandom.current().nextInt(10) == 0) {
                            connection.rollback(); // aborted rows must never be returned
                        } else {
                            connection.commit();
                            committed.addAll(ids);
                        }
                    }
                }
                return null;
            }));
        }
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(4);
        while (System.nanoTime() < until) {
            feed.poll(jdbc).forEach(event -> returned.add(event.id()));
            Thread.sleep(ThreadLocalRandom.current().nextInt(30));
        }
        writing.set(false);
        for (Future<?> writer : done) {
            writer.get(10, TimeUnit.SECONDS);
        }
        writers.shutdown();
        for (int i = 0; i < 3; i++) {
            feed.poll(jdbc).forEach(event -> returned.add(event.id()));
        }
        assertThat(committed).hasSizeGreaterThan(100);
        assertThat(returned).doesNotHaveDuplicates();
        assertThat(new HashSet<>(returned)).isEqualTo(committed);
    }

    @Test
    void replayFromTheResumePointReturnsEveryRowCommittedSince() throws Exception {
        ChangeFeed feed = new ChangeFeed();
        feed.poll(jdbc);
        try (Connection connection = dataSource.getConnection()) {
            insert(connection, "R-1");
        }
        List<WiringEvent> first = feed.poll(jdbc);
        assertThat(serials(first)).containsExactly("R-1");
        Instant resume = feed.resumePoint();
        Set<String> after = new HashSet<>();
        try (Connection connection = dataSource.getConnection()) {
            for (int i = 2; i <= 5; i++) {
                insert(connection, "R-" + i);
                after.add("R-" + i);
            }
        }
        List<WiringEvent> replayed = new ArrayList<>();
        Instant at = resume;
        long afterId = 0;
        List<WiringEvent> page;
        do {
            page = ChangeFeed.replay(jdbc, at, afterId, null, 2);
            replayed.addAll(page);
            if (!page.isEmpty()) {
                at = page.get(page.size() - 1).at();
                afterId = page.get(page.size() - 1).id();
            }
        } while (page.size() == 2);
        assertThat(serials(replayed)).containsAll(after).contains("R-1");
        assertThat(replayed).extracting(WiringEvent::id).doesNotHaveDuplicates();
    }
}
