package io.hwnas.experiments.config;

import java.util.ArrayList;
import java.util.List;

/** Collects config problems so that all of them are reported at once. */
public final class Problems {

    private final String file;
    private final List<String> list = new ArrayList<>();

    public Problems(String file) {
        this.file = file;
    }

    public String file() {
        return file;
    }

    /** {@code file: path = value is not allowed; expected allowed}. */
    public void notAllowed(String path, Object value, String allowed) {
        list.add(file + ": " + path + " = " + show(value) + " is not allowed; expected " + allowed);
    }

    public void missing(String path, String expected) {
        list.add(file + ": " + path + " is missing; expected " + expected);
    }

    public void unknownField(String path, List<String> allowed) {
        list.add(file + ": " + path + " is not a known field; expected one of " + allowed);
    }

    /** {@code file: path is not a known field; expected expected} (where the allowed fields are not a list). */
    public void unknownField(String path, String expected) {
        list.add(file + ": " + path + " is not a known field; expected " + expected);
    }

    /** A problem about the file as a whole (not one field). */
    public void whole(String message) {
        list.add(file + ": " + message);
    }

    /** A free-form problem about a field. */
    public void at(String path, String message) {
        list.add(file + ": " + path + ": " + message);
    }

    /** Problems already phrased with the file name (those of a {@link ConfigException} from a sub-parser). */
    public void addAll(List<String> problems) {
        list.addAll(problems);
    }

    public boolean isEmpty() {
        return list.isEmpty();
    }

    public List<String> all() {
        return List.copyOf(list);
    }

    /** Throws a {@link ConfigException} if any problem was found. */
    public void throwIfAny() {
        if (!list.isEmpty()) {
            throw new ConfigException(list);
        }
    }

    static String show(Object value) {
        return value instanceof String s ? "\"" + s + "\"" : String.valueOf(value);
    }
}
