package com.widgets.db;

import static org.assertj.core.api.Assertions.assertThat;

import com.widgets.db.testing.TestApplication;
import com.widgets.db.testing.TestDatabases;
import com.widgets.db.testing.WiringDatabase;
import com.widgets.db.testing.WiringModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tag;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Hostile input, property-based: random sequences of adds, removes, links and unlinks over a few serial numbers and
 * ports — valid and invalid values mixed in — applied through the store one by one and, on an empty database again,
 * in chunks (in the caller's transaction, committed in parts, or through a {@link ChunkRun} that reads each next
 * chunk's widgets while the one before is written). All end in the state {@link WiringModel} (the rules in a few lines
 * of Java) says, every operation with the outcome it says; the chunk paths give exactly the single operations' codes
 * and sentences.
 *
 * <p>jqwik runs beside Jupiter on the JUnit Platform; it has no Spring test context, so the class starts the db
 * module's test application itself (on the shared embedded PostgreSQL, or a fresh Citus database in that lane).
 */
@Tag("drill")
class StoreModelPropertyTest {

    private static final Origin ME = Origin.request("model", "property");
    private static final List<String> SERIALS = List.of("A", "B", "C", "D", "E");

    private static ConfigurableApplicationContext context;
    private static WiringStore store;
    private static WiringDatabase db;

    @BeforeContainer
    static void start() {
        List<String> args = new ArrayList<>(List.of("--spring.main.banner-mode=off"));
        if (TestDatabases.onCitus()) {
            args.add("--spring.datasource.url=" + TestDatabases.freshCitusDatabase("model"));
        }
        context = new SpringApplicationBuilder(TestApplication.class)
                .web(WebApplicationType.NONE)
                .run(args.toArray(String[]::new));
        store = context.getBean(WiringStore.class);
        db = new WiringDatabase(context.getBean(JdbcTemplate.class));
    }

    @AfterContainer
    static void stop() {
        context.close();
    }

    @Property(tries = 250, edgeCases = EdgeCasesMode.NONE)
    void singleOperationsAndChunksEndAsTheModelSays(
            @ForAll("sequences") List<WiringOp> ops,
            @ForAll @IntRange(min = 1, max = 12) int chunkSize,
            @ForAll("paths") String path) {
        db.reset();
        WiringModel model = new WiringModel();
        List<String> single = new ArrayList<>();
        for (WiringOp op : ops) {
            String outcome = applyOne(op);
            single.add(outcome);
            Statistics.label("outcomes").collect(code(outcome));
            assertThat(code(outcome))
                    .as("operation %d of %s", single.size(), ops)
                    .isEqualTo(model.apply(op));
        }
        var state = db.snapshot();
        assertThat(state).isEqualTo(model.snapshot());
        assertThat(db.invariantViolations()).isEmpty();
        assertThat(db.replayHistory()).isEqualTo(state);

        db.reset();
        List<String> chunked = new ArrayList<>();
        try (ChunkRun run = store.chunkRun()) {
            for (int from = 0; from < ops.size(); from += chunkSize) {
                List<WiringOp> chunk = ops.subList(from, Math.min(ops.size(), from + chunkSize));
                List<WiringOp> next =
                        ops.subList(Math.min(ops.size(), from + chunkSize), Math.min(ops.size(), from + 2 * chunkSize));
                List<OpOutcome> outcomes = switch (path) {
                    case "in caller's transaction" -> store.applyChunk(chunk);
                    case "in parts" -> store.applyChunkInParts(chunk, (first, part) -> {});
                    default -> run.applyInParts(chunk, next, (first, part) -> {});
                };
                outcomes.forEach(o -> chunked.add(describe(o)));
            }
            Statistics.label("chunks read ahead").collect(run.chunksReadAhead() > 0);
        }
        assertThat(chunked)
                .as("chunks of %d: outcomes and sentences", chunkSize)
                .isEqualTo(single);
        assertThat(db.snapshot()).isEqualTo(state);
        assertThat(db.invariantViolations()).isEmpty();
        assertThat(db.replayHistory()).isEqualTo(state);
    }

