package com.widgets.db;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/** The three kinds of connection port a widget may have. */
public enum PortType {
    P,
    R,
    Q;

    /** Reads one port letter (case-insensitive); anything else is an {@link ErrorCode#INVALID_INPUT}. */
    public static PortType of(String field, String letter) {
        if (letter != null) {
            switch (letter.trim().toUpperCase(Locale.ROOT)) {
                case "P":
                    return P;
                case "R":
                    return R;
                case "Q":
                    return Q;
                default:
                    break;
            }
        }
        throw WiringException.invalid(field, "must be one of the port types P, R or Q, not " + Texts.quote(letter));
    }

    /** Reads a set of port letters written together, like {@code PR}; each letter at most once. */
    public static Set<PortType> setOf(String field, String letters) {
        if (letters == null || letters.isBlank()) {
            throw WiringException.invalid(field, "must name at least one of the port types P, R, Q");
        }
        Set<PortType> ports = EnumSet.noneOf(PortType.class);
        for (char c : letters.trim().toCharArray()) {
            if (!ports.add(of(field, String.valueOf(c)))) {
                throw WiringException.invalid(field, "names port " + c + " twice in " + Texts.quote(letters));
            }
        }
        return ports;
    }

    /** Writes a set of ports as letters in P, R, Q order, like {@code PR}. */
    public static String letters(Set<PortType> ports) {
        return ports.stream().sorted().map(Enum::name).collect(Collectors.joining());
    }
}
