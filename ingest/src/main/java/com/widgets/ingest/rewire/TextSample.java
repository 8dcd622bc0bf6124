package com.widgets.ingest.rewire;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Judges the (decompressed) start of a rewiring file: whether it is UTF-8 text at all, or binary, or text in another
 * encoding. A damaged line in a UTF-8 file is not its business: the reject report names that line.
 */
final class TextSample {

    /** How much of the start of a file is judged. */
    static final int SIZE = 64 * 1024;

    private TextSample() {}

    /** Refuses a file whose start is not UTF-8 text. */
    static void check(byte[] sample, String name) {
        String other = otherUnicode(sample);
        if (other != null) {
            throw new RefusedFile(RefusedFile.Code.NOT_UTF8, name + " is " + other + ", not UTF-8: save it as UTF-8.");
        }
        if (sample.length >= 2 && (sample[0] & 0xff) == 0x1f && (sample[1] & 0xff) == 0x8b) {
            throw new RefusedFile(
                    RefusedFile.Code.BINARY_FILE,
                    name + " is gzip-compressed: send it as " + name + ".gz, or uncompressed.");
        }
        if (sample.length >= 4 && sample[0] == 'P' && sample[1] == 'K' && sample[2] == 3 && sample[3] == 4) {
            throw new RefusedFile(
                    RefusedFile.Code.BINARY_FILE,
                    name + " is a ZIP archive: send the rewiring file itself (gzip-compressed as .gz if you like).");
        }
        int control = 0;
        for (byte b : sample) {
            if (b == 0) {
                control = sample.length;
                break;
            }
            if ((b >= 0 && b < 0x20 && b != '\t' && b != '\n' && b != '\r' && b != '\f') || b == 0x7f) {
                control++;
            }
        }
        if (control * 100L > sample.length) { // a NUL byte, or more than 1 % control bytes
            throw new RefusedFile(
                    RefusedFile.Code.BINARY_FILE,
                    name + " is not a text file (it holds NUL or other control bytes): send a CSV or NDJSON rewiring"
                            + " file.");
        }
        if (singleByteEncoding(sample)) {
            throw new RefusedFile(
                    RefusedFile.Code.NOT_UTF8,
                    name + " is not UTF-8 (its accented or other non-ASCII characters look like Latin-1 or"
                            + " Windows-1252): save it as UTF-8.");
        }
    }

    /** "UTF-16" or "UTF-32" when the sample is evidently in one of them (a byte order mark, or ASCII with NULs). */
    private static String otherUnicode(byte[] s) {
        if (s.length >= 4 && (s[0] == 0 && s[1] == 0 && (s[2] & 0xff) == 0xfe && (s[3] & 0xff) == 0xff)
                || (s.length >= 4 && (s[0] & 0xff) == 0xff && (s[1] & 0xff) == 0xfe && s[2] == 0 && s[3] == 0)) {
            return "UTF-32";
        }
        if (s.length >= 2
                && (((s[0] & 0xff) == 0xfe && (s[1] & 0xff) == 0xff)
                        || ((s[0] & 0xff) == 0xff && (s[1] & 0xff) == 0xfe))) {
            return "UTF-16";
        }
        // ASCII text in UTF-16 without a byte order mark: every other byte of the first line is NUL.
        int n = Math.min(s.length, 256) & ~1;
        if (n >= 8) {
            int evenNul = 0, oddNul = 0;
            for (int i = 0; i < n; i += 2) {
                evenNul += s[i] == 0 ? 1 : 0;
                oddNul += s[i + 1] == 0 ? 1 : 0;
            }
            if (Math.max(evenNul, oddNul) * 10 >= (n / 2) * 9 && Math.min(evenNul, oddNul) == 0) {
                return "UTF-16";
            }
        }
        return null;
    }

    /**
     * Whether the sample's lines with non-ASCII bytes are all invalid UTF-8 — a file saved in a single-byte encoding —
     * rather than a UTF-8 file with a damaged line, which the reject report names.
     */
    private static boolean singleByteEncoding(byte[] sample) {
        int valid = 0, invalid = 0, start = 0;
        for (int i = 0; i <= sample.length; i++) {
            if (i < sample.length && sample[i] != '\n') {
                continue;
            }
            boolean complete = i < sample.length || sample.length < SIZE; // the sample may end mid-line
            if (complete && !ascii(sample, start, i)) {
                if (utf8(sample, start, i)) {
                    valid++;
                } else {
                    invalid++;
                }
            }
            start = i + 1;
        }
        return invalid > 0 && valid == 0;
    }

    private static boolean ascii(byte[] bytes, int from, int to) {
        for (int i = from; i < to; i++) {
            if (bytes[i] < 0) {
                return false;
            }
        }
        return true;
    }

    private static boolean utf8(byte[] bytes, int from, int to) {
        try {
            StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, from, to - from));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }
}
