package com.widgets.db;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Properties;

/**
 * How long a connection waits for the database to answer before it gives up on it. Without a limit a database that
 * stops answering — its host frozen or cut off, where nothing refuses the connection — held every request that had a
 * connection for as long as the operating system kept the dead socket open: a recently used pooled connection is not
 * checked before it is lent, so its next statement waited for ever. With pgjdbc's {@code socketTimeout} such a wait
 * ends with an I/O error, the connection is dropped and the caller is answered {@code UNAVAILABLE}.
 *
 * <p>The limit is for a statement's answer, so it must outlast the longest statement the service runs: the work that
 * may legitimately take longer (migrations, history pruning) lifts it on its own connection for as long as it holds
 * it.
 */
public final class SocketTimeouts {

    /** pgjdbc's property: seconds to wait for an answer on an open connection, 0 for ever. */
    public static final String PROPERTY = "socketTimeout";

    /**
     * The pool's limit unless {@code spring.datasource.hikari.data-source-properties.socketTimeout} or the JDBC URL sets
     * another: well above the service's statements (a rewiring chunk of 100,000 lines takes a few seconds), well below
     * the minutes a dead socket lasts.
     */
    public static final int DEFAULT_SECONDS = 30;

    private SocketTimeouts() {}

    /** Gives {@code pool} the default limit unless it was configured one (the URL's own still wins in pgjdbc). */
    static void setDefault(HikariDataSource pool) {
        pool.getDataSourceProperties().putIfAbsent(PROPERTY, String.valueOf(DEFAULT_SECONDS));
    }

    /** Connection properties with the default limit, for a connection opened outside the pool. */
    public static Properties withDefault(Properties properties) {
        properties.putIfAbsent(PROPERTY, String.valueOf(DEFAULT_SECONDS));
        return properties;
    }

    /**
     * Lets {@code connection} wait for ever for the answers to come, for work that may take longer than the limit;
     * HikariCP puts the pool's limit back when the connection returns to it.
     */
    public static void lift(Connection connection) throws SQLException {
        connection.setNetworkTimeout(Runnable::run, 0);
    }
}
