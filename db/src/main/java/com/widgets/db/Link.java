package com.widgets.db;

/** A link between two ports of two widgets; symmetric, so {@code a} and {@code b} are just the two ends. */
public record Link(PortRef a, PortRef b) {}
