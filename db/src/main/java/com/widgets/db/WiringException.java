package com.widgets.db;

/** A change the store refused, with a stable {@link ErrorCode} and a message a person understands. */
public class WiringException extends RuntimeException {

    private final ErrorCode code;
    private final String field;

    public WiringException(ErrorCode code, String message) {
        this(code, null, message, null);
    }

    private WiringException(ErrorCode code, String field, String message, Throwable cause) {
        super(message, cause, false, cause != null);
        this.code = code;
        this.field = field;
    }

    static WiringException invalid(String field, String problem) {
        return new WiringException(ErrorCode.INVALID_INPUT, field, field + " " + problem + ".", null);
    }

    static WiringException unavailable(Throwable cause) {
        return new WiringException(
                ErrorCode.UNAVAILABLE, null, "The wiring database is unavailable; please try again.", cause);
    }

    public ErrorCode code() {
        return code;
    }

    /** The input field at fault for {@link ErrorCode#INVALID_INPUT}, otherwise null. */
    public String field() {
        return field;
    }
}
