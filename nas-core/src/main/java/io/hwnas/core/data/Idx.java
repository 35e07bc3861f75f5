package io.hwnas.core.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/** Reads unsigned-byte IDX files (the MNIST format), plain or gzipped. */
final class Idx {

    private Idx() {
    }

    /** The dimensions and bytes of an IDX file of unsigned bytes with {@code dims} dimensions. */
    record Content(int[] dims, byte[] data) {
    }

    static Content read(Path file, int dims, String expected) {
        try (InputStream raw = open(file); DataInputStream in = new DataInputStream(raw)) {
            int magic;
            try {
                magic = in.readInt();
            } catch (EOFException e) {
                throw corrupt(file, "the file is empty", expected);
            }
            int want = 0x0800 | dims;
            if (magic != want) {
                throw corrupt(file, String.format("magic number 0x%08x", magic),
                        expected + " (magic 0x" + String.format("%08x", want) + ")");
            }
            int[] d = new int[dims];
            long n = 1;
            for (int i = 0; i < dims; i++) {
                d[i] = in.readInt();
                if (d[i] <= 0) {
                    throw corrupt(file, "dimension " + i + " is " + d[i], expected);
                }
                n *= d[i];
            }
            if (n > Integer.MAX_VALUE - 8) {
                throw corrupt(file, "the dimensions hold " + n + " bytes", expected);
            }
            byte[] data = new byte[(int) n];
            try {
                in.readFully(data);
            } catch (EOFException e) {
                throw corrupt(file, "the file ends before the " + n + " data bytes its header announces", expected);
            }
            return new Content(d, data);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(file + ": no such file; expected " + expected);
        } catch (IOException e) {
            throw corrupt(file, "cannot read it (" + e.getMessage() + ")", expected);
        }
    }

    private static InputStream open(Path file) throws IOException {
        InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        in.mark(2);
        int b0 = in.read();
        int b1 = in.read();
        in.reset();
        return b0 == 0x1f && b1 == 0x8b ? new BufferedInputStream(new GZIPInputStream(in, 1 << 16), 1 << 16) : in;
    }

    static IllegalArgumentException corrupt(Path file, String found, String expected) {
        return new IllegalArgumentException(file + ": " + found + "; expected " + expected);
    }
}
