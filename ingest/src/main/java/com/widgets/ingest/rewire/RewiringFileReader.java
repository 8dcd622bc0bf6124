package com.widgets.ingest.rewire;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStreamException;
import org.springframework.batch.infrastructure.item.ItemStreamReader;

/**
 * Reads a rewiring file record by record. Its position — the last physical line handed out — goes into the step's
 * execution context at each chunk commit; a restart resumes there, or at the last line whose outcome committed ({@link
 * CommittedLines}) when that lies before it — a chunk's second half may still have been being written when its
 * context committed ({@link TwoWriters}). On first open it scans the file once: to count its records and, for CSV, to check
 * the header against the ops the file uses before anything is applied — unless the job's file check did both
 * ({@link #CHECKED}).
 *
 * <p>The writer may look at the next records before the step asks for them ({@link #readAhead}): they are handed out
 * again, in order, and count for the position only once they are. Records are parsed ahead on a thread of the reader's
 * own ({@link ParsedAhead}) from where the step resumes.
 */
class RewiringFileReader implements ItemStreamReader<FileLine> {

    static final String POSITION = "rewiring.position";
    static final String TOTAL = "rewiring.totalLines";
    /**
     * In the job's context: the records of a CSV file the job's check ({@link FileCheck}) read to its end, its ops
     * checked against the header there, so the reader does not read the file once more to count them.
     */
    static final String CHECKED = "rewiring.checkedRecords";

    private final Path file;
    private final LineParser parser;
    private final boolean csv;
    private final Consumer<Reject> headerRefused;
    private final String threadName;
    /** The last line whose outcome committed; the step resumes no later. */
    private final LongSupplier committedUpTo;

    private final long checkedRecords;

    private RawLines lines;
    private ParsedAhead<Ahead> parsed;
    private long position;
    private long total;
    /** Records read ahead of the step, with the physical line each ends on. */
    private final ArrayDeque<Ahead> ahead = new ArrayDeque<>();

    private record Ahead(FileLine line, long position) {}

    /** @param checkedRecords the records the job's file check counted ({@link #CHECKED}), or -1 */
    RewiringFileReader(
            Path file,
            String actor,
            long jobId,
            long checkedRecords,
            Consumer<Reject> headerRefused,
            LongSupplier committedUpTo) {
        this.file = file;
        this.checkedRecords = checkedRecords;
        this.committedUpTo = committedUpTo;
        this.headerRefused = headerRefused;
        this.csv = LineParser.isCsv(file.getFileName().toString());
        this.parser = new LineParser(csv, actor, jobId);
        this.threadName = "rewiring-parse-" + jobId;
    }

    @Override
    public void open(ExecutionContext context) {
        if (!Files.isReadable(file)) {
            throw new LineParser.HeaderException("Cannot read the file " + file.getFileName() + ".");
        }
        try {
            Set<String> ops = new HashSet<>();
            if (context.containsKey(TOTAL)) {
                total = context.getLong(TOTAL);
            } else if (csv && checkedRecords >= 0) {
                total = checkedRecords; // and the ops were checked against the header with them
            } else {
                total = scan(ops);
            }
            lines = new RawLines(file);
            if (csv) {
                RawLines.Raw header = lines.next();
                try {
                    parser.header(header, ops); // on a restart ops is empty: checked on the first run
                } catch (LineParser.HeaderException e) {
                    headerRefused.accept(
                            new Reject(1, Reject.INVALID_HEADER, e.getMessage(), header == null ? "" : header.text()));
                    throw e;
                }
            }
            long resume = context.getLong(POSITION, 0L);
            if (resume > 0) {
                resume = Math.min(resume, committedUpTo.getAsLong());
            }
            while (lines.number() < resume) { // skip what committed chunks already applied
                if (lines.next() == null) {
                    throw new ItemStreamException(
                            "The file " + file.getFileName() + " is shorter than when the job started.");
                }
            }
            position = lines.number();
            parsed = new ParsedAhead<>(threadName, this::parseNext);
        } catch (IOException e) {
            throw new ItemStreamException("Cannot read " + file.getFileName() + ": " + FileCheck.describe(e), e);
        }
    }

    private long scan(Set<String> ops) throws IOException {
        try (RawLines all = new RawLines(file)) {
            int opIndex = csv ? LineParser.opIndex(all.next()) : -1;
            return FileCheck.records(all, opIndex, ops, false);
        }
    }

    @Override
    public FileLine read() {
        Ahead next = ahead.isEmpty() ? parsed.next() : ahead.poll();
        if (next == null) {
            return null;
        }
        position = next.position();
        return next.line();
    }

    /** The next {@code n} records the step will read (fewer at the end of the file), without reading them for it. */
    List<FileLine> readAhead(int n) {
        while (ahead.size() < n) {
            Ahead next = parsed.next();
            if (next == null) {
                break;
            }
            ahead.add(next);
        }
        List<FileLine> records = new ArrayList<>(Math.min(n, ahead.size()));
        for (Ahead record : ahead) {
            if (records.size() == n) {
                break;
            }
            records.add(record.line());
        }
        return records;
    }

    /** On the parsing thread: the next record of the file, or null at its end. */
    private Ahead parseNext() throws IOException {
        RawLines.Raw line;
        do {
            line = lines.next();
            if (line == null) {
                return null;
            }
        } while (line.problem() == null && line.text().isBlank());
        return new Ahead(parser.parse(line), line.number());
    }

    @Override
    public void update(ExecutionContext context) {
        context.putLong(POSITION, position);
        context.putLong(TOTAL, total);
    }

    @Override
    public void close() {
        ahead.clear();
        if (parsed != null) {
            parsed.close(); // before the file: the parsing thread reads it
            parsed = null;
        }
        if (lines != null) {
            try {
                lines.close();
            } catch (IOException e) {
                throw new ItemStreamException("Cannot close " + file.getFileName(), e);
            }
            lines = null;
        }
    }

    long totalLines() {
        return total;
    }
}