    private static String applyOne(WiringOp op) {
        try {
            Change<?> change;
            if (op instanceof WiringOp.AddWidget add) {
                change = store.addWidget(add.serialNumber(), add.name(), add.ports(), ME);
            } else if (op instanceof WiringOp.RemoveWidget remove) {
                change = store.removeWidget(remove.serialNumber(), ME);
            } else if (op instanceof WiringOp.LinkPorts link) {
                change = store.link(link.a(), link.b(), ME);
            } else {
                WiringOp.UnlinkPort unlink = (WiringOp.UnlinkPort) op;
                change = store.unlink(unlink.end(), unlink.expectedPeer(), ME);
            }
            return change.changed() ? "CHANGED" : "UNCHANGED";
        } catch (WiringException refused) {
            return refused.code() + ": " + refused.getMessage();
        }
    }

    private static String describe(OpOutcome outcome) {
        return switch (outcome.result()) {
            case CHANGED, UNCHANGED -> outcome.result().name();
            case REJECTED -> outcome.code() + ": " + outcome.message();
        };
    }

    private static String code(String outcome) {
        int colon = outcome.indexOf(':');
        return colon < 0 ? outcome : outcome.substring(0, colon);
    }

    @Provide
    Arbitrary<String> paths() {
        return Arbitraries.of("in caller's transaction", "in parts", "run reading ahead");
    }

    @Provide
    Arbitrary<List<WiringOp>> sequences() {
        Arbitrary<String> validSerial = Arbitraries.of(SERIALS);
        Arbitrary<String> serial = Arbitraries.frequencyOf(
                Tuple.of(40, validSerial), Tuple.of(1, Arbitraries.of("", "bad serial", "S".repeat(65), "é")));
        Arbitrary<PortRef> port =
                Combinators.combine(serial, Arbitraries.of(PortType.class)).as(PortRef::new);
        Arbitrary<String> name = Arbitraries.frequencyOf(
                Tuple.of(40, Arbitraries.of("alpha", "beta")),
                Tuple.of(
                        1, Arbitraries.of(" ", "bell\u0007", "n".repeat(129), "=cmd()", "\"quoted, name\"", "☃ snow")));
        Arbitrary<Set<PortType>> ports = Arbitraries.frequencyOf(
                Tuple.of(10, Arbitraries.just(Set.of(PortType.values()))),
                Tuple.of(10, Arbitraries.subsetOf(PortType.values()).ofMinSize(1)),
                Tuple.of(1, Arbitraries.just(Set.<PortType>of())));
        Arbitrary<WiringOp> add =
                Combinators.combine(serial, name, ports).as((s, n, p) -> new WiringOp.AddWidget(s, n, p, ME));
        Arbitrary<WiringOp> remove = serial.map(s -> new WiringOp.RemoveWidget(s, ME));
        Arbitrary<WiringOp> link = Combinators.combine(port, port).as((a, b) -> new WiringOp.LinkPorts(a, b, ME));
        Arbitrary<WiringOp> unlink = Combinators.combine(port, port.injectNull(0.5))
                .as((end, peer) -> new WiringOp.UnlinkPort(end, peer, ME));
        Arbitrary<WiringOp> op =
                Arbitraries.frequencyOf(Tuple.of(3, add), Tuple.of(1, remove), Tuple.of(8, link), Tuple.of(4, unlink));
        // Most sequences start by adding every widget, so that links have ports to meet.
        Arbitrary<List<WiringOp>> adds = Combinators.combine(
                        Arbitraries.shuffle(SERIALS),
                        Arbitraries.frequencyOf(
                                Tuple.of(5, Arbitraries.just(SERIALS.size())),
                                Tuple.of(1, Arbitraries.integers().between(0, SERIALS.size()))),
                        ports.list().ofSize(SERIALS.size()))
                .as((serials, count, portSets) -> {
                    List<WiringOp> first = new ArrayList<>();
                    for (int i = 0; i < count; i++) {
                        first.add(new WiringOp.AddWidget(serials.get(i), "alpha", portSets.get(i), ME));
                    }
                    return first;
                });
        return Combinators.combine(adds, op.list().ofMinSize(1).ofMaxSize(40)).as((first, then) -> {
            List<WiringOp> all = new ArrayList<>(first);
            all.addAll(then);
            return all;
        });
    }
}
