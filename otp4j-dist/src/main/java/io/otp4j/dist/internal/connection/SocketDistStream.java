package io.otp4j.dist.internal.connection;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.Objects;

/** {@link DistStream} over a connected TCP socket. */
final class SocketDistStream implements DistStream {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private int timeout = -1;

    SocketDistStream(Socket socket) throws IOException {
        this.socket = Objects.requireNonNull(socket, "socket");
        socket.setTcpNoDelay(true);
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
        return in.read(buf, off, len);
    }

    @Override
    public void write(byte[] buf, int off, int len) throws IOException {
        out.write(buf, off, len);
    }

    @Override
    public void setReadTimeout(int millis) throws IOException {
        if (millis != timeout) {
            socket.setSoTimeout(millis);
            timeout = millis;
        }
    }

    @Override
    public String remote() {
        return String.valueOf(socket.getRemoteSocketAddress());
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    @Override
    public String toString() {
        return "DistStream[" + remote() + "]";
    }
}
