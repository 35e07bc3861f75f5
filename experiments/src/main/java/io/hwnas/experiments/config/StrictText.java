package io.hwnas.experiments.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The checks a config's text passes before its fields are read: UTF-8, one document, each key once
 * per section, no YAML aliases (Jackson reads an alias as its anchor's name), at most
 * {@value #MAX_DEPTH} levels of nesting.
 */
final class StrictText {

    /** The deepest nesting of sections and lists a config may have. */
    static final int MAX_DEPTH = 100;

    private StrictText() {
    }

    /**
     * The bytes as UTF-8 text.
     *
     * @throws ConfigException naming the first byte that is not UTF-8
     */
    static String utf8(String file, byte[] bytes) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult r = decoder.decode(in, out, true);
        if (!r.isError()) {
            r = decoder.flush(out);
        }
        if (r.isError()) {
            throw new ConfigException(List.of(file + ": not UTF-8 text at byte " + in.position()
                    + " (counting from 0); expected a file saved as UTF-8"));
        }
        return out.flip().toString();
    }

    /**
     * Adds to {@code p} every duplicate key, every YAML alias and a second document of {@code text}.
     *
     * @throws ConfigException when the text nests deeper than {@value #MAX_DEPTH} levels
     * @throws IOException     when the text is not valid YAML or JSON (a Jackson parse error)
     */
    static void check(ObjectMapper mapper, String text, Problems p) throws IOException {
        try (JsonParser in = mapper.getFactory().createParser(text)) {
            Deque<Level> levels = new ArrayDeque<>();
            boolean seenRoot = false;
            for (JsonToken t = in.nextToken(); t != null; t = in.nextToken()) {
                if (levels.isEmpty() && t != JsonToken.END_OBJECT && t != JsonToken.END_ARRAY) {
                    if (seenRoot) {
                        p.whole("a second document at line " + line(in) + " is not allowed; expected "
                                + (in instanceof YAMLParser ? "one YAML document (nothing after a '---' that "
                                        + "follows the config)" : "nothing after the config's closing '}'"));
                        return;
                    }
                    seenRoot = true;
                }
                step(t, in, levels, p);
            }
        }
    }

    private static void step(JsonToken t, JsonParser in, Deque<Level> levels, Problems p) throws IOException {
        switch (t) {
            case FIELD_NAME -> levels.peek().key(in, p);
            case END_OBJECT, END_ARRAY -> levels.pop();
            case START_OBJECT, START_ARRAY -> {
                String path = valuePath(levels);
                levels.push(new Level(path));
                if (levels.size() > MAX_DEPTH) {
                    throw new ConfigException(List.of(p.file() + ": " + path + ": nested deeper than " + MAX_DEPTH
                            + " levels at line " + line(in) + "; expected at most " + MAX_DEPTH));
                }
            }
            default -> {
                String path = valuePath(levels);
                if (in instanceof YAMLParser y && y.isCurrentAlias()) {
                    p.at(path, "*" + in.getText() + " at line " + line(in) + " is a YAML alias; expected the value "
                            + "written out (aliases are not supported)");
                }
            }
        }
    }

    /** The field path of the value that starts now, counting it in its list. */
    private static String valuePath(Deque<Level> levels) {
        Level parent = levels.peek();
        return parent == null ? "" : parent.next();
    }

    private static int line(JsonParser in) {
        return in.currentTokenLocation().getLineNr();
    }

    /** One open section or list: its path, the keys seen (with their lines) and the next list index. */
    private static final class Level {
        private final String path;
        private final Map<String, Integer> keys = new HashMap<>();
        private String field;
        private int index;

        Level(String path) {
            this.path = path;
        }

        void key(JsonParser in, Problems p) throws IOException {
            field = in.currentName();
            Integer first = keys.putIfAbsent(field, line(in));
            if (first != null) {
                p.at(child(field), "duplicate key at line " + line(in) + " (first at line " + first
                        + "); expected each key once per section");
            }
        }

        /** The path of the value that starts now: the current field's, or the next list item's. */
        String next() {
            return field != null ? child(field) : path + "[" + index++ + "]";
        }

        private String child(String name) {
            return path.isEmpty() ? name : path + "." + name;
        }
    }
}
