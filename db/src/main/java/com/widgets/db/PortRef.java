package com.widgets.db;

/** One port of one widget, like {@code SN-1.P}. */
public record PortRef(String serialNumber, PortType port) implements Comparable<PortRef> {

    /** The longest serial number. */
    private static final int MAX_SERIAL = 64;

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
        if (!wellFormed(serialNumber)) {
            throw WiringException.invalid(
                    field,
                    Texts.quote(serialNumber)
                            + " is not a serial number: use 1 to 64 letters, digits, '.', '_', ':' or '-'");
        }
        return serialNumber;
    }

    /**
     * 1–64 of {@code A-Z a-z 0-9 . _ : -}; checked for every port of every line a rewiring job judges, so a loop over
     * the characters rather than a regular expression.
     */
    private static boolean wellFormed(String serialNumber) {
        int n = serialNumber.length();
        if (n > MAX_SERIAL) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = serialNumber.charAt(i);
            boolean allowed = (c >= 'A' && c <= 'Z')
                    || (c >= 'a' && c <= 'z')
                    || (c >= '0' && c <= '9')
                    || c == '.'
                    || c == '_'
                    || c == ':'
                    || c == '-';
            if (!allowed) {
                return false;
            }
        }
        return true;
    }

    /**
     * The canonical lock order: by serial number (byte order, as the database's "C" collation: serial numbers are
     * ASCII, whose UTF-16 order is their byte order), then port.
     */
    @Override
    public int compareTo(PortRef other) {
        int bySerial = serialNumber.compareTo(other.serialNumber);
        return bySerial != 0 ? bySerial : port.compareTo(other.port);
    }

    @Override
    public String toString() {
        return serialNumber + "." + port;
    }
}
