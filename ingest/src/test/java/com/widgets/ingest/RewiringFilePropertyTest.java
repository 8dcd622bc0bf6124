package com.widgets.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.widgets.db.Origin;
import com.widgets.db.PortRef;
import com.widgets.db.PortType;
import com.widgets.db.WiringOp;
import com.widgets.db.testing.TestDatabases;
import com.widgets.db.testing.WiringDatabase;
import com.widgets.db.testing.WiringModel;
import com.widgets.ingest.rewire.Counts;
import com.widgets.ingest.rewire.RewiringJob;
import com.widgets.ingest.rewire.RewiringJobs;
import com.widgets.ingest.rewire.RewiringMode;
import com.widgets.ingest.rewire.RewiringStatus;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tag;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Hostile input, property-based: random rewiring files — CSV with the columns in any order, lines valid and invalid
 * (unknown ops, missing, overlong and badly quoted values, bad port letters, invalid UTF-8, blank lines, names a
 * spreadsheet would run) — run as real jobs in every mode. Each ends as {@link WiringModel} and the file rules of
 * docs/rewiring.md say: the same final state, the same counts, the same rejected lines with the same codes; or the
 * whole file refused at the door with the code those rules give.
 */
@Tag("drill")
class RewiringFilePropertyTest {

    private static final Origin NONE = Origin.request("model", "property");
    private static final List<String> COLUMNS =
            List.of("op", "serial_number", "port", "peer_serial_number", "peer_port", "name", "ports");
    private static final List<String> SERIALS = List.of("A", "B", "C", "D");
    private static final AtomicInteger FILES = new AtomicInteger();

    private static ConfigurableApplicationContext context;
    private static RewiringJobs jobs;
    private static WiringDatabase db;
    private static Path dir;

    @BeforeContainer
    static void start() throws IOException {
        List<String> args = new ArrayList<>(List.of("--spring.main.banner-mode=off"));
        if (TestDatabases.onCitus()) {
            args.add("--spring.datasource.url=" + TestDatabases.freshCitusDatabase("files"));
        }
        context = new SpringApplicationBuilder(IngestTestApplication.class)
                .web(WebApplicationType.NONE)
                .run(args.toArray(String[]::new));
        jobs = context.getBean(RewiringJobs.class);
        db = new WiringDatabase(context.getBean(JdbcTemplate.class));
        dir = Files.createDirectories(Path.of("target", "rewiring-properties"));
    }

    @AfterContainer
    static void stop() {
        context.close();
    }

    /** One line of a generated file, and what the rules make of it: blank, unreadable, or this operation. */
    record Line(byte[] bytes, String kind, boolean blank, WiringOp op) {
        @Override
        public String toString() {
            return kind + ": " + new String(bytes, StandardCharsets.UTF_8);
        }
    }

    @Property(tries = 150, edgeCases = EdgeCasesMode.NONE)
    void aJobEndsAsTheModelSays(
            @ForAll("headers") List<String> header,
            @ForAll("lines") List<Spec> writers,
            @ForAll("modes") RewiringMode mode)
            throws Exception {
        db.reset();
        List<Line> lines = writers.stream().map(w -> w.apply(header)).toList();
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        content.write((String.join(",", header) + "\n").getBytes(StandardCharsets.UTF_8));
        for (Line line : lines) {
            content.write(line.bytes());
            content.write('\n');
        }
        Path file = dir.resolve("rewire-" + FILES.incrementAndGet() + ".csv");
        Files.write(file, content.toByteArray());

        RewiringJob job = jobs.await(jobs.submit(file, mode), Duration.ofMinutes(1));
        List<String> report = report(job.id());

        String refusal = refusal(content.toByteArray(), lines);
        if (refusal != null) {
            Statistics.label("files").collect("refused " + refusal);
            assertThat(job.status()).isEqualTo(RewiringStatus.FAILED);
            assertThat(report).as("the report of a file refused at the door").containsExactly("1," + refusal);
            assertThat(db.snapshot()).isEmpty();
            return;
        }
        WiringModel model = new WiringModel();
        List<String> rejects = new ArrayList<>();
        long read = 0, applied = 0, unchanged = 0;
        for (int i = 0; i < lines.size(); i++) {
            Line line = lines.get(i);
            if (line.blank()) {
                continue;
            }
            read++;
            String outcome = line.op() == null ? "MALFORMED_LINE" : model.apply(line.op());
            Statistics.label("lines").collect(outcome);
            switch (outcome) {
                case "CHANGED" -> applied++;
                case "UNCHANGED" -> unchanged++;
                default -> rejects.add((i + 2) + "," + outcome);
            }
        }
        Counts counts = new Counts(read, applied, unchanged, rejects.size());
        assertThat(report).as("rejected lines of %s", lines).isEqualTo(rejects);
        boolean writes = mode == RewiringMode.APPLY || (mode == RewiringMode.ATOMIC && rejects.isEmpty());
        assertThat(db.snapshot()).isEqualTo(writes ? model.snapshot() : Map.of());
        assertThat(db.invariantViolations()).isEmpty();
        if (mode == RewiringMode.ATOMIC && !rejects.isEmpty()) {
            Statistics.label("files").collect("atomic, refused");
            assertThat(job.status()).isEqualTo(RewiringStatus.FAILED);
            return;
        }
        Statistics.label("files").collect(mode.label());
        assertThat(job.status()).as(job.message()).isEqualTo(RewiringStatus.COMPLETED);
        assertThat(job.counts()).isEqualTo(counts);
    }

