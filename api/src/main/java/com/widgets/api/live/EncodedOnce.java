package com.widgets.api.live;

import java.nio.charset.StandardCharsets;
import java.util.AbstractMap;
import java.util.Map;
import java.util.Set;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.JacksonSerializable;
import tools.jackson.databind.SerializationContext;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.jsontype.TypeSerializer;

/**
 * A change's executed selection as every subscriber with that selection gets it ({@link OncePerChangeStrategy}): a
 * map to whoever reads it as one, and to Jackson — which writes each subscriber's {@code next} message — the same
 * JSON text, made once for all of them on first use, instead of the map walked again per subscriber. Made with the
 * mapper that writes the messages, so the text is what walking the map would have written.
 */
final class EncodedOnce extends AbstractMap<String, Object> implements JacksonSerializable {

    private final Map<String, Object> value;
    private final JsonMapper json;
    private volatile String encoded;
    private volatile byte[] utf8;

    EncodedOnce(Map<String, Object> value, JsonMapper json) {
        this.value = value;
        this.json = json;
    }

    @Override
    public Set<Entry<String, Object>> entrySet() {
        return value.entrySet();
    }

    @Override
    public void serialize(JsonGenerator generator, SerializationContext context) {
        generator.writeRawValue(text());
    }

    /** The JSON text, made on first use (two subscribers at once may both make it: the same text). */
    String text() {
        String text = encoded;
        if (text == null) {
            text = json.writeValueAsString(value);
            encoded = text;
        }
        return text;
    }

    /** {@link #text()} in UTF-8, made once too, for {@link NextMessages} to copy into each subscriber's message. */
    byte[] utf8() {
        byte[] bytes = utf8;
        if (bytes == null) {
            bytes = text().getBytes(StandardCharsets.UTF_8);
            utf8 = bytes;
        }
        return bytes;
    }

    @Override
    public void serializeWithType(JsonGenerator generator, SerializationContext context, TypeSerializer types) {
        serialize(generator, context);
    }
}
