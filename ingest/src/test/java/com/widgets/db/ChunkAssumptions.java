package com.widgets.db;

/** Test access to when the store writes chunks of links without reading them first (package-private in the store). */
public final class ChunkAssumptions {

    private ChunkAssumptions() {}

    /** The next chunk of links is written on the assumption that its ports are free, whatever missed before. */
    public static void assumeNext(WiringStore store) {
        store.chunkAssumptions().assumeNext();
    }
}
