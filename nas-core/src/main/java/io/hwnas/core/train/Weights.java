package io.hwnas.core.train;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.hwnas.core.djl.DjlNetworks;
import io.hwnas.core.djl.NetworkBlock;
import io.hwnas.core.io.AtomicFiles;
import io.hwnas.core.ir.Network;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Saves and loads the parameters of a {@link NetworkBlock} (a small header, then DJL's parameter format). */
public final class Weights {

    private static final String MAGIC = "hwnas-weights-1";

    private Weights() {
    }

    /** Writes the parameters atomically ({@link AtomicFiles}): a killed run leaves the old file or none, never a torn one. */
    public static void save(NetworkBlock block, Path file) {
        AtomicFiles.write(file, os -> {
            DataOutputStream out = new DataOutputStream(os);
            out.writeUTF(MAGIC);
            out.writeLong(block.network().params());
            out.writeInt(block.network().layers().size());
            block.saveParameters(out);
            out.flush();
        });
    }

    /**
     * A block for {@code network} with the parameters of {@code file}, in {@code manager} (float32).
     *
     * @throws IllegalArgumentException naming the file if it is missing, not a weights file, or
     *         for another network
     */
    public static NetworkBlock load(Network network, NDManager manager, Path file) {
        NetworkBlock block = DjlNetworks.initialized(network, manager, DataType.FLOAT32, 1);
        loadInto(block, manager, file);
        return block;
    }

    /**
     * Loads the parameters of {@code file} into an initialised {@code block}.
     *
     * @throws IllegalArgumentException as {@link #load} does
     */
    public static void loadInto(NetworkBlock block, NDManager manager, Path file) {
        Network network = block.network();
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            String magic = in.readUTF();
            if (!MAGIC.equals(magic)) {
                throw new IllegalArgumentException(file + ": not an hwnas weights file (header '" + magic
                        + "', expected '" + MAGIC + "')");
            }
            long params = in.readLong();
            int layers = in.readInt();
            if (params != network.params() || layers != network.layers().size()) {
                throw new IllegalArgumentException(file + ": weights of a network with " + params + " parameters and "
                        + layers + " layers, but this network has " + network.params() + " and "
                        + network.layers().size());
            }
            block.loadParameters(manager, in);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(file + ": no such file; expected an hwnas weights file");
        } catch (IOException | MalformedModelException | RuntimeException e) {
            if (e instanceof IllegalArgumentException iae) {
                throw iae;
            }
            throw new IllegalArgumentException(file + ": corrupt weights file (" + e.getMessage() + ")", e);
        }
    }
}
