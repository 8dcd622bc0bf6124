package com.widgets.db;

import java.util.Comparator;
import java.util.regex.Pattern;

/** One port of one widget, like {@code SN-1.P}. */
public record PortRef(String serialNumber, PortType port) implements Comparable<PortRef> {

    private static final Pattern SERIAL = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
    private static final Comparator<PortRef> ORDER =
            Comparator.comparing(PortRef::serialNumber).thenComparing(PortRef::port);

    public PortRef {
        if (serialNumber == null || port == null) {
            throw new IllegalArgumentException("a port needs a serial number and a type");
        }
    }

    /** Checks a serial number: 1–64 characters of letters, digits and {@code . _ : -}. */
    public static String serial(String field, String serialNumber) {
        if (serialNumber == null || serialNumber.isEmpty()) {
            throw WiringException.invalid(field, "is required");
        }
        if (!SERIAL.matcher(serialNumber).matches()) {
            throw WiringException.invalid(
                    field,
                    Texts.quote(serialNumber)
                            + " is not a serial number: use 1 to 64 letters, digits, '.', '_', ':' or '-'");
        }
        return serialNumber;
    }

    /** The canonical lock order: by serial number (byte order, as the database's "C" collation), then port. */
    @Override
    public int compareTo(PortRef other) {
        return ORDER.compare(this, other);
    }

    @Override
    public String toString() {
        return serialNumber + "." + port;
    }
}
