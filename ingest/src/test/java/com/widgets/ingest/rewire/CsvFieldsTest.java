package com.widgets.ingest.rewire;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * One value of a CSV record, as the file checks read the op column of every record, against the whole split the job
 * parses records with: the same value, and null exactly where the split finds the quoting broken or too few values.
 */
class CsvFieldsTest {

    @Property(tries = 5000)
    void oneValueIsWhatTheWholeSplitGives(@ForAll("records") String line, @ForAll @IntRange(max = 5) int index) {
        List<String> all = new ArrayList<>();
        String problem = CsvFields.split(line, all);
        String expected = problem != null || all.size() <= index ? null : all.get(index);
        assertThat(CsvFields.field(line, index)).isEqualTo(expected);
    }

    @Test
    void brokenQuotingAfterTheValueStillCounts() {
        assertThat(CsvFields.field("link,\"A,P", 0)).isNull();
        assertThat(CsvFields.field("link,A\"B", 0)).isNull();
        assertThat(CsvFields.field("\"unlink\",A,P", 0)).isEqualTo("unlink");
        assertThat(CsvFields.field("link,\"a\"\"b\",'=x", 1)).isEqualTo("a\"b");
        assertThat(CsvFields.field("link,A", 2)).isNull();
    }

    /** Records of the characters that matter to the quoting, and a few others. */
    @Provide
    Arbitrary<String> records() {
        return Arbitraries.strings()
                .withChars(',', '"', 'a', 'B', ' ', '\'', '=', '-', 'l')
                .ofMaxLength(24);
    }
}
