package dev.lambdesk.runtime;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A rehearsal of an execution environment's work, run once when lambdesk compiles this
 * client, under {@code -XX:ArchiveClassesAtExit}: the JDK's classes it loads (sockets,
 * reflection, the class loader, the JSON binding's) and the client's own go into a class
 * data sharing archive that every JVM of a Java function then maps, for a shorter Init.
 * It serves itself a Runtime API on a loopback port for one event, one response and one
 * error, then exits.
 */
final class Training {
    private Training() {}

    /** An event shaped like a handler's POJO. */
    public static final class Order {
        private String name;
        private List<Integer> counts;
        public double price;

        public String getName() {
            return name;
        }

        public void setName(String name) {
            this.name = name;
        }

        public List<Integer> getCounts() {
            return counts;
        }

        public void setCounts(List<Integer> counts) {
            this.counts = counts;
        }
    }

    /** A handler as users write them. */
    public static final class OrderHandler implements RequestHandler<Order, Map<String, Object>> {
        @Override
        public Map<String, Object> handleRequest(Order order, Context context) {
            context.getLogger().log("training " + context.getAwsRequestId());
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("name", order.getName());
            out.put("counts", order.getCounts());
            out.put("order", order);
            out.put("remaining", context.getRemainingTimeInMillis());
            return out;
        }

        public String greet(Map<String, Object> event) {
            throw new IllegalStateException("training " + event);
        }
    }

    public static void main(String[] args) throws Throwable {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread api = new Thread(() -> serve(server), "training-runtime-api");
            api.start();
            ClassLoader loader = Main.functionClassLoader();
            FunctionLogger logger = new FunctionLogger(new PrintStream(OutputStream.nullOutputStream()));
            InvocationContext.Environment environment = new InvocationContext.Environment(logger);
            RuntimeApi client = new RuntimeApi("127.0.0.1:" + server.getLocalPort());

            RuntimeApi.Answer next = client.next();
            InvocationContext context = new InvocationContext(next, environment);
            HandlerLoader.Handler handler = HandlerLoader.load(OrderHandler.class.getName(), loader);
            client.respond(context.requestId(), handler.call(next.body, context));

            next = client.next();
            context = new InvocationContext(next, environment);
            HandlerLoader.Handler method = HandlerLoader.load(OrderHandler.class.getName() + "::greet", loader);
            try {
                method.call(next.body, context);
            } catch (Throwable t) {
                UserFault.filterStackTrace(t);
                logger.log(UserFault.of(t, false).reportableError());
                client.reportError(context.requestId(), "Runtime.UserException",
                        UserFault.errorJson(t).getBytes(StandardCharsets.UTF_8));
            }
            try {
                HandlerLoader.load("dev.lambdesk.runtime.Missing", loader).call(next.body, context);
            } catch (UserFault fault) {
                fault.errorJson();
            }
            api.join();
        }
    }

    /** One connection: two events, then whatever the client posts. */
    private static void serve(ServerSocket server) {
        String[] events = {
            "{\"name\":\"tea\",\"counts\":[1,2],\"price\":1.5,\"extra\":{\"a\":[true,null]}}",
            "{\"name\":\"cup\"}",
        };
        try (Socket socket = server.accept()) {
            InputStream in = new BufferedInputStream(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            int served = 0;
            for (int request = 0; request < 4; request++) {
                String line = readLine(in);
                int length = 0;
                for (String header = readLine(in); !header.isEmpty(); header = readLine(in)) {
                    if (header.toLowerCase().startsWith("content-length:")) {
                        length = Integer.parseInt(header.substring(15).trim());
                    }
                }
                in.readNBytes(length);
                String answer;
                if (line.startsWith("GET")) {
                    byte[] body = events[served].getBytes(StandardCharsets.UTF_8);
                    answer = "HTTP/1.1 200 OK\r\nLambda-Runtime-Aws-Request-Id: training-" + served
                            + "\r\nLambda-Runtime-Deadline-Ms: " + (System.currentTimeMillis() + 60_000)
                            + "\r\nContent-Length: " + body.length + "\r\n\r\n" + events[served];
                    served++;
                } else {
                    answer = "HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n";
                }
                out.write(answer.getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        } catch (IOException e) {
            // The rehearsal only shapes the archive; a failure leaves it smaller.
        }
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int c = in.read(); c != -1 && c != '\n'; c = in.read()) {
            if (c != '\r') {
                line.write(c);
            }
        }
        return line.toString(StandardCharsets.UTF_8);
    }
}
