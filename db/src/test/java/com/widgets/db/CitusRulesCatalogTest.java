package com.widgets.db;

import static org.assertj.core.api.Assertions.assertThat;

import com.widgets.db.testing.TestApplication;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Reads the live catalog and fails when the schema breaks a rule Citus enforces for tables distributed on
 * serial_number: every key includes it, and foreign keys join co-located tables on it. Production runs on Citus, but
 * tests run on plain PostgreSQL, which would accept such a schema silently.
 */
@SpringBootTest(classes = TestApplication.class)
class CitusRulesCatalogTest {

    /**
     * Tables that stay local to the coordinator: Liquibase's and Spring Batch's bookkeeping, and the rewiring jobs'
     * reject lines, inbox claims and job holders (small, keyed by job or file, never joined with wiring tables), and
     * the API's tokens (read by hash on the coordinator every replica connects to).
     */
    private static final Set<String> LOCAL = Set.of(
            "databasechangelog",
            "databasechangeloglock",
            "rewiring_reject",
            "rewiring_inbox_claim",
            "rewiring_job_holder",
            "rewiring_job_progress",
            "api_token");

    private static final String LOCAL_PREFIX = "batch_";

    @Autowired
    JdbcTemplate jdbc;

    @Test
    void everyWiringTableKeysAndJoinsOnTheSerialNumber() {
        List<String> tables = wiringTables("public");

        assertThat(tables).contains("widget", "port", "wiring_history");
        assertThat(violations("public", tables)).isEmpty();
    }

    @Test
    void everyWiringTableIsDistributedByTheChangelog() throws IOException {
        String changelog;
        try (InputStream in = getClass().getResourceAsStream("/db/changelog/002-distribute-on-citus.sql")) {
            changelog = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        for (String table : wiringTables("public")) {
            String call = "create_distributed_table('" + table + "', 'serial_number'";
            assertThat(changelog)
                    .as("%s is distributed on serial_number", table)
                    .contains(call);
            if (!table.equals("widget")) {
                assertThat(changelog).contains(call + ", colocate_with => 'widget')");
            }
        }
    }

    @Test
    void theCheckCatchesEachKindOfViolation() {
        jdbc.execute("DROP SCHEMA IF EXISTS citus_probe CASCADE");
        jdbc.execute("CREATE SCHEMA citus_probe");
        try {
            jdbc.execute("CREATE TABLE citus_probe.good (serial_number text PRIMARY KEY)");
            jdbc.execute("CREATE TABLE citus_probe.bad_pk (serial_number text NOT NULL, id bigint PRIMARY KEY)");
            jdbc.execute("CREATE TABLE citus_probe.bad_unique (serial_number text PRIMARY KEY, code text UNIQUE)");
            jdbc.execute("CREATE TABLE citus_probe.bad_index (serial_number text PRIMARY KEY, code text)");
            jdbc.execute("CREATE UNIQUE INDEX bad_index_code ON citus_probe.bad_index (code)");
            jdbc.execute("CREATE TABLE citus_probe.bad_fk (serial_number text PRIMARY KEY,"
                    + " peer text REFERENCES citus_probe.good (serial_number))");
            jdbc.execute("CREATE TABLE citus_probe.no_serial (id bigint PRIMARY KEY)");

            List<String> found = violations("citus_probe", wiringTables("citus_probe"));

            assertThat(found)
                    .anySatisfy(v -> assertThat(v).contains("bad_pk"))
                    .anySatisfy(v -> assertThat(v).contains("bad_unique"))
                    .anySatisfy(v -> assertThat(v).contains("bad_index_code"))
                    .anySatisfy(v -> assertThat(v).contains("bad_fk"))
                    .anySatisfy(v -> assertThat(v).contains("no_serial"))
                    .noneSatisfy(v -> assertThat(v).contains("good "));
        } finally {
            jdbc.execute("DROP SCHEMA citus_probe CASCADE");
        }
    }

    private List<String> wiringTables(String schema) {
        return jdbc.queryForList("""
                        SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                         WHERE n.nspname = ? AND c.relkind IN ('r', 'p') ORDER BY c.relname
                        """, String.class, schema).stream()
                .filter(t -> !LOCAL.contains(t) && !t.startsWith(LOCAL_PREFIX))
                .toList();
    }

    /** Each broken rule in these tables, as a sentence naming the table and the constraint or index. */
    private List<String> violations(String schema, List<String> tables) {
        List<String> problems = new ArrayList<>();
        String[] names = tables.toArray(String[]::new);
        problems.addAll(jdbc.queryForList("""
                SELECT 'table ' || c.relname || ' has no serial_number column'
                  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE n.nspname = ? AND c.relname = ANY(?)
                   AND NOT EXISTS (SELECT 1 FROM pg_attribute a
                                    WHERE a.attrelid = c.oid AND a.attname = 'serial_number' AND NOT a.attisdropped)
                """, String.class, schema, names));
        problems.addAll(jdbc.queryForList("""
                SELECT 'constraint ' || k.conname || ' on ' || c.relname || ' does not include serial_number'
                  FROM pg_constraint k
                  JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE n.nspname = ? AND c.relname = ANY(?) AND k.contype IN ('p', 'u', 'x')
                   AND NOT EXISTS (SELECT 1 FROM pg_attribute a
                                    WHERE a.attrelid = c.oid AND a.attname = 'serial_number'
                                      AND a.attnum = ANY(k.conkey))
                """, String.class, schema, names));
        problems.addAll(jdbc.queryForList("""
                SELECT 'unique index ' || i.relname || ' on ' || c.relname || ' does not include serial_number'
                  FROM pg_index x
                  JOIN pg_class i ON i.oid = x.indexrelid
                  JOIN pg_class c ON c.oid = x.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE n.nspname = ? AND c.relname = ANY(?) AND x.indisunique
                   AND NOT EXISTS (SELECT 1 FROM pg_attribute a
                                    WHERE a.attrelid = c.oid AND a.attname = 'serial_number'
                                      AND a.attnum = ANY(x.indkey::smallint[]))
                """, String.class, schema, names));
        problems.addAll(jdbc.queryForList("""
                SELECT 'foreign key ' || k.conname || ' on ' || c.relname
                       || ' is not on serial_number to a co-located table''s serial_number'
                  FROM pg_constraint k
                  JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
                  JOIN pg_class r ON r.oid = k.confrelid
                 WHERE n.nspname = ? AND c.relname = ANY(?) AND k.contype = 'f'
                   AND NOT (r.relname = ANY(?)
                            AND k.conkey = ARRAY[(SELECT attnum FROM pg_attribute
                                                   WHERE attrelid = c.oid AND attname = 'serial_number')]
                            AND k.confkey = ARRAY[(SELECT attnum FROM pg_attribute
                                                    WHERE attrelid = r.oid AND attname = 'serial_number')])
                """, String.class, schema, names, names));
        return problems;
    }
}
