package com.widgets.db.embedded;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;

/**
 * Run in a child JVM by {@link EmbeddedPostgresServerTest}: starts the embedded server on a directory, commits a row,
 * says READY and waits to be killed with -9, leaving its postmaster orphaned.
 */
public final class CrashingHolder {

    private CrashingHolder() {}

    public static void main(String[] args) throws Exception {
        EmbeddedPostgresServer server = EmbeddedPostgresServer.acquire(
                new EmbeddedPostgresProperties(Path.of(args[0]), 0, true, Duration.ofSeconds(60)));
        try (Connection c = DriverManager.getConnection(server.jdbcUrl());
                Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS survivor (note text)");
            s.execute("INSERT INTO survivor VALUES ('committed before kill -9')");
        }
        System.out.println("READY");
        System.out.flush();
        Thread.sleep(Duration.ofMinutes(5).toMillis());
    }
}
