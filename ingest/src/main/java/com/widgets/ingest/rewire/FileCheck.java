package com.widgets.ingest.rewire;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Checks a whole rewiring file before a job runs it — compression, encoding, the CSV header, at least one record — so a
 * file no job could read is refused at once with a {@link RefusedFile} naming the problem, instead of a job failing
 * later. Lines that cannot be read one by one are not its business: they go to the reject report.
 */
public final class FileCheck {

    private FileCheck() {}

    /**
     * Reads the file once (a {@code .gz} to its end, a CSV file's op column to its end, an NDJSON file only up to its
     * first record) and throws a {@link RefusedFile} if no job could run it.
     *
     * @return the records of a CSV file (read to its end), which a job need not count again; -1 for NDJSON
     * @param maxDecompressed the most bytes a {@code .gz} may decompress to; beyond that it is refused ({@code
     *     DECOMPRESSED_TOO_LARGE}) as soon as decompressing gets there, so a gzip bomb costs no more than this
     */
    public static long check(Path file, long maxDecompressed) {
        String name = file.getFileName().toString();
        boolean csv = LineParser.isCsv(name);
        try {
            if (Files.size(file) == 0) {
                throw empty(name, csv);
            }
            boolean gzip = RawLines.isGzip(file);
            if (gzip) {
                checkGzipSignature(file, name);
            }
            byte[] sample = sample(file, gzip, maxDecompressed);
            if (sample.length == 0) {
                throw empty(name, csv);
            }
            TextSample.check(sample, name);
            return checkLines(file, name, csv);
        } catch (EOFException e) {
            throw new RefusedFile(
                    RefusedFile.Code.TRUNCATED_GZIP,
                    name + " is cut short: its gzip data ends before the end of the compressed file (an interrupted"
                            + " copy or upload?); send the whole file.");
        } catch (ZipException e) {
            throw new RefusedFile(
                    RefusedFile.Code.CORRUPT_GZIP,
                    name + " is damaged: its gzip data cannot be decompressed (" + e.getMessage()
                            + "); send an intact copy.");
        } catch (NoSuchFileException e) {
            throw new RefusedFile(
                    RefusedFile.Code.MISSING_FILE,
                    name + " is not there any more (an upload is deleted some time after its job ended).");
        } catch (IOException e) {
            // Not the file's fault (the disk, say): not a refusal; the message still names the file only.
            throw new IllegalStateException("Cannot read " + name + ": " + describe(e), e);
        }
    }

    /** What went wrong reading a file, without the file's path that some exceptions put in their message. */
    static String describe(IOException e) {
        if (e instanceof FileSystemException fs) {
            return fs.getReason() != null ? fs.getReason() : e.getClass().getSimpleName();
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    private static void checkGzipSignature(Path file, String name) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] magic = in.readNBytes(2);
            if (magic.length < 2 || (magic[0] & 0xff) != 0x1f || (magic[1] & 0xff) != 0x8b) {
                throw new RefusedFile(
                        RefusedFile.Code.NOT_GZIP,
                        name + " is not gzip-compressed, though its name ends in .gz: compress it with gzip, or send"
                                + " it without .gz.");
            }
        }
    }

    /**
     * The first {@link TextSample#SIZE} bytes of the content; a {@code .gz} is decompressed to its end to prove it
     * whole, and refused when it decompresses to more than {@code max} bytes.
     */
    private static byte[] sample(Path file, boolean gzip, long max) throws IOException {
        try (InputStream raw = Files.newInputStream(file);
                InputStream in = gzip ? new GZIPInputStream(raw, 1 << 16) : raw) {
            byte[] sample = in.readNBytes(TextSample.SIZE);
            if (gzip) {
                long total = sample.length;
                byte[] buffer = new byte[1 << 16];
                for (int n; (n = in.read(buffer)) > 0; ) {
                    total += n;
                    if (total > max) {
                        String name = file.getFileName().toString();
                        throw new RefusedFile(
                                RefusedFile.Code.DECOMPRESSED_TOO_LARGE,
                                name + " decompresses to more than " + size(max)
                                        + ", the limit (widgets.ingest.max-decompressed-size): split it into smaller"
                                        + " files.");
                    }
                }
            }
            return sample;
        }
    }

    /** A byte count as a setting is written: 4 GB, 64 MB, 1536 KB, 100 B. */
    private static String size(long bytes) {
        String[] units = {"B", "KB", "MB", "GB", "TB"};
        int unit = 0;
        while (unit < units.length - 1 && bytes >= 1024 && bytes % 1024 == 0) {
            bytes /= 1024;
            unit++;
        }
        return bytes + " " + units[unit];
    }

    /** The CSV header, checked by the job's own rules against the ops of every record; and at least one record. */
    private static long checkLines(Path file, String name, boolean csv) throws IOException {
        try (RawLines lines = new RawLines(file)) {
            RawLines.Raw header = null;
            int opIndex = -1;
            if (csv) {
                header = lines.next();
                if (header != null
                        && header.problem() != null
                        && header.problem().contains("UTF-8")) {
                    throw new RefusedFile(
                            RefusedFile.Code.NOT_UTF8,
                            "The header of " + name + " (line 1) is not valid UTF-8: save the file as UTF-8.",
                            header.text());
                }
                opIndex = LineParser.opIndex(header);
            }
            Set<String> ops = new HashSet<>();
            // NDJSON (or a CSV header without op, refused below): one record is enough
            long records = records(lines, opIndex, ops, opIndex < 0);
            if (records == 0) {
                throw empty(name, csv);
            }
            if (csv) {
                try {
                    new LineParser(true, null, 0).header(header, ops);
                } catch (LineParser.HeaderException e) {
                    throw new RefusedFile(RefusedFile.Code.INVALID_HEADER, e.getMessage(), header.text());
                }
                return records;
            }
            return -1;
        }
    }

    /**
     * Counts the records {@code lines} has left (a blank line is none), adding each one's op to {@code ops} where
     * {@code opIndex} says which value of a CSV record holds it (-1: none); stops at the first record when {@code
     * firstOnly}.
     */
    static long records(RawLines lines, int opIndex, Set<String> ops, boolean firstOnly) throws IOException {
        long records = 0;
        RawLines.Raw line;
        while ((line = lines.next()) != null) {
            if (line.problem() == null && line.text().isBlank()) {
                continue;
            }
            records++;
            if (firstOnly) {
                break;
            }
            if (opIndex >= 0) {
                String op = LineParser.opOf(line, opIndex);
                if (op != null) {
                    ops.add(op);
                }
            }
        }
        return records;
    }

    private static RefusedFile empty(String name, boolean csv) {
        return new RefusedFile(
                RefusedFile.Code.EMPTY_FILE,
                name + " holds no record"
                        + (csv
                                ? ": a CSV rewiring file is a header line naming its columns, then one line per"
                                        + " operation."
                                : ": an NDJSON rewiring file holds one JSON object per line."));
    }
}
