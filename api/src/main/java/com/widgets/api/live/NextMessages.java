package com.widgets.api.live;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.springframework.graphql.server.support.GraphQlWebSocketMessage;
import org.springframework.graphql.server.support.GraphQlWebSocketMessageType;
import org.springframework.http.HttpInputMessage;
import org.springframework.http.HttpOutputMessage;
import org.springframework.http.MediaType;
import org.springframework.http.converter.HttpMessageConverter;
import org.springframework.http.converter.json.JacksonJsonHttpMessageConverter;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.io.JsonStringEncoder;
import tools.jackson.databind.JacksonSerializable;
import tools.jackson.databind.SerializationContext;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.jsontype.TypeSerializer;

/**
 * The graphql-transport-ws messages' converter for Spring for GraphQL's WebSocket handler: Jackson's, except for a
 * {@code next} message carrying a change's selection executed once for all its subscribers ({@link EncodedOnce}).
 * That one is the text made once for the change inside the message's own frame — {@code id}, {@code type}, the
 * payload's {@code data} and the subscription field's response key — put together from a template Jackson wrote once
 * and the id and key escaped as Jackson escapes them. The bytes are those Jackson writes for the whole message
 * ({@code NextMessagesTest}); should the mapper write them differently (another property order, other escapes),
 * every message goes through Jackson. Per delivered event, this spares Jackson's generator, its contexts and the
 * converter's header and media-type work: with 1,020 subscribers, encoding allocated a third less (503 → 332 MB in
 * 25 s, bench/PROFILE.md). The rest is Spring's handler copying the bytes into its buffer, an array and a string.
 */
final class NextMessages implements HttpMessageConverter<Object> {

    /** Stands for the shared text in the template: 0x01 is escaped inside every JSON string, never raw. */
    private static final String MARK = "\u0001";
    /** Stand for the id and the response key in the template; Jackson writes them escaped. */
    private static final String ID = "\\u0002", KEY = "\\u0003";

    private static final JsonStringEncoder ESCAPES = JsonStringEncoder.getInstance();

    private final JacksonJsonHttpMessageConverter jackson;
    /** The template's bytes around the id, the key and the shared text; null when Jackson writes every message. */
    private final byte[][] template;

    NextMessages(JsonMapper json) {
        this.jackson = new JacksonJsonHttpMessageConverter(json);
        this.template = template(json);
    }

    @Override
    public void write(Object message, MediaType contentType, HttpOutputMessage output) throws IOException {
        Map.Entry<?, ?> field = template == null ? null : sharedField(message);
        if (field == null) {
            jackson.write(message, contentType, output);
            return;
        }
        byte[][] parts = {
            template[0],
            ESCAPES.quoteAsUTF8(((GraphQlWebSocketMessage) message).getId()),
            template[1],
            ESCAPES.quoteAsUTF8((String) field.getKey()),
            template[2],
            ((EncodedOnce) field.getValue()).utf8(),
            template[3]
        };
        int length = 0;
        for (byte[] part : parts) {
            length += part.length;
        }
        byte[] whole = new byte[length];
        int at = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, whole, at, part.length);
            at += part.length;
        }
        output.getBody().write(whole); // one write: the handler's buffer grows once
    }

    /**
     * The one field of a {@code next} message whose payload is exactly {@code {"data": {key: shared}}}, its value an
     * {@link EncodedOnce}; null for any other message (errors, extensions, a result executed for this subscriber
     * alone).
     */
    private static Map.Entry<?, ?> sharedField(Object message) {
        if (!(message instanceof GraphQlWebSocketMessage next)
                || next.resolvedType() != GraphQlWebSocketMessageType.NEXT
                || next.getId() == null
                || !(next.getPayload() instanceof Map<?, ?> payload)
                || payload.size() != 1
                || !(payload.get("data") instanceof Map<?, ?> data)
                || data.size() != 1) {
            return null;
        }
        Map.Entry<?, ?> field = data.entrySet().iterator().next();
        return field.getKey() instanceof String && field.getValue() instanceof EncodedOnce ? field : null;
    }

    /**
     * What Jackson writes for a {@code next} message, cut around its id, its response key and its value, in that
     * order; null when this mapper does not write them so, or escapes strings otherwise than {@link JsonStringEncoder}.
     */
    private static byte[][] template(JsonMapper json) {
        String probe = "\"/\\ \u0000\u001f\u007f ü 😀 \u2028 </script>";
        if (!json.writeValueAsString(probe).equals('"' + new String(ESCAPES.quoteAsCharArray(probe)) + '"')) {
            return null;
        }
        String text = json.writeValueAsString(
                GraphQlWebSocketMessage.next("\u0002", Map.of("data", Map.of("\u0003", Mark.MARK))));
        int id = text.indexOf(ID);
        int key = text.indexOf(KEY);
        int value = text.indexOf(MARK);
        if (id < 0 || key < id || value < key || text.indexOf(MARK, value + 1) >= 0) {
            return null;
        }
        return new byte[][] {
            text.substring(0, id).getBytes(StandardCharsets.UTF_8),
            text.substring(id + ID.length(), key).getBytes(StandardCharsets.UTF_8),
            text.substring(key + KEY.length(), value).getBytes(StandardCharsets.UTF_8),
            text.substring(value + MARK.length()).getBytes(StandardCharsets.UTF_8)
        };
    }

    /** Whether shared selections' messages are put together here (else Jackson writes every message). */
    boolean framed() {
        return template != null;
    }

    /** Written raw as {@link #MARK}. */
    private enum Mark implements JacksonSerializable {
        MARK;

        @Override
        public void serialize(JsonGenerator generator, SerializationContext context) {
            generator.writeRawValue(NextMessages.MARK);
        }

        @Override
        public void serializeWithType(JsonGenerator generator, SerializationContext context, TypeSerializer types) {
            serialize(generator, context);
        }
    }

    @Override
    public boolean canRead(Class<?> type, MediaType mediaType) {
        return jackson.canRead(type, mediaType);
    }

    @Override
    public boolean canWrite(Class<?> type, MediaType mediaType) {
        return jackson.canWrite(type, mediaType);
    }

    @Override
    public List<MediaType> getSupportedMediaTypes() {
        return jackson.getSupportedMediaTypes();
    }

    @Override
    public Object read(Class<?> type, HttpInputMessage input) throws IOException {
        return jackson.read(type, input);
    }
}
