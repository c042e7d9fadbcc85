package io.rewoo4j.runtime.tokenizer;

/**
 * An open-addressing hash map from piece text to id that can be queried with a range of a char array, so the
 * BPE loop looks up candidate merges without allocating a string per lookup.
 */
final class PieceTable {

    private final String[] keys;
    private final int[] values;
    private final int[] hashes;
    private final int mask;

    PieceTable(int expected) {
        int capacity = Integer.highestOneBit(Math.max(4, expected * 2 + 1)) << 1;
        keys = new String[capacity];
        values = new int[capacity];
        hashes = new int[capacity];
        mask = capacity - 1;
    }

    /** Adds {@code key -> value}; returns the value already stored for the key (and keeps it), or -1. */
    int put(String key, int value) {
        int hash = hash(key);
        for (int slot = hash & mask; ; slot = (slot + 1) & mask) {
            String existing = keys[slot];
            if (existing == null) {
                keys[slot] = key;
                values[slot] = value;
                hashes[slot] = hash;
                return -1;
            }
            if (hashes[slot] == hash && existing.equals(key)) {
                return values[slot];
            }
        }
    }

    int get(char[] chars, int from, int to) {
        int hash = hash(chars, from, to);
        int length = to - from;
        for (int slot = hash & mask; ; slot = (slot + 1) & mask) {
            String existing = keys[slot];
            if (existing == null) {
                return -1;
            }
            if (hashes[slot] == hash && existing.length() == length && regionEquals(existing, chars, from)) {
                return values[slot];
            }
        }
    }

    private static boolean regionEquals(String key, char[] chars, int from) {
        for (int i = 0; i < key.length(); i++) {
            if (key.charAt(i) != chars[from + i]) {
                return false;
            }
        }
        return true;
    }

    private static int hash(String key) {
        int h = 0;
        for (int i = 0; i < key.length(); i++) {
            h = 31 * h + key.charAt(i);
        }
        return mix(h);
    }

    private static int hash(char[] chars, int from, int to) {
        int h = 0;
        for (int i = from; i < to; i++) {
            h = 31 * h + chars[i];
        }
        return mix(h);
    }

    private static int mix(int h) {
        h ^= h >>> 16;
        h *= 0x85EBCA6B;
        h ^= h >>> 13;
        return h;
    }
}