    /** The report's line number and code of each rejected line (neither holds a comma). */
    private static List<String> report(long id) {
        StringWriter out = new StringWriter();
        jobs.rejects(id, out);
        return out.toString()
                .lines()
                .skip(1)
                .map(row -> {
                    String[] cells = row.split(",", 3);
                    return cells[0] + "," + cells[1];
                })
                .toList();
    }

    /**
     * The code a whole file is refused with before any line is applied, per docs/rewiring.md's table, or null: not
     * text (NUL, or more than 1 % control bytes), non-ASCII lines of which none is UTF-8, or no record at all.
     */
    private static String refusal(byte[] content, List<Line> lines) {
        int control = 0;
        for (byte b : content) {
            if ((b >= 0 && b < 0x20 && b != '\t' && b != '\n' && b != '\r' && b != '\f') || b == 0x7f) {
                control++;
            }
        }
        if (control * 100L > content.length) {
            return "BINARY_FILE";
        }
        long nonAscii = lines.stream().filter(l -> !ascii(l.bytes())).count();
        long utf8 =
                lines.stream().filter(l -> !ascii(l.bytes()) && utf8(l.bytes())).count();
        if (nonAscii > 0 && utf8 == 0) {
            return "NOT_UTF8";
        }
        if (lines.stream().allMatch(Line::blank)) {
            return "EMPTY_FILE";
        }
        return null;
    }

    private static boolean ascii(byte[] bytes) {
        for (byte b : bytes) {
            if (b < 0) {
                return false;
            }
        }
        return true;
    }

