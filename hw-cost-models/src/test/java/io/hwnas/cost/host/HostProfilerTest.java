package io.hwnas.cost.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hwnas.cost.device.DeviceCatalog;
import io.hwnas.cost.device.DeviceProfile;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code profile-host} writes what it measured, and marks what it could not measure. */
class HostProfilerTest {

    @Test
    void aHostWithoutRaplGetsPowerMarkedNotMeasuredAndBandwidthOverItsThreads(@TempDir Path dir) throws Exception {
        HostProfiler.HostNumbers h = HostProfiler.measure(2, dir.resolve("no-powercap"));
        assertNull(h.power());
        assertTrue(h.powerNote().startsWith("not measured: ") && h.powerNote().contains("no-powercap"), h.powerNote());
        assertEquals(2, h.threads());
        assertEquals(2, h.bandwidth().threads());
        assertTrue(h.bandwidth().arrayBytes() >= MemoryBandwidth.MIN_ARRAY_BYTES);
        assertTrue(h.bandwidth().triadGbs() > 0 && h.bandwidth().copyGbs() > 0, h.bandwidth().toString());

        ObjectNode p = HostProfiler.profile(h, null);
        JsonNode power = p.get("numbers").get("power_w");
        assertTrue(power.get("value").isNull(), power.toString());
        assertFalse(power.get("measured").asBoolean());
        assertTrue(power.get("source").asText().contains("no-powercap"), power.toString());
        assertTrue(p.get("numbers").get("static_power_w").get("value").isNull());
        JsonNode bw = p.get("numbers").get("bandwidth_gbs");
        assertTrue(bw.get("measured").asBoolean());
        assertTrue(bw.get("source").asText().contains("over 2 threads, 3 arrays of"), bw.toString());
        assertEquals("2", p.get("settings").get("measured_threads").asText());
        // every number says whether it was measured; the assumed ones say so in their source
        p.get("numbers").fields().forEachRemaining(e -> {
            assertTrue(e.getValue().get("measured").isBoolean(), e.getKey());
            if (!e.getValue().get("measured").asBoolean()) {
                assertTrue(e.getValue().get("source").asText().startsWith("not measured"), e.toString());
            }
        });

        Path file = dir.resolve("host.json");
        HostProfiler.writeProfile(p, file);
        DeviceProfile d = DeviceCatalog.get(file.toString());
        assertTrue(d.isUnmeasured("power_w"));
        assertFalse(d.numbers().containsKey("power_w"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> d.number("power_w"));
        assertTrue(e.getMessage().contains("numbers.power_w was not measured"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> d.number("power_w", 65), "no silent default");
        assertEquals(bw.get("value").asDouble(), d.number("bandwidth_gbs"));
    }

    @Test
    void raplCountersGivePowerAndTheirWrapIsHandled(@TempDir Path dir) throws Exception {
        Path zone = Files.createDirectories(dir.resolve("intel-rapl:0"));
        Files.createDirectories(dir.resolve("intel-rapl:0:0")); // a sub-zone: part of its package, not counted
        Path energy = zone.resolve("energy_uj");
        Files.writeString(energy, "1000000\n");
        Files.writeString(zone.resolve("max_energy_range_uj"), "262143328850\n");
        Rapl.Opened o = Rapl.open(dir);
        assertNull(o.reason());
        assertEquals(1, o.rapl().counters().size());
        Rapl.Reading r = o.rapl().power(() -> {
            try {
                Thread.sleep(200);
                Files.writeString(energy, "3000000\n"); // 2 J
            } catch (Exception x) {
                throw new IllegalStateException(x);
            }
            return null;
        });
        assertEquals(2.0 / r.seconds(), r.watts(), 1e-9);
        assertTrue(r.seconds() >= 0.2);
        assertEquals(5, Rapl.delta(262143328845L, 0, 262143328850L));
        assertEquals(7, Rapl.delta(3, 10, 0));
        assertThrows(IllegalStateException.class, () -> Rapl.delta(10, 3, 0));

        Path unreadable = Files.createDirectories(dir.resolve("other").resolve("intel-rapl:0"));
        Files.writeString(unreadable.resolve("energy_uj"), "not a number");
        Rapl.Opened none = Rapl.open(dir.resolve("other"));
        assertNull(none.rapl());
        assertTrue(none.reason().contains("energy_uj is not readable"), none.reason());
    }

    @Test
    void bandwidthRunsOnTheGivenThreadsAndReadsTheCacheSize(@TempDir Path dir) throws Exception {
        MemoryBandwidth.Result r = MemoryBandwidth.measure(3, 2, 3L << 20, "test");
        assertEquals(3, r.threads());
        assertTrue(r.triadGbs() > 0 && r.copyGbs() > 0);
        assertTrue(r.describe("triad").contains("triad over 3 threads, 3 arrays of 3 MiB each (test), median of 2"),
                r.describe("triad"));
        Files.createDirectories(dir.resolve("index0"));
        Files.writeString(dir.resolve("index0").resolve("size"), "32K\n");
        Files.createDirectories(dir.resolve("index3"));
        Files.writeString(dir.resolve("index3").resolve("size"), "32768K\n");
        assertEquals(32L << 20, MemoryBandwidth.lastLevelCacheBytes(dir));
        assertEquals(0, MemoryBandwidth.lastLevelCacheBytes(dir.resolve("absent")));
        // 4x the cache, at least 64 MiB, at most a sixth of the heap (a VM reporting 480 MiB of L3, heap 3 GiB)
        assertEquals(128L << 20, MemoryBandwidth.arrayBytes(32L << 20, 3L << 30));
        assertEquals(MemoryBandwidth.MIN_ARRAY_BYTES, MemoryBandwidth.arrayBytes(0, 3L << 30));
        assertEquals(512L << 20, MemoryBandwidth.arrayBytes(480L << 20, 3L << 30));
        assertEquals(42L << 20, MemoryBandwidth.arrayBytes(480L << 20, 256L << 20));
        assertThrows(IllegalArgumentException.class, () -> MemoryBandwidth.measure(0, 1, 1 << 20, "x"));
        assertNotNull(MemoryBandwidth.measure(1, 1, 1 << 20, "x"));
    }

    @Test
    void aNullValueNeedsMeasuredFalseAndAReason() {
        var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        var bw = new MemoryBandwidth.Result(5, 6, 1, 64L << 20, 7, "test");
        ObjectNode p = HostProfiler.profile(new HostProfiler.HostNumbers(10, bw, 2, 1, 2, "h", null,
                "not measured: no counter"), null);
        ((ObjectNode) p.get("numbers").get("power_w")).put("measured", true);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DeviceCatalog.parse(p, "h.json"));
        assertTrue(e.getMessage().contains("h.json: field numbers.power_w.value is null"), e.getMessage());
        ((ObjectNode) p.get("numbers").get("power_w")).put("measured", "no");
        e = assertThrows(IllegalArgumentException.class, () -> DeviceCatalog.parse(p, "h.json"));
        assertTrue(e.getMessage().contains("numbers.power_w.measured must be true or false"), e.getMessage());
        ObjectNode q = mapper.createObjectNode();
        q.put("measured", false);
        q.putNull("value");
        q.put("source", "no counter");
        p.with("numbers").set("power_w", q);
        assertTrue(DeviceCatalog.parse(p, "h.json").isUnmeasured("power_w"));
    }
}
