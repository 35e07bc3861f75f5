package io.hwnas.cost;

import io.hwnas.core.ir.Network;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * A bounded cache of values derived from network instances (by identity, not by the deep equality
 * of records), so that repeated estimates of one network skip its compilation.
 *
 * @param <T> the derived value
 */
public final class NetworkCache<T> {

    private final int limit;
    private final Map<Key, T> map = new ConcurrentHashMap<>();

    public NetworkCache(int limit) {
        this.limit = limit;
    }

    private record Key(Network network, int variant) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.network == network && k.variant == variant;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(network) * 31 + variant;
        }
    }

    /** The cached value for a network and a variant number, computed on a miss. */
    public T get(Network network, int variant, Function<Network, T> compute) {
        Key k = new Key(network, variant);
        T v = map.get(k);
        if (v == null) {
            if (map.size() >= limit) {
                map.clear(); // a search moves on; old networks are rarely asked again
            }
            v = compute.apply(network);
            map.put(k, v);
        }
        return v;
    }
}