    private static boolean utf8(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    @Provide
    Arbitrary<RewiringMode> modes() {
        return Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.just(RewiringMode.APPLY)),
                Tuple.of(1, Arbitraries.just(RewiringMode.DRY_RUN)),
                Tuple.of(1, Arbitraries.just(RewiringMode.ATOMIC)));
    }

    /** The seven columns, in any order. */
    @Provide
    Arbitrary<List<String>> headers() {
        return Arbitraries.frequencyOf(
                Tuple.of(2, Arbitraries.just(COLUMNS)), Tuple.of(1, Arbitraries.shuffle(COLUMNS)));
    }

    /** A value of a field, and whether the rules read it as one (a readable serial number may still be invalid). */
    record Value(String text, boolean readable) {
        static Value ok(String text) {
            return new Value(text, true);
        }

        static Value bad(String text) {
            return new Value(text, false);
        }
    }

    @Provide
    Arbitrary<List<Spec>> lines() {
        Arbitrary<Value> serial = Arbitraries.frequencyOf(
                Tuple.of(60, Arbitraries.of(SERIALS).map(Value::ok)),
                Tuple.of(
                        1,
                        Arbitraries.of(
                                Value.ok("bad serial"),
                                Value.ok(" A"),
                                Value.ok("S".repeat(65)),
                                Value.bad(""),
                                Value.bad("S".repeat(1001)))));
        Arbitrary<Value> port = Arbitraries.frequencyOf(
                Tuple.of(30, Arbitraries.of("P", "R", "Q").map(Value::ok)),
                Tuple.of(2, Arbitraries.of("p", " q ").map(Value::ok)),
                Tuple.of(1, Arbitraries.of(Value.bad("X"), Value.bad(""), Value.bad("PQ"))));
        Arbitrary<Value> name = Arbitraries.frequencyOf(
                Tuple.of(30, Arbitraries.of("alpha", "beta").map(Value::ok)),
                Tuple.of(
                        3,
                        Arbitraries.of(
                                        "=cmd()",
                                        "Core, rack 4",
                                        "say \"hi\"",
                                        "☃ snow",
                                        "+1",
                                        "@SUM(A1)",
                                        " ",
                                        "bell\u0007",
                                        "n".repeat(129))
                                .map(Value::ok)),
                Tuple.of(1, Arbitraries.of(Value.bad(""), Value.bad("n".repeat(1001)))));
        Arbitrary<Value> ports = Arbitraries.frequencyOf(
                Tuple.of(20, Arbitraries.just(Value.ok("PRQ"))),
                Tuple.of(10, Arbitraries.of("PR", "Q", "qr", " P ").map(Value::ok)),
                Tuple.of(1, Arbitraries.of(Value.bad(""), Value.bad("PP"), Value.bad("PX"), Value.bad(" "))));

        Arbitrary<Spec> add = Combinators.combine(serial, name, ports)
                .as((s, n, p) -> fields("add", Map.of("serial_number", s, "name", n, "ports", p)));
        Arbitrary<Spec> remove = serial.map(s -> fields("remove", Map.of("serial_number", s)));
        Arbitrary<Spec> link = Combinators.combine(serial, port, serial, port)
                .as((s, p, ps, pp) -> fields(
                        "link", Map.of("serial_number", s, "port", p, "peer_serial_number", ps, "peer_port", pp)));
        Arbitrary<Spec> unlink = Combinators.combine(serial, port, serial, port, Arbitraries.of(0, 0, 1, 1, 1, 2, 3))
                .as((s, p, ps, pp, peer) -> {
                    Map<String, Value> values = new LinkedHashMap<>(Map.of("serial_number", s, "port", p));
                    if (peer == 1 || peer == 2) {
                        values.put("peer_serial_number", ps);
                    }
                    if (peer == 1 || peer == 3) {
                        values.put("peer_port", pp);
                    }
                    // an empty cell is an absent one: "unlink,A,P,,,," names no peer, whatever was meant to be there
                    values.entrySet()
                            .removeIf(e -> e.getKey().startsWith("peer_")
                                    && e.getValue().text().isEmpty());
                    return fields("unlink", values);
                });
        Arbitrary<Spec> garbage = Arbitraries.of(
                raw("unknown op", "relink,A,P,B,Q,,"),
                raw("no op", ",A,,,,,"),
                raw("too few values", "remove,A"),
                raw("too many values", "remove,A,,,,,,,"),
                raw("unclosed quote", "add,\"A,,,,x,P"),
                raw("quote inside a value", "add,A\"B,,,,x,P"),
                raw("text after a quote", "add,\"A\"B,,,,x,P"),
                new Spec("not UTF-8", RewiringFilePropertyTest::invalidUtf8),
                blank(""),
                blank("   "));
        Arbitrary<Spec> line = Arbitraries.frequencyOf(
                Tuple.of(4, add), Tuple.of(1, remove), Tuple.of(8, link), Tuple.of(3, unlink), Tuple.of(2, garbage));
        // Most files start by adding their widgets, so that links have ports to meet.
        Arbitrary<List<Spec>> adds = Combinators.combine(
                        Arbitraries.shuffle(SERIALS),
                        Arbitraries.frequencyOf(
                                Tuple.of(5, Arbitraries.just(SERIALS.size())),
                                Tuple.of(1, Arbitraries.integers().between(0, SERIALS.size()))),
                        ports.list().ofSize(SERIALS.size()))
                .as((serials, count, portSets) -> {
                    List<Spec> first = new ArrayList<>();
                    for (int i = 0; i < count; i++) {
                        first.add(fields(
                                "add",
                                Map.of(
                                        "serial_number",
                                        Value.ok(serials.get(i)),
                                        "name",
                                        Value.ok("alpha"),
                                        "ports",
                                        portSets.get(i))));
                    }
                    return first;
                });
        return Combinators.combine(adds, line.list().ofMaxSize(30)).as((first, then) -> {
            List<Spec> all = new ArrayList<>(first);
            all.addAll(then);
            return all;
        });
    }

    /** A line of one op with these values, each written where the header puts its column (quoted when needed). */
    private static Spec fields(String op, Map<String, Value> values) {
        return new Spec(op + " " + values, header -> {
            String[] cells = new String[header.size()];
            Arrays.fill(cells, "");
            for (int i = 0; i < cells.length; i++) {
                if (header.get(i).equals("op")) {
                    cells[i] = op;
                } else if (values.containsKey(header.get(i))) {
                    cells[i] = csv(values.get(header.get(i)).text());
                }
            }
            byte[] text = String.join(",", cells).getBytes(StandardCharsets.UTF_8);
            WiringOp parsed = values.values().stream().allMatch(Value::readable) ? op(op, values) : null;
            return new Line(text, parsed == null ? op + ", unreadable" : op, false, parsed);
        });
    }

    /** The operation a readable line stands for; null when an unlink names half an expected peer. */
    private static WiringOp op(String op, Map<String, Value> v) {
        return switch (op) {
            case "add" ->
                new WiringOp.AddWidget(text(v, "serial_number"), text(v, "name"), ports(text(v, "ports")), NONE);
            case "remove" -> new WiringOp.RemoveWidget(text(v, "serial_number"), NONE);
            case "link" ->
                new WiringOp.LinkPorts(
                        ref(v, "serial_number", "port"), ref(v, "peer_serial_number", "peer_port"), NONE);
            default -> {
                boolean peer = v.containsKey("peer_serial_number");
                if (peer != v.containsKey("peer_port")) {
                    yield null;
                }
                yield new WiringOp.UnlinkPort(
                        ref(v, "serial_number", "port"), peer ? ref(v, "peer_serial_number", "peer_port") : null, NONE);
            }
        };
    }

    private static String text(Map<String, Value> values, String column) {
        return values.get(column).text();
    }

    private static PortRef ref(Map<String, Value> values, String serial, String port) {
        return new PortRef(
                text(values, serial), PortType.valueOf(text(values, port).trim().toUpperCase(Locale.ROOT)));
    }

    private static Set<PortType> ports(String letters) {
        Set<PortType> ports = EnumSet.noneOf(PortType.class);
        for (char c : letters.trim().toUpperCase(Locale.ROOT).toCharArray()) {
            ports.add(PortType.valueOf(String.valueOf(c)));
        }
        return ports;
    }

    /** RFC 4180: quoted when it holds a comma or a quote, a quote inside doubled. */
    private static String csv(String value) {
        return value.contains(",") || value.contains("\"") ? "\"" + value.replace("\"", "\"\"") + "\"" : value;
    }

    private static Spec raw(String kind, String text) {
        return new Spec(kind, header -> new Line(text.getBytes(StandardCharsets.UTF_8), kind, false, null));
    }

    private static Spec blank(String text) {
        return new Spec("blank", header -> new Line(text.getBytes(StandardCharsets.UTF_8), "blank", true, null));
    }

    /** An add whose name holds bytes that are not UTF-8 (Latin-1's é). */
    private static Line invalidUtf8(List<String> header) {
        String[] cells = new String[header.size()];
        Arrays.fill(cells, "");
        cells[header.indexOf("op")] = "add";
        cells[header.indexOf("serial_number")] = "A";
        cells[header.indexOf("ports")] = "P";
        cells[header.indexOf("name")] = "caf\u00e9";
        return new Line(String.join(",", cells).getBytes(StandardCharsets.ISO_8859_1), "not UTF-8", false, null);
    }

    /** A generated line, written once the header's column order is known; shown by its description. */
    record Spec(String description, Function<List<String>, Line> writer) {
        Line apply(List<String> header) {
            return writer.apply(header);
        }

        @Override
        public String toString() {
            return description;
        }
    }
}
