package io.hwnas.core.supernet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * Named float32 arrays as bytes (a header, then each array's name, shape and big-endian floats), read back in
 * place into arrays of the same names and shapes: a checkpoint's parameters and momentum buffers keep the
 * arrays (and their gradients) of the supernet they are loaded into.
 */
final class ArrayStream {

    private static final String MAGIC = "hwnas-supernet-arrays-1";

    private ArrayStream() {
    }

    /** The arrays, named, as bytes. */
    static byte[] encode(List<String> names, List<NDArray> arrays) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeUTF(MAGIC);
            out.writeInt(arrays.size());
            for (int i = 0; i < arrays.size(); i++) {
                NDArray a = arrays.get(i);
                if (a.getDataType() != DataType.FLOAT32) {
                    throw new IllegalStateException(names.get(i) + " is " + a.getDataType() + ", not float32");
                }
                out.writeUTF(names.get(i));
                out.writeUTF(Arrays.toString(a.getShape().getShape()));
                float[] v = a.toFloatArray();
                ByteBuffer buf = ByteBuffer.allocate(v.length * Float.BYTES);
                buf.asFloatBuffer().put(v);
                out.writeInt(v.length);
                out.write(buf.array());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * Sets {@code arrays} from {@code bytes}, which must hold exactly these names and shapes in this order.
     *
     * @throws IllegalArgumentException naming {@code file} and the first array that differs
     */
    static void decode(Path file, byte[] bytes, List<String> names, List<NDArray> arrays) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            String magic = in.readUTF();
            int count = in.readInt();
            if (!MAGIC.equals(magic) || count != arrays.size()) {
                throw new IllegalArgumentException(file + ": holds " + count + " arrays in format '" + magic
                        + "', but the supernet needs " + arrays.size() + " in format '" + MAGIC + "'");
            }
            for (int i = 0; i < count; i++) {
                String name = in.readUTF();
                String shape = in.readUTF();
                Shape want = arrays.get(i).getShape();
                if (!name.equals(names.get(i)) || !shape.equals(Arrays.toString(want.getShape()))) {
                    throw new IllegalArgumentException(file + ": array " + i + " is " + name + " " + shape
                            + ", but the supernet has " + names.get(i) + " " + Arrays.toString(want.getShape()));
                }
                arrays.get(i).set(FloatBuffer.wrap(floats(in)));
            }
            if (in.read() != -1) {
                throw new IllegalArgumentException(file + ": trailing bytes after " + count + " arrays");
            }
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": truncated or corrupt (" + e + ")", e);
        }
    }

    /**
     * Sets those of {@code arrays} whose names {@code bytes} also holds, by name, whatever the order; the others
     * keep their values.
     *
     * @return the names of the arrays set
     * @throws IllegalArgumentException naming {@code file} and an array held under a name of {@code names} with
     *         another shape
     */
    static List<String> decodeByName(Path file, byte[] bytes, List<String> names, List<NDArray> arrays) {
        java.util.Map<String, Integer> index = new java.util.HashMap<>();
        for (int i = 0; i < names.size(); i++) {
            index.put(names.get(i), i);
        }
        List<String> set = new java.util.ArrayList<>();
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            String magic = in.readUTF();
            if (!MAGIC.equals(magic)) {
                throw new IllegalArgumentException(file + ": arrays in format '" + magic + "', expected '" + MAGIC
                        + "'");
            }
            int count = in.readInt();
            for (int i = 0; i < count; i++) {
                String name = in.readUTF();
                String shape = in.readUTF();
                float[] v = floats(in); // read whether or not it is kept
                Integer at = index.get(name);
                if (at == null) {
                    continue;
                }
                String want = Arrays.toString(arrays.get(at).getShape().getShape());
                if (!shape.equals(want)) {
                    throw new IllegalArgumentException(file + ": " + name + " is " + shape + ", but the supernet's "
                            + "is " + want);
                }
                arrays.get(at).set(FloatBuffer.wrap(v));
                set.add(name);
            }
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": truncated or corrupt (" + e + ")", e);
        }
        return set;
    }

    /** One array's values: their count, then the big-endian floats. */
    private static float[] floats(DataInputStream in) throws IOException {
        float[] v = new float[in.readInt()];
        byte[] raw = new byte[v.length * Float.BYTES];
        in.readFully(raw);
        ByteBuffer.wrap(raw).asFloatBuffer().get(v);
        return v;
    }

    /** The lower-case hex SHA-256 of {@code bytes}. */
    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }
}
