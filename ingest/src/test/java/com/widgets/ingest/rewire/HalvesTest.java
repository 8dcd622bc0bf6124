package com.widgets.ingest.rewire;

import static org.assertj.core.api.Assertions.assertThat;

import com.widgets.db.PortRef;
import com.widgets.db.PortType;
import com.widgets.db.WiringOp;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** When two runs of lines may touch the same rows (and so cannot be written side by side). */
class HalvesTest {

    @Test
    void runsMeetOnASharedPortOrAWidgetOneAddsAndTheOtherNamesEitherWay() {
        Halves.Touched links = touched(link("A", PortType.P, "B", PortType.Q), link("C", PortType.R, "D", PortType.R));
        assertThat(links.meets(touched(link("E", PortType.P, "A", PortType.P))))
                .as("a shared port")
                .isTrue();
        assertThat(touched(link("E", PortType.P, "A", PortType.P)).meets(links)).isTrue();
        assertThat(links.meets(touched(link("A", PortType.R, "E", PortType.P))))
                .as("another port of the same widget")
                .isFalse();
        assertThat(links.meets(touched(add("B")))).as("a widget the other adds").isTrue();
        assertThat(touched(add("B")).meets(links)).isTrue();
        assertThat(touched(add("X")).meets(touched(add("X")))).as("both add it").isTrue();
        assertThat(touched(add("X")).meets(touched(add("Y")))).isFalse();
        assertThat(links.meets(touched(add("Z"), link("E", PortType.P, "F", PortType.P))))
                .isFalse();
    }

    @Test
    void aRemoveOrAnUnlinkNamingNoPeerTouchesRowsItDoesNotName() {
        assertThat(Halves.Touched.by(List.of(line(new WiringOp.RemoveWidget("A", null)))))
                .isNull();
        assertThat(Halves.Touched.by(List.of(line(new WiringOp.UnlinkPort(new PortRef("A", PortType.P), null, null)))))
                .isNull();
    }

    private static Halves.Touched touched(WiringOp... ops) {
        return Halves.Touched.by(
                java.util.Arrays.stream(ops).map(HalvesTest::line).toList());
    }

    private static FileLine line(WiringOp op) {
        return new FileLine(1, "line", op, null);
    }

    private static WiringOp link(String a, PortType pa, String b, PortType pb) {
        return new WiringOp.LinkPorts(new PortRef(a, pa), new PortRef(b, pb), null);
    }

    private static WiringOp add(String serial) {
        return new WiringOp.AddWidget(serial, "w", Set.of(PortType.P), null);
    }
}
