package io.hwnas.cost;

import java.util.Arrays;

/**
 * Decision vectors to row numbers in an open-addressing table over one flat {@code int[]} of keys:
 * a lookup allocates nothing. Not thread-safe.
 */
final class VectorRows {

    private final int width;
    private int[] keys;
    private int[] slots;
    private int size;

    VectorRows(int width) {
        this.width = width;
        this.keys = new int[width * 64];
        this.slots = new int[128];
        Arrays.fill(slots, -1);
    }

    int size() {
        return size;
    }

    /** The row of {@code vector}, or -1 when it has none. */
    int find(int[] vector) {
        int mask = slots.length - 1;
        for (int s = hash(vector) & mask;; s = (s + 1) & mask) {
            int row = slots[s];
            if (row < 0 || same(row, vector)) {
                return row;
            }
        }
    }

    /** Adds a vector that has no row yet; returns its row (rows are numbered 0, 1, ...). */
    int add(int[] vector) {
        if (2 * (size + 1) > slots.length) {
            grow();
        }
        if ((size + 1) * width > keys.length) {
            keys = Arrays.copyOf(keys, keys.length * 2);
        }
        System.arraycopy(vector, 0, keys, size * width, width);
        place(size, hash(vector));
        return size++;
    }

    private void place(int row, int hash) {
        int mask = slots.length - 1;
        int s = hash & mask;
        while (slots[s] >= 0) {
            s = (s + 1) & mask;
        }
        slots[s] = row;
    }

    private void grow() {
        slots = new int[slots.length * 2];
        Arrays.fill(slots, -1);
        for (int row = 0; row < size; row++) {
            int h = 1;
            for (int i = 0; i < width; i++) {
                h = 31 * h + keys[row * width + i];
            }
            place(row, mix(h));
        }
    }

    private boolean same(int row, int[] vector) {
        int base = row * width;
        for (int i = 0; i < width; i++) {
            if (keys[base + i] != vector[i]) {
                return false;
            }
        }
        return true;
    }

    private int hash(int[] vector) {
        int h = 1;
        for (int i = 0; i < width; i++) {
            h = 31 * h + vector[i];
        }
        return mix(h);
    }

    private static int mix(int h) {
        h *= 0x9E3779B9;
        return h ^ (h >>> 16);
    }
}
