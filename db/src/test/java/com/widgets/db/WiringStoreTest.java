package com.widgets.db;

import static com.widgets.db.PortType.P;
import static com.widgets.db.PortType.Q;
import static com.widgets.db.PortType.R;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class WiringStoreTest extends StoreTestSupport {

    private static final Origin ME = Origin.request("tester", "req-1");

    private void add(String serial, PortType... ports) {
        store.addWidget(serial, "widget " + serial, EnumSet.of(ports[0], ports), ME);
    }

    private static PortRef port(String serial, PortType type) {
        return new PortRef(serial, type);
    }

    private static ErrorCode codeOf(Runnable call) {
        try {
            call.run();
        } catch (WiringException e) {
            return e.code();
        }
        throw new AssertionError("expected a WiringException");
    }

    @Test
    void addsAWidgetWithFreePorts() {
        Change<Widget> added = store.addWidget("SN-1", "Widget1", Set.of(P, R), ME);

        assertThat(added.changed()).isTrue();
        Widget widget = store.widget("SN-1").orElseThrow();
        assertThat(widget.name()).isEqualTo("Widget1");
        assertThat(widget.portTypes()).containsExactly(P, R);
        assertThat(widget.ports()).allMatch(Port::isFree);
        assertThat(widget.createdAt()).isNotNull();
    }

    @Test
    void addingTheSameWidgetAgainChangesNothing() {
        store.addWidget("SN-1", "Widget1", Set.of(P, R), ME);

        Change<Widget> again = store.addWidget("SN-1", "Widget1", Set.of(R, P), ME);

        assertThat(again.changed()).isFalse();
        assertThat(db.count("SELECT count(*) FROM wiring_history WHERE event = 'ADDED'"))
                .isEqualTo(1);
    }

    @Test
    void addingAnExistingSerialWithOtherNameOrPortsIsRefused() {
        store.addWidget("SN-1", "Widget1", Set.of(P, R), ME);

        assertThatThrownBy(() -> store.addWidget("SN-1", "Other", Set.of(P, R), ME))
                .isInstanceOfSatisfying(
                        WiringException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.WIDGET_EXISTS))
                .hasMessageContaining("'SN-1'")
                .hasMessageContaining("'Widget1'");
        assertThat(codeOf(() -> store.addWidget("SN-1", "Widget1", Set.of(P), ME)))
                .isEqualTo(ErrorCode.WIDGET_EXISTS);
    }

    @Test
    void refusesMalformedWidgets() {
        assertThat(codeOf(() -> store.addWidget("", "n", Set.of(P), ME))).isEqualTo(ErrorCode.INVALID_INPUT);
        assertThat(codeOf(() -> store.addWidget("has space", "n", Set.of(P), ME)))
                .isEqualTo(ErrorCode.INVALID_INPUT);
        assertThat(codeOf(() -> store.addWidget("x".repeat(65), "n", Set.of(P), ME)))
                .isEqualTo(ErrorCode.INVALID_INPUT);
        assertThat(codeOf(() -> store.addWidget("SN-1", "", Set.of(P), ME))).isEqualTo(ErrorCode.INVALID_INPUT);
        assertThat(codeOf(() -> store.addWidget("SN-1", "n".repeat(129), Set.of(P), ME)))
                .isEqualTo(ErrorCode.INVALID_INPUT);
        assertThat(codeOf(() -> store.addWidget("SN-1", "bell\u0007", Set.of(P), ME)))
                .isEqualTo(ErrorCode.INVALID_INPUT);
        assertThat(codeOf(() -> store.addWidget("SN-1", "n", Set.of(), ME))).isEqualTo(ErrorCode.INVALID_INPUT);
        assertThatThrownBy(() -> store.addWidget("SN 1", "n", Set.of(P), ME))
                .hasMessageContaining("serialNumber")
                .hasMessageContaining("'SN 1'");
        // Limits are inclusive: 64-character serials, 128-character names with any printable script.
        store.addWidget("A".repeat(64), "ü".repeat(128), Set.of(Q), ME);
        store.addWidget("a.b_c:d-9", "Widget ☃", Set.of(Q), ME);
        assertThat(db.count("SELECT count(*) FROM widget")).isEqualTo(2);
    }

    @Test
    void linksTwoFreePortsSymmetrically() {
        add("A", P, Q);
        add("B", P, R);

        Change<Link> linked = store.link(port("A", Q), port("B", P), ME);

        assertThat(linked.changed()).isTrue();
        assertThat(store.widget("A").orElseThrow().port(Q).orElseThrow().peer()).isEqualTo(port("B", P));
        assertThat(store.widget("B").orElseThrow().port(P).orElseThrow().peer()).isEqualTo(port("A", Q));
        assertThat(store.widget("B").orElseThrow().port(P).orElseThrow().linkedAt())
                .isNotNull();
        assertThat(db.count("SELECT count(*) FROM wiring_history WHERE event = 'LINKED' AND request_id = 'req-1'"))
                .isEqualTo(2);
    }

    @Test
    void linkingTheSameLinkAgainChangesNothingFromEitherEnd() {
        add("A", P);
        add("B", Q);
        store.link(port("A", P), port("B", Q), ME);

        assertThat(store.link(port("A", P), port("B", Q), ME).changed()).isFalse();
        assertThat(store.link(port("B", Q), port("A", P), ME).changed()).isFalse();
        assertThat(db.count("SELECT count(*) FROM wiring_history WHERE event = 'LINKED'"))
                .isEqualTo(2);
    }

    @Test
    void linkRefusesMissingWidgetsPortsAndSelfLinks() {
        add("A", P, R);
        add("B", Q);

        assertThatThrownBy(() -> store.link(port("A", P), port("NOPE", P), ME))
                .isInstanceOfSatisfying(
                        WiringException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.WIDGET_NOT_FOUND))
                .hasMessageContaining("'NOPE'");
        assertThatThrownBy(() -> store.link(port("A", Q), port("B", Q), ME))
                .isInstanceOfSatisfying(
                        WiringException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.PORT_NOT_ON_WIDGET))
                .hasMessageContaining("no port Q")
                .hasMessageContaining("PR");
        assertThat(codeOf(() -> store.link(port("A", P), port("A", R), ME))).isEqualTo(ErrorCode.SELF_LINK);
        assertThat(codeOf(() -> store.link(port("A", P), port("b c", R), ME))).isEqualTo(ErrorCode.INVALID_INPUT);
        assertThat(db.count("SELECT count(*) FROM port WHERE peer_serial IS NOT NULL"))
                .isZero();
    }

    @Test
    void linkRefusesABusyPortNamingItsPeer() {
        add("A", P);
        add("B", Q);
        add("C", R, Q);
        store.link(port("A", P), port("B", Q), ME);

        assertThatThrownBy(() -> store.link(port("C", R), port("A", P), ME))
                .isInstanceOfSatisfying(
                        WiringException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.PORT_BUSY))
                .hasMessage("Port A.P is already linked to B.Q.");
        assertThatThrownBy(() -> store.link(port("B", Q), port("C", Q), ME))
                .hasMessage("Port B.Q is already linked to A.P.");
        assertThat(store.widget("C").orElseThrow().ports()).allMatch(Port::isFree);
    }

    @Test
    void aRefusedHalfLinkIsRolledBackAndLeavesItsConnectionClean() {
        add("A", P);
        add("B", Q);
        add("C", R);
        add("D", P);
        store.link(port("A", P), port("B", Q), ME);

        // Ends are written in serial-number order: C.R is written after busy A.P refused, 0.R before busy B.Q is
        // refused. Either way one end is written, the database's whole-link check refuses the transaction and the
        // store rolls it back. More refusals than the pool has connections: a connection left in an aborted
        // transaction block would fail the next call made on it.
        add("0", R);
        for (int i = 0; i < 25; i++) {
            assertThat(codeOf(() -> store.link(port("C", R), port("A", P), ME))).isEqualTo(ErrorCode.PORT_BUSY);
            assertThat(codeOf(() -> store.link(port("0", R), port("B", Q), ME))).isEqualTo(ErrorCode.PORT_BUSY);
        }

        assertThat(store.link(port("C", R), port("D", P), ME).changed()).isTrue();
        assertThat(db.count("SELECT count(*) FROM wiring_history WHERE event = 'LINKED'"))
                .isEqualTo(4);
        assertThat(db.count("SELECT count(*) FROM port WHERE peer_serial IS NOT NULL"))
                .isEqualTo(4);
        assertThat(jdbc.queryForObject("SELECT wiring_whole_link(0) AND wiring_whole_link(2)", Boolean.class))
                .isTrue();
    }

    @Test
    void unlinkFreesBothEnds() {
        add("A", P);
        add("B", Q);
        store.link(port("A", P), port("B", Q), ME);

        Change<Link> unlinked = store.unlink(port("B", Q), null, ME);

        assertThat(unlinked.changed()).isTrue();
        assertThat(unlinked.value()).isEqualTo(new Link(port("B", Q), port("A", P)));
        assertThat(store.widget("A").orElseThrow().ports()).allMatch(Port::isFree);
        assertThat(store.widget("B").orElseThrow().ports()).allMatch(Port::isFree);
        assertThat(db.count("SELECT count(*) FROM wiring_history WHERE event = 'UNLINKED'"))
                .isEqualTo(2);
    }

    @Test
    void anUnlinkNamingOnlyItsPortRecordsBothEndsWithItsOrigin() {
        add("A", P);
        add("B", Q);
        store.link(port("B", Q), port("A", P), ME);

        Change<Link> unlinked = store.unlink(port("B", Q), null, Origin.request("someone", "req-2"));

        assertThat(unlinked.value()).isEqualTo(new Link(port("B", Q), port("A", P)));
        assertThat(jdbc.queryForList("""
                        SELECT serial_number || '.' || port || '>' || peer_serial || '.' || peer_port
                               || ' ' || actor || ' ' || request_id
                          FROM wiring_history WHERE event = 'UNLINKED' ORDER BY id
                        """, String.class))
                .as("both ends, the lower serial number first (the canonical lock order)")
                .containsExactly("A.P>B.Q someone req-2", "B.Q>A.P someone req-2");
        assertThat(db.count("SELECT count(*) FROM port WHERE peer_serial IS NOT NULL"))
                .isZero();
    }

    @Test
    void theDatabaseRefusesToFreeOneEndOfAPairAlone() {
        add("A", P);
        add("B", Q);
        add("C", R);
        store.link(port("A", P), port("B", Q), ME);
        // A row pointing at a peer that does not point back (only a writer outside the store could leave one): the
        // unlink function frees A.P, finds B.Q linked elsewhere, and refuses the whole transaction.
        jdbc.update("UPDATE port SET peer_serial = 'C', peer_port = 'R' WHERE serial_number = 'B'");
        jdbc.update("UPDATE port SET peer_serial = 'B', peer_port = 'Q', linked_at = now() WHERE serial_number = 'C'");

        assertThatThrownBy(() ->
                        jdbc.queryForList("SELECT * FROM wiring_unlink_port('A', 'P', 'tester', NULL, NULL, NULL)"))
                .hasMessageContaining("only one end of the link was freed");
        assertThat(db.count("SELECT count(*) FROM port WHERE peer_serial IS NOT NULL"))
                .isEqualTo(3);
        assertThat(db.count("SELECT count(*) FROM wiring_history WHERE event = 'UNLINKED'"))
                .isZero();
        assertThat(jdbc.queryForList("SELECT * FROM wiring_unlink_port('C', 'R', 'tester', NULL, NULL, NULL)"))
                .as("a whole pair is freed, its peer returned")
                .hasSize(1);
    }

    @Test
    void unlinkingAFreePortChangesNothing() {
        add("A", P);
        assertThat(store.unlink(port("A", P), null, ME).changed()).isFalse();
        assertThat(store.unlink(port("A", P), port("B", Q), ME).changed()).isFalse();
    }

    @Test
    void unlinkWithTheWrongExpectedPeerIsRefused() {
        add("A", P);
        add("B", Q);
        add("C", Q);
        store.link(port("A", P), port("B", Q), ME);

        assertThatThrownBy(() -> store.unlink(port("A", P), port("C", Q), ME))
                .isInstanceOfSatisfying(
                        WiringException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_LINKED_TO))
                .hasMessage("Port A.P is linked to B.Q, not to C.Q.");
        // with the right expected peer the store writes both ends without reading first, from either end
        assertThat(store.unlink(port("A", P), port("B", Q), ME).value())
                .isEqualTo(new Link(port("A", P), port("B", Q)));
        store.link(port("A", P), port("C", Q), ME);
        assertThat(store.unlink(port("C", Q), port("A", P), ME).value())
                .isEqualTo(new Link(port("C", Q), port("A", P)));
        assertThat(db.count("SELECT count(*) FROM port WHERE peer_serial IS NOT NULL"))
                .isZero();
        assertThat(db.count("SELECT count(*) FROM wiring_history WHERE event = 'UNLINKED'"))
                .isEqualTo(4);
        assertThat(db.replayHistory()).isEqualTo(db.snapshot());
    }

    @Test
    void unlinkRefusesMissingWidgetsAndPorts() {
        add("A", P);
        assertThat(codeOf(() -> store.unlink(port("NOPE", P), null, ME))).isEqualTo(ErrorCode.WIDGET_NOT_FOUND);
        assertThat(codeOf(() -> store.unlink(port("A", R), null, ME))).isEqualTo(ErrorCode.PORT_NOT_ON_WIDGET);
    }

    @Test
    void removingAWidgetFreesItsPeers() {
        add("A", P, R, Q);
        add("B", Q);
        add("C", P);
        add("D", R);
        store.link(port("A", P), port("B", Q), ME);
        store.link(port("A", R), port("C", P), ME);
        store.link(port("A", Q), port("D", R), ME);

        Change<Widget> removed = store.removeWidget("A", ME);

        assertThat(removed.changed()).isTrue();
        assertThat(removed.value().ports()).noneMatch(Port::isFree);
        assertThat(store.widget("A")).isEmpty();
        assertThat(store.widgets(List.of("B", "C", "D")).values())
                .hasSize(3)
                .allSatisfy(w -> assertThat(w.ports()).allMatch(Port::isFree));
        assertThat(db.count("SELECT count(*) FROM port WHERE serial_number = 'A'"))
                .isZero();
        assertThat(db.count("SELECT count(*) FROM wiring_history WHERE event = 'UNLINKED'"))
                .isEqualTo(6);
        assertThat(db.count("SELECT count(*) FROM wiring_history WHERE event = 'REMOVED'"))
                .isEqualTo(1);
        assertThat(db.invariantViolations()).isEmpty();
    }

    @Test
    void removingAMissingWidgetChangesNothing() {
        assertThat(store.removeWidget("NOPE", ME).changed()).isFalse();
        assertThat(codeOf(() -> store.removeWidget("no pe", ME))).isEqualTo(ErrorCode.INVALID_INPUT);
    }

    @Test
    void readsManyWidgetsAndPagesInSerialOrder() {
        for (String s : List.of("c", "a", "B", "b", "A")) {
            add(s, P);
        }

        Map<String, Widget> some = store.widgets(List.of("a", "b", "missing"));
        assertThat(some).containsOnlyKeys("a", "b");

        List<Widget> first = store.widgetsAfter(null, 2);
        List<Widget> second = store.widgetsAfter(first.get(1).serialNumber(), 2);
        List<Widget> third = store.widgetsAfter(second.get(1).serialNumber(), 2);
        assertThat(first).extracting(Widget::serialNumber).containsExactly("A", "B");
        assertThat(second).extracting(Widget::serialNumber).containsExactly("a", "b");
        assertThat(third).extracting(Widget::serialNumber).containsExactly("c");
        assertThat(codeOf(() -> store.widgetsAfter(null, 0))).isEqualTo(ErrorCode.INVALID_INPUT);
        assertThat(codeOf(() -> store.widgetsAfter(null, 1001))).isEqualTo(ErrorCode.INVALID_INPUT);
    }

    @Test
    void historyRecordsWhoAndWhereFrom() {
        store.addWidget("A", "a", Set.of(P), Origin.jobLine("batch", 42, 7));
        store.addWidget("B", "b", Set.of(P), ME);
        store.link(port("A", P), port("B", P), Origin.jobLine("batch", 42, 8));

        List<Map<String, Object>> rows = jdbc.queryForList(
                "SELECT serial_number, event, actor, job_id, line_number, request_id FROM wiring_history ORDER BY id");
        assertThat(rows).hasSize(4);
        assertThat(rows.get(0)).containsEntry("event", "ADDED").containsEntry("job_id", 42L);
        assertThat(rows.get(0)).containsEntry("line_number", 7L).containsEntry("actor", "batch");
        assertThat(rows.get(1)).containsEntry("request_id", "req-1").containsEntry("job_id", null);
        assertThat(rows.subList(2, 4))
                .allSatisfy(r -> assertThat(r).containsEntry("event", "LINKED").containsEntry("line_number", 8L));
        assertThat(db.replayHistory()).isEqualTo(db.snapshot());
    }

    @Test
    void readsAWidgetsHistoryNewestFirstInPages() {
        add("A", P);
        add("B", Q);
        store.link(port("A", P), port("B", Q), ME);
        store.unlink(port("A", P), null, ME);

        List<WiringEvent> newest = store.history("A", null, 2);
        List<WiringEvent> older = store.history("A", newest.get(1).id(), 2);

        assertThat(newest).extracting(WiringEvent::type).containsExactly(EventType.UNLINKED, EventType.LINKED);
        assertThat(newest.get(1).peer()).isEqualTo(port("B", Q));
        assertThat(newest.get(1).origin()).isEqualTo(ME);
        assertThat(older).extracting(WiringEvent::type).containsExactly(EventType.ADDED);
        assertThat(older.get(0).ports()).containsExactly(P);
        assertThat(older.get(0).name()).isEqualTo("widget A");
    }
}
