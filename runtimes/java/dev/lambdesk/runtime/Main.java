package dev.lambdesk.runtime;

import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.amazonaws.services.lambda.runtime.LambdaRuntime;
import java.io.File;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOError;
import java.io.IOException;
import java.io.PrintStream;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * lambdesk's Java runtime client: the program of a {@code runtime = "java"} execution
 * environment. It loads the handler named by its argument (or {@code _HANDLER}) from the
 * function's classpath, then speaks Lambda's Runtime API at {@code AWS_LAMBDA_RUNTIME_API}:
 * next event, handler, response or error, until the environment is shut down — as Lambda's
 * aws-lambda-java-runtime-interface-client does.
 *
 * <p>The function's classes load in a class loader of their own whose parent holds this
 * client and the {@code com.amazonaws.services.lambda.runtime} interfaces, so a jar that
 * bundles aws-lambda-java-core still gets these (as on Lambda).
 */
public final class Main {
    /** The function's classpath, entries separated by {@link File#pathSeparator}. */
    static final String CLASSPATH_PROPERTY = "lambdesk.function.classpath";

    private Main() {}

    public static void main(String[] args) {
        // The log is UTF-8 whatever the machine's locale; println flushes each line.
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
        System.setOut(out);
        System.setErr(err);
        FunctionLogger logger = new FunctionLogger(out);
        installRuntimeLogger(logger);

        String address = System.getenv("AWS_LAMBDA_RUNTIME_API");
        if (address == null || address.isEmpty()) {
            err.println("lambdesk's Java runtime client: AWS_LAMBDA_RUNTIME_API is not set");
            System.exit(2);
        }
        String handlerName = args.length > 0 ? args[0] : System.getenv("_HANDLER");
        RuntimeApi api = new RuntimeApi(address);

        ClassLoader loader = functionClassLoader();
        Thread.currentThread().setContextClassLoader(loader);
        HandlerLoader.Handler handler;
        try {
            handler = HandlerLoader.load(handlerName == null ? "" : handlerName, loader);
        } catch (UserFault fault) {
            logger.log(fault.reportableError());
            try {
                api.reportInitError("Runtime.BadFunctionCode", fault.errorJson().getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                err.println("lambdesk's Java runtime client: cannot report the Init error: " + e);
            }
            System.exit(1);
            return;
        }
        try {
            loop(api, handler, new InvocationContext.Environment(logger), logger);
        } catch (IOException e) {
            err.println("lambdesk's Java runtime client: the Runtime API is gone: " + e);
            System.exit(1);
        }
    }

    private static void loop(RuntimeApi api, HandlerLoader.Handler handler, InvocationContext.Environment environment,
            LambdaLogger logger) throws IOException {
        while (true) {
            RuntimeApi.Answer next = api.next();
            if (next.status != 200) {
                throw new IOException("next invocation answered " + next.status);
            }
            InvocationContext context = new InvocationContext(next, environment);
            String traceId = context.getXrayTraceId();
            if (traceId != null) {
                System.setProperty("com.amazonaws.xray.traceHeader", traceId);
            } else {
                System.clearProperty("com.amazonaws.xray.traceHeader");
            }
            byte[] response;
            try {
                response = handler.call(next.body, context);
            } catch (Throwable t) {
                UserFault.filterStackTrace(t);
                UserFault fault = UserFault.of(t, false);
                // What the handler printed comes before the error in the log.
                System.out.flush();
                System.err.flush();
                logger.log(fault.reportableError());
                boolean own = t instanceof UserFault;
                String json = own ? fault.errorJson() : UserFault.errorJson(t);
                api.reportError(context.requestId(), own ? "Runtime.BadFunctionCode" : "Runtime.UserException",
                        json.getBytes(StandardCharsets.UTF_8));
                if (fault.fatal || t instanceof VirtualMachineError || t instanceof IOError) {
                    System.exit(1);
                }
                continue;
            } finally {
                // Clears an interrupt the handler left for the next invocation's sake.
                Thread.interrupted();
            }
            System.out.flush();
            System.err.flush();
            api.respond(context.requestId(), response);
        }
    }

    /** {@code LambdaRuntime.getLogger()} answers the function's logger, as on Lambda. */
    private static void installRuntimeLogger(LambdaLogger logger) {
        try {
            java.lang.reflect.Field field = LambdaRuntime.class.getDeclaredField("logger");
            field.setAccessible(true);
            field.set(null, logger);
        } catch (ReflectiveOperationException e) {
            // The default logger prints to System.out: the same log, without a newline added.
        }
    }

    static ClassLoader functionClassLoader() {
        String classpath = System.getProperty(CLASSPATH_PROPERTY, "");
        List<URL> urls = new ArrayList<>();
        for (String entry : classpath.split(File.pathSeparator)) {
            if (entry.isEmpty()) {
                continue;
            }
            try {
                urls.add(new File(entry).toURI().toURL());
            } catch (MalformedURLException e) {
                System.err.println("lambdesk's Java runtime client: skipping classpath entry " + entry + ": " + e);
            }
        }
        return new URLClassLoader(urls.toArray(new URL[0]), ClassLoader.getSystemClassLoader());
    }
}
