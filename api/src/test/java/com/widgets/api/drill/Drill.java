package com.widgets.api.drill;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * A fault drill: the whole service on a random port with an embedded PostgreSQL of its own (so a drill may stop it), a
 * pool of 20 connections that waits at most 2 s for one and 4 s for a statement's answer, and an upload directory of its own (so a drill may fill its
 * disk), and subscribers ended 256 changes behind. Every drill uses exactly this, so they share one application context; tagged {@code drill}, so {@code
 * -DexcludedGroups=drill} leaves them out of a quick run.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "widgets.embedded.data-dir=target/drill-postgres",
            "spring.datasource.hikari.maximum-pool-size=" + Drill.POOL,
            "spring.datasource.hikari.connection-timeout=" + Drill.CONNECTION_TIMEOUT_MILLIS,
            "spring.datasource.hikari.data-source-properties.socketTimeout=" + Drill.SOCKET_TIMEOUT_SECONDS,
            "widgets.rewiring.upload-dir=target/drill-uploads",
            "widgets.rewiring.max-upload-size=16MB",
            "widgets.ingest.chunk-size=500",
            "widgets.graphql.subscriber-buffer=256"
        })
@Tag("drill")
public @interface Drill {

    /** Database connections of the drills' service. */
    int POOL = 20;

    /** How long a request of the drills' service waits for a connection before it is answered BUSY or UNAVAILABLE. */
    int CONNECTION_TIMEOUT_MILLIS = 2000;

    /** How long the drills' service waits for the database to answer a statement before it gives the connection up. */
    int SOCKET_TIMEOUT_SECONDS = 4;
}
