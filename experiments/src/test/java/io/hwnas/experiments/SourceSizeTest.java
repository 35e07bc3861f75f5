package io.hwnas.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** No source file of any module over 400 lines, and no method or constructor over 60, tests included. */
class SourceSizeTest {

    static final int MAX_FILE_LINES = 400;
    static final int MAX_METHOD_LINES = 60;
    private static final List<String> MODULES = List.of("nas-core", "hw-cost-models", "search-strategies", "experiments");
    private static final Pattern TYPE = Pattern.compile("\\b(class|interface|enum|record)\\b");

    @Test
    void filesAndMethodsStaySmall() throws IOException {
        List<Path> sources = sources();
        assertTrue(sources.size() > 100, "found only " + sources.size() + " sources: run from a module folder");
        List<String> tooLong = new ArrayList<>();
        for (Path f : sources) {
            List<String> lines = Files.readAllLines(f);
            if (lines.size() > MAX_FILE_LINES) {
                tooLong.add(f + ": " + lines.size() + " lines (at most " + MAX_FILE_LINES + ")");
            }
            for (int[] m : methods(strip(String.join("\n", lines)))) {
                if (m[1] - m[0] + 1 > MAX_METHOD_LINES) {
                    tooLong.add(f + ":" + m[0] + ": a method of " + (m[1] - m[0] + 1) + " lines (at most "
                            + MAX_METHOD_LINES + ")");
                }
            }
        }
        assertEquals(List.of(), tooLong);
    }

    @Test
    void theScannerMeasuresMethods() {
        String src = "class A {\n  void f() {\n    if (x) {\n    }\n  }\n  record R(int a) {\n    R {\n    }\n  }\n"
                + "  Runnable r = () -> {\n  };\n  int g(String s) { return s.length(); }\n}\n";
        List<int[]> m = methods(strip(src));
        assertEquals(3, m.size());
        assertEquals(List.of(2, 5), List.of(m.get(0)[0], m.get(0)[1]));
        assertEquals(List.of(7, 8), List.of(m.get(1)[0], m.get(1)[1]));
        assertEquals(List.of(12, 12), List.of(m.get(2)[0], m.get(2)[1]));
    }

    private static List<Path> sources() throws IOException {
        Path root = Path.of("").toAbsolutePath().getParent();
        List<Path> out = new ArrayList<>();
        for (String module : MODULES) {
            Path src = root.resolve(module).resolve("src");
            if (Files.isDirectory(src)) {
                try (Stream<Path> s = Files.walk(src)) {
                    s.filter(p -> p.toString().endsWith(".java")).sorted().forEach(out::add);
                }
            }
        }
        return out;
    }

    /** The source with comments, strings and character literals blanked out (line breaks kept). */
    static String strip(String src) {
        StringBuilder out = new StringBuilder(src.length());
        int i = 0;
        while (i < src.length()) {
            int end;
            if (src.startsWith("//", i)) {
                end = src.indexOf('\n', i);
                end = end < 0 ? src.length() : end;
            } else if (src.startsWith("/*", i)) {
                end = src.indexOf("*/", i + 2) + 2;
            } else if (src.startsWith("\"\"\"", i)) {
                end = src.indexOf("\"\"\"", i + 3) + 3;
            } else if (src.charAt(i) == '"' || src.charAt(i) == '\'') {
                end = i + 1;
                while (src.charAt(end) != src.charAt(i)) {
                    end += src.charAt(end) == '\\' ? 2 : 1;
                }
                end++;
            } else {
                out.append(src.charAt(i++));
                continue;
            }
            for (int k = i; k < end; k++) {
                out.append(src.charAt(k) == '\n' ? '\n' : ' ');
            }
            i = end;
        }
        return out.toString();
    }

    /** The first and last line of every method, constructor and initializer body declared in a type. */
    static List<int[]> methods(String s) {
        List<int[]> out = new ArrayList<>();
        Deque<int[]> open = new ArrayDeque<>(); // {kind: 0 type, 1 method, 2 other; first line}
        int last = 0;
        int line = 1;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\n') {
                line++;
            } else if (c == '{') {
                String header = s.substring(last, i);
                int first = line - (int) header.stripLeading().chars().filter(ch -> ch == '\n').count();
                String flat = header.replaceAll("\\([^()]*\\)", "()").replaceAll("\\([^()]*\\)", "()");
                boolean type = TYPE.matcher(flat.split("\\(", 2)[0]).find();
                boolean inType = !open.isEmpty() && open.peek()[0] == 0;
                // a body declared in a type that is no type and no field's value: a method, a constructor
                // (compact ones too) or an initializer
                boolean method = !type && inType && !header.split("\\(", 2)[0].contains("=");
                open.push(new int[] {type ? 0 : method ? 1 : 2, first});
                last = i + 1;
            } else if (c == '}') {
                int[] b = open.pop();
                if (b[0] == 1) {
                    out.add(new int[] {b[1], line});
                }
                last = i + 1;
            } else if (c == ';') {
                last = i + 1;
            }
        }
        out.sort((a, b) -> Integer.compare(a[0], b[0]));
        return out;
    }
}
