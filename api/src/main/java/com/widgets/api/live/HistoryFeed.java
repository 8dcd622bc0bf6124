package com.widgets.api.live;

import com.widgets.db.ChangeFeed;
import com.widgets.db.SocketTimeouts;
import com.widgets.db.WiringEvent;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;
import org.springframework.context.SmartLifecycle;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;
import org.springframework.stereotype.Component;

/**
 * Reads what committed, whichever replica or job wrote it, every {@code widgets.live.poll-interval} from the history
 * ({@link ChangeFeed}), over a connection of its own, and hands it to the {@link WiringFanout}; writers send nothing.
 * While nobody subscribes it only keeps its bearings, every {@code widgets.live.idle-poll-interval}; it checks for a
 * first subscriber every poll interval without asking the database, so a new subscription waits one short interval at
 * most, and a change committed once a subscription is registered reaches it. A lost connection is reconnected with
 * back-off and the feed carries on where it was: subscribers wait, they miss nothing.
 */
@Component
class HistoryFeed implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(HistoryFeed.class);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(10);

    private final JdbcConnectionDetails database;
    private final WiringFanout fanout;
    private final Duration interval;
    private final long idleNanos;
    private final ChangeFeed feed = new ChangeFeed();
    private volatile boolean running;
    private volatile Connection connection;
    /** The database session the feed reads over (its backend's pid), 0 while it has none. */
    private volatile int session;

    private Thread thread;

    HistoryFeed(JdbcConnectionDetails database, WiringFanout fanout, LiveSettings settings) {
        this.database = database;
        this.fanout = fanout;
        this.interval = settings.pollInterval();
        this.idleNanos = settings.idlePollInterval().toNanos();
    }

    @Override
    public synchronized void start() {
        running = true;
        thread = new Thread(this::run, "wiring-feed");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public synchronized void stop() {
        running = false;
        closeQuietly(connection);
        if (thread != null) {
            thread.interrupt();
            try {
                thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        fanout.closing();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    private void run() {
        Duration backoff = Duration.ofMillis(200);
        while (running) {
            try (Connection open = connect()) {
                connection = open;
                JdbcTemplate jdbc = new JdbcTemplate(new SingleConnectionDataSource(open, true));
                session = jdbc.queryForObject("SELECT pg_backend_pid()", Integer.class);
                log.info(
                        "Reading committed wiring changes every {} ms while anyone subscribes, every {} ms otherwise",
                        interval.toMillis(),
                        idleNanos / 1_000_000);
                backoff = Duration.ofMillis(200);
                long lastLook = Long.MIN_VALUE;
                while (running) {
                    boolean wanted = fanout.subscriberCount() > 0;
                    if (wanted || lastLook == Long.MIN_VALUE || System.nanoTime() - lastLook >= idleNanos) {
                        lastLook = System.nanoTime();
                        List<WiringEvent> events = feed.poll(jdbc, () -> fanout.subscriberCount() > 0);
                        if (!events.isEmpty()) {
                            fanout.publish(events, LiveCursor.of(feed.resumePoint()));
                        }
                    }
                    Thread.sleep(interval.toMillis());
                }
            } catch (SQLException | DataAccessException e) {
                if (!running) {
                    return;
                }
                log.warn(
                        "Live updates lost their database connection ({}); reconnecting in {} ms, nothing is missed",
                        e.getMessage(),
                        backoff.toMillis());
                try {
                    Thread.sleep(backoff.toMillis());
                } catch (InterruptedException interrupted) {
                    return;
                }
                backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                log.error("Live updates failed to read the history; retrying", e);
                try {
                    Thread.sleep(MAX_BACKOFF.toMillis());
                } catch (InterruptedException interrupted) {
                    return;
                }
            } finally {
                connection = null;
                session = 0;
            }
        }
    }

    /**
     * The pid of the database session the feed reads over, 0 while it has none: tests end that very session, not every
     * feed's of other services sharing the database.
     */
    int session() {
        return session;
    }

    private Connection connect() throws SQLException {
        Properties properties = new Properties();
        if (database.getUsername() != null) {
            properties.setProperty("user", database.getUsername());
        }
        if (database.getPassword() != null) {
            properties.setProperty("password", database.getPassword());
        }
        properties.setProperty("tcpKeepAlive", "true");
        // a database that stops answering ends the feed's wait like a lost connection: it reconnects and carries on
        SocketTimeouts.withDefault(properties);
        properties.setProperty("loginTimeout", String.valueOf(SocketTimeouts.DEFAULT_SECONDS));
        properties.setProperty("ApplicationName", "widgets-api live feed");
        Connection open = DriverManager.getConnection(database.getJdbcUrl(), properties);
        open.setAutoCommit(true);
        return open;
    }

    private static void closeQuietly(Connection connection) {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                // closing to unblock the feed's thread; nothing else to do
            }
        }
    }
}
