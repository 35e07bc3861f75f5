package io.hwnas.cost;

/** What limits a kernel's time: arithmetic, memory traffic, or a fixed per-kernel overhead. */
public enum Bound {
    COMPUTE, MEMORY, OVERHEAD
}
