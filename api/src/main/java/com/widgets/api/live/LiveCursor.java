package com.widgets.api.live;

import com.widgets.api.system.InvalidInput;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;

/**
 * The opaque position a {@code wiringChanged} event carries: a time such that every change that started before it
 * was delivered with or before that event. Resuming replays the history from it, so a resumed subscriber may see a
 * few changes again (each keeps its {@code id}), never fewer.
 */
final class LiveCursor {

    private static final String PREFIX = "live:";

    private LiveCursor() {}

    static String of(Instant at) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString((PREFIX + at).getBytes(StandardCharsets.UTF_8));
    }

    static Instant parse(String cursor) {
        try {
            String text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            if (text.startsWith(PREFIX)) {
                return Instant.parse(text.substring(PREFIX.length()));
            }
        } catch (IllegalArgumentException | DateTimeParseException e) {
            // refused below
        }
        throw new InvalidInput("after", "is not a cursor of wiringChanged; pass the cursor of the last event you got");
    }
}
