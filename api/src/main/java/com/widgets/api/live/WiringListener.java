package com.widgets.api.live;

import com.widgets.db.WiringNotices;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Listens on {@link WiringNotices#CHANNEL} over a connection of its own (not one of the pool's), so it hears every
 * committed change whichever replica or job made it, and passes them to the {@link WiringFanout}. When the connection
 * fails it tells the fanout (subscriptions end: changes may have been missed) and reconnects with back-off.
 */
@Component
class WiringListener implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(WiringListener.class);
    private static final int POLL_MILLIS = 250;
    private static final Duration KEEP_ALIVE = Duration.ofSeconds(30);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    private final JdbcConnectionDetails database;
    private final WiringFanout fanout;
    private volatile boolean running;
    private volatile Connection connection;
    private Thread thread;

    WiringListener(JdbcConnectionDetails database, WiringFanout fanout) {
        this.database = database;
        this.fanout = fanout;
    }

    @Override
    public synchronized void start() {
        running = true;
        thread = new Thread(this::listen, "wiring-listener");
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
        fanout.interrupted();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    private void listen() {
        Duration backoff = Duration.ofMillis(500);
        while (running) {
            try (Connection listening = connect()) {
                connection = listening;
                try (Statement statement = listening.createStatement()) {
                    statement.execute("LISTEN " + WiringNotices.CHANNEL);
                }
                fanout.listening();
                log.info("Listening for wiring changes on channel {}", WiringNotices.CHANNEL);
                backoff = Duration.ofMillis(500);
                receive(listening);
            } catch (SQLException | RuntimeException e) {
                if (!running) {
                    return;
                }
                fanout.interrupted();
                log.warn(
                        "Lost the wiring-change listener connection ({}); reconnecting in {}", e.getMessage(), backoff);
                try {
                    Thread.sleep(backoff.toMillis());
                } catch (InterruptedException interrupted) {
                    return;
                }
                backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
            } finally {
                connection = null;
            }
        }
    }

    private void receive(Connection listening) throws SQLException {
        PGConnection pg = listening.unwrap(PGConnection.class);
        long lastHeard = System.nanoTime();
        while (running) {
            PGNotification[] notices = pg.getNotifications(POLL_MILLIS);
            if (notices != null && notices.length > 0) {
                lastHeard = System.nanoTime();
                for (PGNotification notice : notices) {
                    if (WiringNotices.CHANNEL.equals(notice.getName())) {
                        deliver(notice.getParameter());
                    }
                }
            } else if (System.nanoTime() - lastHeard > KEEP_ALIVE.toNanos()) {
                // A quiet connection may be a dead one: ask the server, which fails fast when it is gone.
                try (Statement statement = listening.createStatement()) {
                    statement.execute("SELECT 1");
                }
                lastHeard = System.nanoTime();
            }
        }
    }

    private void deliver(String payload) {
        if (fanout.subscriberCount() == 0) {
            return; // nobody to tell: decoding every change of a busy system would cost CPU the database needs
        }
        try {
            fanout.publish(WiringNotices.decode(payload));
        } catch (RuntimeException e) {
            log.error("Skipping a wiring notice that could not be read: {}", e.getMessage());
        }
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
        properties.setProperty("ApplicationName", "widgets-api wiring listener");
        return DriverManager.getConnection(database.getJdbcUrl(), properties);
    }

    private static void closeQuietly(Connection connection) {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                // closing to unblock the listener thread; nothing else to do
            }
        }
    }
}
