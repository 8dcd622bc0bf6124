package com.widgets.db;

import com.widgets.db.testing.TestApplication;
import com.widgets.db.testing.WiringDatabase;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;

/** The store on the shared embedded PostgreSQL, emptied before each test, with SQL checks of what it wrote. */
@SpringBootTest(classes = TestApplication.class)
abstract class StoreTestSupport {

    @Autowired
    WiringStore store;

    @Autowired
    JdbcTemplate jdbc;

    WiringDatabase db;

    @BeforeEach
    void emptyDatabase() {
        db = new WiringDatabase(jdbc);
        db.reset();
    }
}
