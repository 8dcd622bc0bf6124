package com.widgets.ingest.rewire;

/**
 * A rewiring file refused as a whole before any of its lines is applied, with a stable code and a sentence that names
 * the file by its name only (never a server path). An expected outcome, so it carries no stack trace.
 */
public class RefusedFile extends RuntimeException {

    /** Why a file is refused; the same codes at the upload and in a job's reject report. */
    public enum Code {
        /** The name ends in {@code .gz} but the file is not gzip data. */
        NOT_GZIP,
        /** The gzip data ends before its end: an interrupted copy or upload. */
        TRUNCATED_GZIP,
        /** The gzip data cannot be decompressed (a damaged block, a checksum that does not match). */
        CORRUPT_GZIP,
        /** The gzip data decompresses to more than {@code widgets.ingest.max-decompressed-size} (a gzip bomb, say). */
        DECOMPRESSED_TOO_LARGE,
        /** The file is in another encoding than UTF-8 (UTF-16, Latin-1, ...), or its header is not UTF-8. */
        NOT_UTF8,
        /** Not a text file at all: NUL or other control bytes, a compressed file under a plain name. */
        BINARY_FILE,
        /** A CSV header the job cannot work with: unknown, repeated or missing columns. */
        INVALID_HEADER,
        /** No record: an empty file, only blank lines, or a CSV header with nothing below it. */
        EMPTY_FILE,
        /** The file is gone (a job restarted after its upload was deleted, say). */
        MISSING_FILE
    }

    private final Code code;
    private final String raw;

    RefusedFile(Code code, String message) {
        this(code, message, "");
    }

    RefusedFile(Code code, String message, String raw) {
        super(message, null, false, false);
        this.code = code;
        this.raw = raw == null ? "" : raw;
    }

    public Code code() {
        return code;
    }

    /** The line at fault as written (the header), or empty; for the reject report. */
    String raw() {
        return raw;
    }
}
