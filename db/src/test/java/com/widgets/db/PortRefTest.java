package com.widgets.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Comparator;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * The serial-number check and the canonical lock order, written out by hand for the rewiring job's hot path, against
 * their plain definitions: the documented pattern and "serial number, then port".
 */
class PortRefTest {

    private static final Pattern DOCUMENTED = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
    private static final Comparator<PortRef> PLAIN =
            Comparator.comparing(PortRef::serialNumber).thenComparing(PortRef::port);

    @Property(tries = 3000)
    void acceptsExactlyTheDocumentedSerialNumbers(@ForAll("nearlySerials") String candidate) {
        boolean documented = DOCUMENTED.matcher(candidate).matches();
        if (documented) {
            assertThat(PortRef.serial("serialNumber", candidate)).isEqualTo(candidate);
        } else {
            assertThatThrownBy(() -> PortRef.serial("serialNumber", candidate))
                    .isInstanceOf(WiringException.class)
                    .hasMessageContaining("serialNumber");
        }
    }

    @Property(tries = 3000)
    void ordersAsSerialThenPort(@ForAll("ports") PortRef a, @ForAll("ports") PortRef b) {
        assertThat(Integer.signum(a.compareTo(b))).isEqualTo(Integer.signum(PLAIN.compare(a, b)));
    }

    @Test
    void edgesOfTheCheck() {
        assertThat(PortRef.serial("s", "a".repeat(64))).hasSize(64);
        assertThatThrownBy(() -> PortRef.serial("s", "a".repeat(65))).isInstanceOf(WiringException.class);
        assertThatThrownBy(() -> PortRef.serial("s", "")).hasMessageContaining("is required");
        assertThatThrownBy(() -> PortRef.serial("s", null)).hasMessageContaining("is required");
        for (String bad : new String[] {"W 1", "W/1", "Wé", "W\u0000", "W\n", "W@1", "W,1", "W1\u200b"}) {
            assertThatThrownBy(() -> PortRef.serial("s", bad)).as(bad).hasMessageContaining("is not a serial number");
        }
    }

    /** Strings of the allowed characters and their neighbours in the character table, lengths around 64. */
    @Provide
    Arbitrary<String> nearlySerials() {
        return Arbitraries.strings()
                .withChars("AZaz09._:-")
                .withChars("@[`{/;,+ \t\u00e9\u0130\u212a")
                .withCharRange('!', '~')
                .ofMinLength(0)
                .ofMaxLength(70);
    }

    @Provide
    Arbitrary<PortRef> ports() {
        Arbitrary<String> serials =
                Arbitraries.strings().withChars("AWw09._:-").ofMinLength(1).ofMaxLength(4);
        return serials.flatMap(serial -> Arbitraries.of(PortType.class).map(type -> new PortRef(serial, type)));
    }
}
