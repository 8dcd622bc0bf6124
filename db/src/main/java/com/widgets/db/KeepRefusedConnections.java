package com.widgets.db;

import com.zaxxer.hikari.SQLExceptionOverride;
import java.sql.SQLException;

/**
 * Tells HikariCP that a statement the server refused as unsupported (SQLSTATE 0A000) leaves a healthy connection.
 * Hikari evicts on 0A000 by default; a Citus coordinator raises it for statements its planner cannot distribute, and
 * evicting there turned a refusal into "connection is closed" for the savepoint rollback that followed, and so into
 * {@link ErrorCode#UNAVAILABLE}. Every other state keeps Hikari's own judgement.
 */
public final class KeepRefusedConnections implements SQLExceptionOverride {

    private static final String FEATURE_NOT_SUPPORTED = "0A000";

    @java.lang.Override
    public Override adjudicate(SQLException e) {
        return FEATURE_NOT_SUPPORTED.equals(e.getSQLState()) ? Override.DO_NOT_EVICT : Override.CONTINUE_EVICT;
    }
}
