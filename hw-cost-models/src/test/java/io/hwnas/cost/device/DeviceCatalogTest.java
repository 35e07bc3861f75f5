package io.hwnas.cost.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hwnas.cost.CostModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeviceCatalogTest {

    static final List<String> REQUIRED = List.of("raspi4", "pixel2", "pixel3", "samsung-a50", "samsung-s7",
            "essential-ph1", "xeon-gold-6226", "xeon-gold-6240", "xeon-silver-4114", "xeon-silver-4210r", "gtx-1080ti",
            "rtx-2080ti", "titan-rtx", "titan-x", "titan-xp", "jetson-nano", "jetson-tx2", "h100", "h200", "edge-tpu",
            "eyeriss", "fpga", "npu-int8", "loihi2", "truenorth", "akida");

    @Test
    void everyRequiredDeviceLoadsWithSourcesAndAModel() {
        assertTrue(DeviceCatalog.names().containsAll(REQUIRED), DeviceCatalog.names().toString());
        for (String name : DeviceCatalog.names()) {
            DeviceProfile d = DeviceCatalog.get(name);
            assertEquals(name, d.name());
            assertTrue(CostModels.registry().contains(d.defaultModel()), name);
            assertEquals(d.kind().id(), d.defaultModel(), name + " defaults to the model of its kind");
            d.numbers().forEach((k, q) -> assertFalse(q.source().isBlank(), name + "." + k));
        }
        assertEquals(DeviceKind.NEUROMORPHIC, DeviceCatalog.get("loihi2").kind());
    }

    @Test
    void unknownDeviceNamesTheKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DeviceCatalog.get("pixel9"));
        assertTrue(e.getMessage().contains("unknown device 'pixel9'") && e.getMessage().contains("raspi4"));
    }

    @Test
    void aUserProfileLoadsAndBadFieldsAreNamed(@TempDir Path dir) throws IOException {
        String good = new String(DeviceCatalog.class.getResourceAsStream("/devices/raspi4.json").readAllBytes());
        Path ok = dir.resolve("mine.json");
        Files.writeString(ok, good.replace("\"name\": \"raspi4\"", "\"name\": \"mine\""));
        assertEquals("mine", DeviceCatalog.get(ok.toString()).name());

        Path missing = dir.resolve("missing.json");
        Files.writeString(missing, good.replaceFirst("\"peak_gflops\"", "\"peak_gflopz\""));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DeviceCatalog.get(missing.toString()));
        assertTrue(e.getMessage().contains("missing.json") && e.getMessage().contains("numbers.peak_gflops is missing"),
                e.getMessage());

        Path negative = dir.resolve("negative.json");
        Files.writeString(negative, good.replaceFirst("\"value\": 5.5", "\"value\": -5.5"));
        e = assertThrows(IllegalArgumentException.class, () -> DeviceCatalog.get(negative.toString()));
        assertTrue(e.getMessage().contains("negative.json") && e.getMessage().contains("numbers.bandwidth_gbs"),
                e.getMessage());

        Path nosource = dir.resolve("nosource.json");
        Files.writeString(nosource, good.replaceFirst("\"source\" : \"[^\"]*\"|\"source\": \"[^\"]*\"", "\"source\": \"\""));
        e = assertThrows(IllegalArgumentException.class, () -> DeviceCatalog.get(nosource.toString()));
        assertTrue(e.getMessage().contains("source is missing"), e.getMessage());

        assertThrows(IllegalArgumentException.class, () -> DeviceCatalog.get(dir.resolve("none.json").toString()));
    }

    @Test
    void aDuplicateKeyOrTrailingContentInAProfileOrCalibrationIsNamedWithItsLine(@TempDir Path dir)
            throws IOException {
        String good = new String(DeviceCatalog.class.getResourceAsStream("/devices/raspi4.json").readAllBytes());
        Path twice = dir.resolve("twice.json");
        Files.writeString(twice, good.replaceFirst("\"kind\": \"cpu\",", "\"kind\": \"cpu\",\n  \"kind\": \"gpu\","));
        String dup = assertThrows(IllegalArgumentException.class, () -> DeviceCatalog.read(twice)).getMessage();
        assertTrue(dup.startsWith(twice + ": not a valid device profile at line 4: duplicate key 'kind'"), dup);
        Path trailing = dir.resolve("trailing.json");
        Files.writeString(trailing, good + "{\"name\": \"other\"}\n");
        String more = assertThrows(IllegalArgumentException.class, () -> DeviceCatalog.read(trailing)).getMessage();
        assertTrue(more.contains(trailing + ": not a valid device profile at line ")
                && more.endsWith("content after the device profile's JSON object is not allowed"), more);
        Path calibration = dir.resolve("cal.json");
        Files.writeString(calibration, "{\"device\": \"raspi4\", \"model\": \"cpu\", \"numbers\": {}}\n garbage");
        String cal = assertThrows(IllegalArgumentException.class, () -> Calibration.load(calibration)).getMessage();
        assertTrue(cal.startsWith(calibration + ": not a valid calibration file at line 2"), cal);
    }
}
