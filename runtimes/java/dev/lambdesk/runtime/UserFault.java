package dev.lambdesk.runtime;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * A failure of the function's code as Lambda's Java runtime reports it: the error JSON
 * ({@code errorMessage}, {@code errorType}, {@code stackTrace} as
 * {@code StackTraceElement.toString()} strings), the Runtime API's error type
 * ({@code Runtime.UserException} for what the handler threw, {@code Runtime.BadFunctionCode}
 * for a handler that cannot be loaded) and the log line
 * {@code "<message>: <exception class>\n<printStackTrace>\n"}.
 */
final class UserFault extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private static final String OWN_PACKAGE = UserFault.class.getPackageName();

    final String msg;
    /** The exception's class name; null for a fault that is no exception's. */
    final String exception;
    /** The printed stack trace; null with {@code exception}. */
    final String trace;
    /** Whether the environment cannot go on (an Init failure): reported on init/error. */
    final boolean fatal;

    UserFault(String msg, String exception, String trace, boolean fatal) {
        super(msg, null, false, false);
        this.msg = msg;
        this.exception = exception;
        this.trace = trace;
        this.fatal = fatal;
    }

    static UserFault of(String msg) {
        return new UserFault(msg, null, null, false);
    }

    static UserFault of(Throwable t, boolean fatal) {
        if (t instanceof UserFault) {
            return (UserFault) t;
        }
        return new UserFault(messageOf(t), t.getClass().getName(), trace(t), fatal);
    }

    /** The message Lambda reports: the exception's, or its class name when it has none. */
    static String messageOf(Throwable t) {
        return t.getLocalizedMessage() == null ? t.getClass().getName() : t.getLocalizedMessage();
    }

    static String trace(Throwable t) {
        filterStackTrace(t);
        StringWriter text = new StringWriter();
        t.printStackTrace(new PrintWriter(text));
        return text.toString();
    }

    /**
     * Cuts each stack trace (of the exception, its causes and suppressed ones) at the first
     * frame of the runtime client: the user sees their own frames only, as on Lambda.
     */
    static <T extends Throwable> T filterStackTrace(T t) {
        filter(t, Collections.newSetFromMap(new IdentityHashMap<>()));
        return t;
    }

    private static void filter(Throwable t, Set<Throwable> seen) {
        if (t == null || !seen.add(t)) {
            return;
        }
        StackTraceElement[] trace = t.getStackTrace();
        for (int i = 0; i < trace.length; i++) {
            if (trace[i].getClassName().startsWith(OWN_PACKAGE)) {
                StackTraceElement[] kept = new StackTraceElement[i];
                System.arraycopy(trace, 0, kept, 0, i);
                t.setStackTrace(kept);
                break;
            }
        }
        filter(t.getCause(), seen);
        for (Throwable suppressed : t.getSuppressed()) {
            filter(suppressed, seen);
        }
    }

    /** What the log shows. */
    String reportableError() {
        if (exception != null || trace != null) {
            return msg + ": " + (exception == null ? "" : exception) + "\n" + (trace == null ? "" : trace) + "\n";
        }
        return msg + "\n";
    }

    /** The error JSON of a fault: no stack trace, as Lambda's Java runtime sends it. */
    String errorJson() {
        StringBuilder out = new StringBuilder(128).append("{\"errorMessage\":");
        Json.writeString(out, msg);
        if (exception != null) {
            out.append(",\"errorType\":");
            Json.writeString(out, exception);
        }
        return out.append('}').toString();
    }

    /** The error JSON of what a handler threw. */
    static String errorJson(Throwable t) {
        StringBuilder out = new StringBuilder(512).append("{\"errorMessage\":");
        Json.writeString(out, messageOf(t));
        out.append(",\"errorType\":");
        Json.writeString(out, t.getClass().getName());
        out.append(",\"stackTrace\":[");
        StackTraceElement[] trace = t.getStackTrace();
        for (int i = 0; i < trace.length; i++) {
            if (i > 0) {
                out.append(',');
            }
            Json.writeString(out, trace[i].toString());
        }
        return out.append("]}").toString();
    }
}
