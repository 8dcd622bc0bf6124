package com.widgets.db;

/** Quoting of user-supplied values in error messages: bounded, so a hostile value cannot flood a log or report. */
final class Texts {

    private static final int MAX_QUOTED = 80;

    private Texts() {}

    static String quote(String value) {
        if (value == null) {
            return "nothing";
        }
        StringBuilder out = new StringBuilder("'");
        value.codePoints().limit(MAX_QUOTED).forEach(c -> {
            if (Character.isISOControl(c)) {
                out.append(String.format("\\u%04x", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        if (value.codePointCount(0, value.length()) > MAX_QUOTED) {
            out.append("…");
        }
        return out.append('\'').toString();
    }
}
