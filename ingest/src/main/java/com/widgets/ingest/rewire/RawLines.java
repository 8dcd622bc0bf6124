package com.widgets.ingest.rewire;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.zip.GZIPInputStream;

/**
 * The physical lines of a file (optionally gzip-compressed), numbered from 1, decoded as strict UTF-8: a line that is
 * not valid UTF-8 or is absurdly long comes back flagged rather than failing the file.
 */
final class RawLines implements Closeable {

    /** Longer lines are cut here and reported as malformed; no valid line comes close. */
    static final int MAX_LINE_BYTES = 64 * 1024;

    /** A physical line; {@code problem} is null for a readable one. */
    record Raw(long number, String text, String problem) {}

    private final InputStream in;
    private final CharsetDecoder decoder = StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    private byte[] buffer = new byte[256];
    private long number;
    private boolean eof;

    RawLines(Path file) throws IOException {
        InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        if (isGzip(file)) {
            raw = new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16);
        }
        this.in = raw;
    }

    static boolean isGzip(Path file) {
        return file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".gz");
    }

    /** The next physical line, or null at the end of the file. */
    Raw next() throws IOException {
        if (eof) {
            return null;
        }
        int length = 0;
        boolean tooLong = false;
        int b;
        while ((b = in.read()) != -1 && b != '\n') {
            if (length < MAX_LINE_BYTES) {
                if (length == buffer.length) {
                    byte[] bigger = new byte[Math.min(MAX_LINE_BYTES, buffer.length * 2)];
                    System.arraycopy(buffer, 0, bigger, 0, length);
                    buffer = bigger;
                }
                buffer[length++] = (byte) b;
            } else {
                tooLong = true;
            }
        }
        if (b == -1) {
            eof = true;
            if (length == 0 && !tooLong) {
                return null;
            }
        }
        number++;
        if (length > 0 && buffer[length - 1] == '\r') {
            length--;
        }
        if (number == 1
                && length >= 3
                && (buffer[0] & 0xff) == 0xEF
                && (buffer[1] & 0xff) == 0xBB
                && (buffer[2] & 0xff) == 0xBF) {
            System.arraycopy(buffer, 3, buffer, 0, length - 3); // a UTF-8 byte order mark
            length -= 3;
        }
        if (tooLong) {
            return new Raw(
                    number,
                    new String(buffer, 0, length, StandardCharsets.UTF_8),
                    "line " + number + " is longer than " + MAX_LINE_BYTES + " bytes");
        }
        if (ascii(length)) {
            return new Raw(number, new String(buffer, 0, length, StandardCharsets.ISO_8859_1), null);
        }
        try {
            CharBuffer chars = decoder.reset().decode(ByteBuffer.wrap(buffer, 0, length));
            return new Raw(number, chars.toString(), null);
        } catch (CharacterCodingException e) {
            return new Raw(
                    number,
                    new String(buffer, 0, length, StandardCharsets.UTF_8),
                    "line " + number + " is not valid UTF-8");
        }
    }

    private boolean ascii(int length) {
        for (int i = 0; i < length; i++) {
            if (buffer[i] < 0) {
                return false;
            }
        }
        return true;
    }

    /** The number of the last line returned, 0 before the first. */
    long number() {
        return number;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
