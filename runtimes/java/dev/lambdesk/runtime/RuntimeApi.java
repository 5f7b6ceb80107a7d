package dev.lambdesk.runtime;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The Lambda Runtime API's client: {@code GET /2018-06-01/runtime/invocation/next}, then
 * {@code POST .../invocation/{id}/response} or {@code .../error}, and
 * {@code POST /2018-06-01/runtime/init/error} when Init fails.
 *
 * <p>HTTP/1.1 over one kept-alive socket, written here rather than with
 * {@code java.net.http.HttpClient}: that client starts a selector thread and an executor on
 * first use (tens of milliseconds of a cold start) and adds a thread hop to each call; a
 * blocking socket answers a warm round trip in tens of microseconds.
 */
final class RuntimeApi {
    static final String ERROR_TYPE_HEADER = "Lambda-Runtime-Function-Error-Type";
    private static final String VERSION = "/2018-06-01";

    private final String host;
    private final int port;
    private Socket socket;
    private InputStream in;
    private OutputStream out;

    /** One answer: status, headers (lower-case names) and body. */
    static final class Answer {
        final int status;
        final Map<String, String> headers;
        final byte[] body;

        Answer(int status, Map<String, String> headers, byte[] body) {
            this.status = status;
            this.headers = headers;
            this.body = body;
        }

        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    /** {@code address} is {@code AWS_LAMBDA_RUNTIME_API}: {@code host:port}. */
    RuntimeApi(String address) {
        int colon = address.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("AWS_LAMBDA_RUNTIME_API is not host:port: " + address);
        }
        this.host = address.substring(0, colon);
        this.port = Integer.parseInt(address.substring(colon + 1));
    }

    /** Waits for the next event (as long as it takes: Lambda freezes the environment meanwhile). */
    Answer next() throws IOException {
        return exchange("GET", VERSION + "/runtime/invocation/next", null, null, null);
    }

    void respond(String requestId, byte[] response) throws IOException {
        expectAccepted(exchange("POST", VERSION + "/runtime/invocation/" + requestId + "/response",
                null, null, response));
    }

    void reportError(String requestId, String errorType, byte[] errorJson) throws IOException {
        expectAccepted(exchange("POST", VERSION + "/runtime/invocation/" + requestId + "/error",
                ERROR_TYPE_HEADER, errorType, errorJson));
    }

    void reportInitError(String errorType, byte[] errorJson) throws IOException {
        expectAccepted(exchange("POST", VERSION + "/runtime/init/error", ERROR_TYPE_HEADER, errorType, errorJson));
    }

    private static void expectAccepted(Answer answer) throws IOException {
        // 413 (response too large) is the Runtime API's answer about this invocation; it
        // reports the error to the caller itself, so the loop goes on.
        if (answer.status >= 500) {
            throw new IOException("the Runtime API answered " + answer.status + ": "
                    + new String(answer.body, StandardCharsets.UTF_8));
        }
    }

    /** One request; a socket the server closed meanwhile is reopened once. */
    private Answer exchange(String method, String path, String headerName, String headerValue, byte[] body)
            throws IOException {
        for (int attempt = 0; ; attempt++) {
            boolean fresh = socket == null;
            if (fresh) {
                connect();
            }
            try {
                send(method, path, headerName, headerValue, body);
                Answer answer = read();
                if ("close".equalsIgnoreCase(answer.header("connection"))) {
                    close();
                }
                return answer;
            } catch (IOException e) {
                close();
                if (fresh || attempt > 0) {
                    throw e;
                }
            }
        }
    }

    private void connect() throws IOException {
        Socket opened = new Socket();
        opened.setTcpNoDelay(true);
        opened.connect(new InetSocketAddress(host, port));
        socket = opened;
        in = new BufferedInputStream(opened.getInputStream(), 64 * 1024);
        out = opened.getOutputStream();
    }

    private void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // Closing a broken socket: nothing more to learn from it.
            }
        }
        socket = null;
    }

    private void send(String method, String path, String headerName, String headerValue, byte[] body)
            throws IOException {
        StringBuilder head = new StringBuilder(160);
        head.append(method).append(' ').append(path).append(" HTTP/1.1\r\nHost: ")
                .append(host).append(':').append(port).append("\r\n");
        if (headerName != null) {
            head.append(headerName).append(": ").append(headerValue).append("\r\n");
        }
        if (body != null) {
            head.append("Content-Type: application/json\r\nContent-Length: ").append(body.length).append("\r\n");
        }
        head.append("\r\n");
        byte[] headBytes = head.toString().getBytes(StandardCharsets.UTF_8);
        if (body == null || body.length < 16 * 1024) {
            // One write, one packet for the usual small answer.
            byte[] all = new byte[headBytes.length + (body == null ? 0 : body.length)];
            System.arraycopy(headBytes, 0, all, 0, headBytes.length);
            if (body != null) {
                System.arraycopy(body, 0, all, headBytes.length, body.length);
            }
            out.write(all);
        } else {
            out.write(headBytes);
            out.write(body);
        }
        out.flush();
    }

    private Answer read() throws IOException {
        String statusLine = readLine();
        if (statusLine == null) {
            throw new IOException("the Runtime API closed the connection");
        }
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2) {
            throw new IOException("not an HTTP answer: " + statusLine);
        }
        int status = Integer.parseInt(parts[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (String line = readLine(); line != null && !line.isEmpty(); line = readLine()) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
            }
        }
        byte[] body;
        String length = headers.get("content-length");
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            body = readChunked();
        } else if (length != null) {
            body = in.readNBytes(Integer.parseInt(length));
        } else {
            body = new byte[0];
        }
        return new Answer(status, headers, body);
    }

    private byte[] readChunked() throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String sizeLine = readLine();
            if (sizeLine == null) {
                throw new IOException("the Runtime API closed the connection in a chunked body");
            }
            int semicolon = sizeLine.indexOf(';');
            int size = Integer.parseInt((semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).trim(), 16);
            if (size == 0) {
                for (String trailer = readLine(); trailer != null && !trailer.isEmpty(); trailer = readLine()) {
                    // Trailers carry nothing the client needs.
                }
                return body.toByteArray();
            }
            body.write(in.readNBytes(size));
            readLine();
        }
    }

    /** A line up to CRLF (ISO-8859-1, as HTTP's head is), or null at the end of the stream. */
    private String readLine() throws IOException {
        StringBuilder line = new StringBuilder(64);
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\n') {
                int end = line.length();
                if (end > 0 && line.charAt(end - 1) == '\r') {
                    line.setLength(end - 1);
                }
                return line.toString();
            }
            line.append((char) c);
        }
        return line.length() == 0 ? null : line.toString();
    }
}
