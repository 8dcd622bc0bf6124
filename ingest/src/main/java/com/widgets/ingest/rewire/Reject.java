package com.widgets.ingest.rewire;

/** One line of the reject report: the file's own line number, a code, a sentence, and the line as written. */
record Reject(long line, String code, String message, String raw) {

    /** The code of a line that could not be read as an operation (quoting, UTF-8, missing or bad field, unknown op). */
    static final String MALFORMED_LINE = "MALFORMED_LINE";
    /** The code of a header the job cannot work with; the whole file is refused. */
    static final String INVALID_HEADER = "INVALID_HEADER";
}
