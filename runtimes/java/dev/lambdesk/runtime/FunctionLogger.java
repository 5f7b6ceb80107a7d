package dev.lambdesk.runtime;

import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.amazonaws.services.lambda.runtime.logging.LogLevel;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * {@code context.getLogger()} and {@code LambdaRuntime.getLogger()}: each call is one log
 * event in CloudWatch, so here one or more whole lines of the function's log (a newline is
 * added when the message lacks one); a level is written as Lambda's text format writes it
 * ({@code [INFO] message}).
 */
final class FunctionLogger implements LambdaLogger {
    private final PrintStream out;

    FunctionLogger(PrintStream out) {
        this.out = out;
    }

    @Override
    public void log(String message) {
        log(message, LogLevel.UNDEFINED);
    }

    @Override
    public void log(byte[] message) {
        log(new String(message, StandardCharsets.UTF_8), LogLevel.UNDEFINED);
    }

    @Override
    public void log(String message, LogLevel logLevel) {
        String text = String.valueOf(message);
        String line = logLevel == null || logLevel == LogLevel.UNDEFINED ? text : "[" + logLevel + "] " + text;
        synchronized (out) {
            out.print(line.endsWith("\n") ? line : line + "\n");
            out.flush();
        }
    }

    @Override
    public void log(byte[] message, LogLevel logLevel) {
        log(new String(message, StandardCharsets.UTF_8), logLevel);
    }
}
