package com.amazonaws.services.lambda.runtime.logging;

/** Log levels of {@code LambdaLogger.log(message, level)}, as aws-lambda-java-core has them. */
public enum LogLevel {
    /** A message logged without a level: never filtered. */
    UNDEFINED,
    TRACE,
    DEBUG,
    INFO,
    WARN,
    ERROR,
    FATAL;

    public static LogLevel fromString(String logLevel) {
        try {
            return LogLevel.valueOf(logLevel.toUpperCase());
        } catch (Exception e) {
            throw new IllegalArgumentException(
                    "Invalid log level: '" + logLevel + "' expected one of [TRACE, DEBUG, INFO, WARN, ERROR, FATAL]");
        }
    }
}
