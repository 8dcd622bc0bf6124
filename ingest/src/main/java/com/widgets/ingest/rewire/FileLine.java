package com.widgets.ingest.rewire;

import com.widgets.db.WiringOp;

/**
 * One record of a rewiring file: either an operation for the store, or the reason it could not be read.
 *
 * @param number the file's own line number (a CSV header is line 1; an NDJSON file's first record is line 1)
 * @param raw the line as written, for the reject report
 */
record FileLine(long number, String raw, WiringOp op, String problem) {

    static FileLine malformed(long number, String raw, String problem) {
        return new FileLine(number, raw, null, problem);
    }
}
