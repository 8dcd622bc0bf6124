package com.widgets.api.live;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.graphql.server.support.GraphQlWebSocketMessage;
import org.springframework.graphql.server.support.GraphQlWebSocketMessageType;
import org.springframework.http.HttpInputMessage;
import org.springframework.http.HttpOutputMessage;
import org.springframework.http.MediaType;
import org.springframework.http.converter.HttpMessageConverter;
import org.springframework.http.converter.json.JacksonJsonHttpMessageConverter;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.JacksonSerializable;
import tools.jackson.databind.SerializationContext;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.jsontype.TypeSerializer;

/**
 * The graphql-transport-ws messages' converter for Spring for GraphQL's WebSocket handler: Jackson's, except for a
 * {@code next} message carrying a change's selection executed once for all its subscribers ({@link EncodedOnce}).
 * That one is the text made once for the change between the message's own frame — {@code id}, {@code type}, the
 * payload's {@code data} and the subscription field's response key — which Jackson writes once per subscription id
 * and response key, not once per message. The bytes are those Jackson writes for the whole message. Per delivered
 * event, this spares Jackson's generator, its contexts and the converter's header and media-type work: with 1,020
 * subscribers, encoding allocated a third less (503 → 332 MB in 25 s, bench/PROFILE.md). The rest is Spring's
 * handler copying the bytes into its buffer, an array and a string.
 */
final class NextMessages implements HttpMessageConverter<Object> {

    /** Frames kept; a client picks its subscription ids, so beyond this many they are made per message. */
    static final int MAX_FRAMES = 4096;

    /** Stands for the shared text while a frame is made: 0x01 is escaped inside every JSON string, never raw. */
    private static final String MARK = "\u0001";

    private final JacksonJsonHttpMessageConverter jackson;
    private final JsonMapper json;
    private final Map<String, byte[][]> frames = new ConcurrentHashMap<>();

    NextMessages(JsonMapper json) {
        this.json = json;
        this.jackson = new JacksonJsonHttpMessageConverter(json);
    }

    @Override
    public void write(Object message, MediaType contentType, HttpOutputMessage output) throws IOException {
        EncodedOnce shared = shared(message);
        if (shared == null) {
            jackson.write(message, contentType, output);
            return;
        }
        GraphQlWebSocketMessage next = (GraphQlWebSocketMessage) message;
        String key = onlyKey(next.getPayload());
        byte[][] frame = frame(next.getId(), key);
        byte[] text = shared.utf8();
        byte[] whole = new byte[frame[0].length + text.length + frame[1].length];
        System.arraycopy(frame[0], 0, whole, 0, frame[0].length);
        System.arraycopy(text, 0, whole, frame[0].length, text.length);
        System.arraycopy(frame[1], 0, whole, frame[0].length + text.length, frame[1].length);
        output.getBody().write(whole); // one write: the handler's buffer grows once
    }

    /**
     * The shared selection of a {@code next} message whose payload is exactly {@code {"data": {key: shared}}}; null
     * for any other message (errors, extensions, a result executed for this subscriber alone).
     */
    private static EncodedOnce shared(Object message) {
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
        return field.getKey() instanceof String && field.getValue() instanceof EncodedOnce shared ? shared : null;
    }

    private static String onlyKey(Object payload) {
        Map<?, ?> data = (Map<?, ?>) ((Map<?, ?>) payload).get("data");
        return (String) data.keySet().iterator().next();
    }

    /** Jackson's bytes for the message before and after the shared text, for this id and response key. */
    private byte[][] frame(String id, String key) {
        String cacheKey = id + '\u0000' + key;
        byte[][] frame = frames.get(cacheKey);
        if (frame == null) {
            frame = makeFrame(id, key);
            if (frames.size() < MAX_FRAMES) {
                frames.putIfAbsent(cacheKey, frame);
            }
        }
        return frame;
    }

    private byte[][] makeFrame(String id, String key) {
        String text = json.writeValueAsString(GraphQlWebSocketMessage.next(id, Map.of("data", Map.of(key, Mark.MARK))));
        int at = text.indexOf(MARK);
        return new byte[][] {
            text.substring(0, at).getBytes(StandardCharsets.UTF_8),
            text.substring(at + MARK.length()).getBytes(StandardCharsets.UTF_8)
        };
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

    /** Frames kept now (for tests). */
    int framesKept() {
        return frames.size();
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
