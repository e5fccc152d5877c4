package io.sonde.agent.enrich;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * LruCache is a map of at most {@code capacity} entries that drops the least recently used one to
 * make room. Every method holds the cache's lock for the map operation only: callers do their I/O
 * outside it.
 */
final class LruCache<K, V> {
    private final int capacity;
    private final LinkedHashMap<K, V> map;

    LruCache(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, not " + capacity);
        }
        this.capacity = capacity;
        this.map = new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
                return size() > LruCache.this.capacity;
            }
        };
    }

    int capacity() {
        return capacity;
    }

    synchronized V get(K key) {
        return map.get(key);
    }

    synchronized void put(K key, V value) {
        map.put(key, value);
    }

    synchronized V remove(K key) {
        return map.remove(key);
    }

    /** Removes the entry of key only while it still maps to value (another thread may have replaced it). */
    synchronized boolean remove(K key, V value) {
        return map.remove(key, value);
    }

    synchronized int size() {
        return map.size();
    }

    synchronized void clear() {
        map.clear();
    }

    /** A copy of the entries, least recently used first, taken without touching their order. */
    synchronized List<Map.Entry<K, V>> entries() {
        List<Map.Entry<K, V>> copy = new ArrayList<>(map.size());
        for (Map.Entry<K, V> e : map.entrySet()) {
            copy.add(Map.entry(e.getKey(), e.getValue()));
        }
        return copy;
    }
}
