package com.widgets.ingest.rewire;

/**
 * How long rewiring jobs take, for dashboards.
 *
 * @param jobs the completed jobs the average is taken over
 * @param averageSeconds their average wall-clock seconds, start to end (0 when there are none)
 */
public record RewiringStats(int jobs, double averageSeconds) {}
