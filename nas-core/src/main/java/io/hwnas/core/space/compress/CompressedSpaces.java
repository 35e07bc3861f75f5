package io.hwnas.core.space.compress;

import io.hwnas.core.space.SearchSpace;
import io.hwnas.core.space.SearchSpaces;
import java.util.LinkedHashMap;
import java.util.Map;

/** Search spaces by name whose options may hold a {@code compression} section. */
public final class CompressedSpaces {

    private CompressedSpaces() {
    }

    /**
     * The space called {@code name} with options set; an option {@code compression} wraps it in a
     * {@link CompressedSpace}.
     *
     * @throws IllegalArgumentException naming a bad option or compression field
     */
    public static SearchSpace get(String name, Map<String, ?> options) {
        if (options == null || !options.containsKey(CompressedSpace.OPTION)) {
            return SearchSpaces.get(name, options);
        }
        Map<String, Object> rest = new LinkedHashMap<>(options);
        Object section = rest.remove(CompressedSpace.OPTION);
        return new CompressedSpace(SearchSpaces.get(name, rest), CompressionOptions.parse(section));
    }

    /**
     * The space to read {@code text} in: {@code space} itself, or, when the text has a compression
     * suffix and the space has no compression section, {@code space} with every compression choice.
     */
    public static SearchSpace forText(SearchSpace space, String text) {
        if (space instanceof CompressedSpace || !text.contains("#q=")) {
            return space;
        }
        return new CompressedSpace(space, CompressionOptions.permissive());
    }
}
