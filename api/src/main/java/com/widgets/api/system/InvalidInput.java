package com.widgets.api.system;

/** A request the API refuses before it reaches the store; reported like the store's {@code INVALID_INPUT}. */
public class InvalidInput extends RuntimeException {

    private final String field;

    public InvalidInput(String field, String problem) {
        super(field + " " + problem + ".", null, false, false);
        this.field = field;
    }

    /** The input field at fault, as the client named it. */
    public String field() {
        return field;
    }
}
