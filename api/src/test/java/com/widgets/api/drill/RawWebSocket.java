package com.widgets.api.drill;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A WebSocket client on a plain socket, so a drill can decide how much it reads: with a small receive buffer and no
 * reading, it is a subscriber that never reads, whose TCP window closes after a few kilobytes and makes the server's
 * sends block. It sends what it is told, masked as a client's must be: text frames (the graphql-transport-ws
 * messages), and for hostile-input tests any frame at all.
 */
public final class RawWebSocket implements AutoCloseable {

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    private RawWebSocket(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    /** Opens {@code /graphql} with the graphql-transport-ws subprotocol; {@code receiveBuffer} 0 leaves the default. */
    public static RawWebSocket open(int port, int receiveBuffer) throws IOException {
        Socket socket = new Socket();
        if (receiveBuffer > 0) {
            socket.setReceiveBufferSize(receiveBuffer); // before connecting, so the window is offered this small
        }
        socket.connect(new InetSocketAddress("localhost", port), 10_000);
        socket.setSoTimeout(60_000);
        RawWebSocket ws = new RawWebSocket(socket);
        byte[] key = new byte[16];
        ThreadLocalRandom.current().nextBytes(key);
        ws.out.write(("GET /graphql HTTP/1.1\r\nHost: localhost:" + port + "\r\nUpgrade: websocket\r\n"
                        + "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: "
                        + Base64.getEncoder().encodeToString(key) + "\r\nSec-WebSocket-Protocol: graphql-transport-ws"
                        + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        ws.out.flush();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            int b = ws.in.read();
            if (b < 0) {
                throw new IOException("closed during the handshake: " + head);
            }
            head.write(b);
        }
        if (!head.toString(StandardCharsets.US_ASCII).startsWith("HTTP/1.1 101")) {
            throw new IOException("not upgraded: " + head);
        }
        return ws;
    }

    /** Signs in and subscribes as id 1; returns once the server acknowledged the connection. */
    void subscribe(String token, String document) throws IOException {
        send("{\"type\":\"connection_init\",\"payload\":{\"Authorization\":\"Bearer " + token + "\"}}");
        String ack = receive();
        if (ack == null || !ack.contains("connection_ack")) {
            throw new IOException("no connection_ack: " + ack);
        }
        send("{\"id\":\"1\",\"type\":\"subscribe\",\"payload\":{\"query\":" + DrillHttp.quoted(document) + "}}");
    }

    public void send(String text) throws IOException {
        send(0x1, text.getBytes(StandardCharsets.UTF_8));
    }

    /** One whole frame: {@code opcode} 0x1 text, 0x2 binary, 0x9 ping; the payload as given (UTF-8 or not). */
    public void send(int opcode, byte[] payload) throws IOException {
        frame(opcode, true, payload);
    }

    /** One text message in {@code frames} frames (a first frame, then continuations), cut at byte boundaries. */
    public synchronized void sendInFrames(String text, int frames) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        int size = (bytes.length + frames - 1) / frames;
        for (int f = 0, from = 0; from < bytes.length; f++, from += size) {
            byte[] part = java.util.Arrays.copyOfRange(bytes, from, Math.min(bytes.length, from + size));
            frame(f == 0 ? 0x1 : 0x0, from + size >= bytes.length, part);
        }
    }

    private synchronized void frame(int opcode, boolean fin, byte[] payload) throws IOException {
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        frame.write((fin ? 0x80 : 0) | opcode);
        if (payload.length < 126) {
            frame.write(0x80 | payload.length);
        } else if (payload.length < 65_536) {
            frame.write(0x80 | 126);
            frame.write(payload.length >> 8);
            frame.write(payload.length & 0xff);
        } else {
            frame.write(0x80 | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                frame.write((int) ((long) payload.length >> shift) & 0xff);
            }
        }
        byte[] mask = new byte[4];
        ThreadLocalRandom.current().nextBytes(mask);
        frame.write(mask);
        for (int i = 0; i < payload.length; i++) {
            frame.write(payload[i] ^ mask[i % 4]);
        }
        out.write(frame.toByteArray());
        out.flush();
    }

    /**
     * The next text message (its frames joined when it came in several), or {@code "CLOSE <code> <reason>"} for a close
     * frame, or null when the connection ended.
     */
    public String receive() throws IOException {
        ByteArrayOutputStream fragments = null; // a text message sent in more than one frame
        while (true) {
            int first;
            try {
                first = in.read();
            } catch (IOException closed) {
                return null;
            }
            if (first < 0) {
                return null;
            }
            int second = in.readUnsignedByte();
            long length = second & 0x7f;
            if (length == 126) {
                length = in.readUnsignedShort();
            } else if (length == 127) {
                length = in.readLong();
            }
            byte[] payload = new byte[(int) length];
            try {
                in.readFully(payload);
            } catch (EOFException cut) {
                return null; // the server dropped the connection in the middle of a frame (a send that timed out)
            }
            boolean fin = (first & 0x80) != 0;
            switch (first & 0x0f) {
                case 0x1, 0x0 -> {
                    if (fin && fragments == null) {
                        return new String(payload, StandardCharsets.UTF_8);
                    }
                    if (fragments == null) {
                        fragments = new ByteArrayOutputStream();
                    }
                    fragments.write(payload);
                    if (fin) {
                        return fragments.toString(StandardCharsets.UTF_8);
                    }
                }
                case 0x8 -> {
                    int code = payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 0;
                    String reason = payload.length > 2
                            ? new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8)
                            : "";
                    return ("CLOSE " + code + " " + reason).strip();
                }
                default -> {
                    // pings and pongs: nothing the drills need to answer
                }
            }
        }
    }

    /** Stops waiting for the server after {@code millis}: {@link #receive} then says the connection ended. */
    public void timeout(int millis) throws IOException {
        socket.setSoTimeout(millis);
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // gone already
        }
    }
}
