package com.widgets.ingest;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;

/** The smallest Boot application around the rewiring job: embedded PostgreSQL, Liquibase, store, Spring Batch. */
@SpringBootConfiguration
@EnableAutoConfiguration
public class IngestTestApplication {}
