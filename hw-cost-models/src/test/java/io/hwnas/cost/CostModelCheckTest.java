package io.hwnas.cost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hwnas.cost.device.DeviceCatalog;
import io.hwnas.cost.device.DeviceProfile;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A cost model says before any work whether it can cost a space's networks on a device. */
class CostModelCheckTest {

    @Test
    void everyCatalogDeviceServesItsDefaultModel() {
        for (String name : DeviceCatalog.names()) {
            DeviceProfile d = DeviceCatalog.get(name);
            assertEquals(List.of(), CostModels.forDevice(d).check(d, "nb201", 1), name);
        }
        for (String name : List.of("raspi4", "pixel3")) { // each table column loads its file once: two suffice
            DeviceProfile d = DeviceCatalog.get(name);
            assertEquals(List.of(), CostModels.get("table").check(d, "nb201", 1), name);
            assertEquals(List.of(), CostModels.get("table").check(d, "fbnet", 1), name);
        }
    }

    @Test
    void aMissingTableOrLutAnotherKindAndABadSettingAreNamed() {
        DeviceProfile tx2 = DeviceCatalog.get("jetson-tx2");
        assertTrue(one(CostModels.get("lut").check(tx2, "nb201", 1)).contains("has no lookup table (setting lut)"));
        DeviceProfile akida = DeviceCatalog.get("akida");
        assertTrue(one(CostModels.get("table").check(akida, "nb201", 1))
                .contains("device 'akida' has no measurement table for space 'nb201'"));
        DeviceProfile pi = DeviceCatalog.get("raspi4");
        assertTrue(one(CostModels.get("npu").check(pi, "nb201", 1)).contains("cannot cost device 'raspi4' of kind cpu"));
        assertTrue(one(CostModels.get("neuromorphic").check(pi, "nb201", 1)).contains("of kind cpu"));
        assertTrue(one(CostModels.get("cpu").check(pi.withSetting("overlap", "both"), "nb201", 1))
                .contains("setting overlap = 'both'"));
        DeviceProfile tpu = DeviceCatalog.get("edge-tpu").withSetting("precision", "int3");
        assertTrue(one(CostModels.get("npu").check(tpu, "nb201", 1)).contains("setting precision = 'int3'"));
        DeviceProfile lut = tx2.withSetting("lut", "/no/such/lut.csv");
        assertTrue(one(CostModels.get("lut").check(lut, "nb201", 1)).contains("/no/such/lut.csv: cannot read the LUT"));
        assertEquals(List.of(), CostModels.get("measured").check(pi, "fbnet", 1));
    }

    private static String one(List<String> problems) {
        assertEquals(1, problems.size(), problems.toString());
        return problems.get(0);
    }
}
