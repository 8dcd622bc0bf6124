package com.widgets.db;

/**
 * What a write did: {@code changed} is false when the state already was what the caller asked for (a no-op).
 *
 * @param value the widget or link written, or as it was found; null when there is none (a free port unlinked)
 */
public record Change<T>(boolean changed, T value) {

    static <T> Change<T> changed(T value) {
        return new Change<>(true, value);
    }

    static <T> Change<T> unchanged(T value) {
        return new Change<>(false, value);
    }
}
