package io.hwnas.experiments.agent;

import io.hwnas.cost.host.Rapl;
import java.nio.file.Path;

/**
 * A device's energy counter: Linux powercap RAPL package counters on x86, the INA3221 power monitors
 * of Jetson boards (hwmon), or none, with the reason.
 */
public interface EnergyMeter {

    /** Where Linux exposes hwmon sensors. */
    Path HWMON = Path.of("/sys/class/hwmon");

    /** Joules drawn while {@code work} ran (the whole package or board, other processes included). */
    double joules(Runnable work);

    /** How the energy is measured, e.g. "RAPL energy_uj of 1 package(s)". */
    String describe();

    /**
     * A meter, or why there is none.
     *
     * @param meter  the meter or null
     * @param reason why there is none, or null
     */
    record Opened(EnergyMeter meter, String reason) {
    }

    /** The first counter found: RAPL under {@code powercap}, else an INA3221 under {@code hwmon}. */
    static Opened open(Path powercap, Path hwmon) {
        Rapl.Opened rapl = Rapl.open(powercap);
        if (rapl.rapl() != null) {
            Rapl r = rapl.rapl();
            return new Opened(new EnergyMeter() {
                @Override
                public double joules(Runnable work) {
                    Rapl.Reading reading = r.power(() -> {
                        work.run();
                        return null;
                    });
                    return reading.watts() * reading.seconds();
                }

                @Override
                public String describe() {
                    return "RAPL energy_uj of " + r.counters().size() + " package(s)";
                }
            }, null);
        }
        InaMeter.Found ina = InaMeter.find(hwmon);
        if (ina.meter() != null) {
            return new Opened(ina.meter(), null);
        }
        return new Opened(null, "not measured: " + rapl.reason() + "; " + ina.reason());
    }

    /** No meter (tests, and devices without counters). */
    static Opened none(String reason) {
        return new Opened(null, "not measured: " + reason);
    }
}
