package com.widgets.api.live;

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
        String text = encoded;
        if (text == null) {
            text = json.writeValueAsString(value); // two subscribers at once may both make it: the same text
            encoded = text;
        }
        generator.writeRawValue(text);
    }

    @Override
    public void serializeWithType(JsonGenerator generator, SerializationContext context, TypeSerializer types) {
        serialize(generator, context);
    }
}
