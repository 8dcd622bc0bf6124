package com.widgets.ingest.rewire;

/** Where a rewiring job stands (the GraphQL enum of the same name). */
public enum RewiringStatus {
    PENDING,
    RUNNING,
    COMPLETED,
    FAILED,
    STOPPED
}
