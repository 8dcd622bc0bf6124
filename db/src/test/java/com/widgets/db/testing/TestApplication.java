package com.widgets.db.testing;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;

/** The smallest Boot application around the store: embedded PostgreSQL, Liquibase, {@code WiringStore}. */
@SpringBootConfiguration
@EnableAutoConfiguration
public class TestApplication {}
