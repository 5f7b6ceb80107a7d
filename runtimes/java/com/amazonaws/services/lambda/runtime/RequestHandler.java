package com.amazonaws.services.lambda.runtime;

/**
 * A handler of events of type {@code I} (read from the event's JSON) answering {@code O}
 * (written back as JSON), as aws-lambda-java-core declares it.
 */
public interface RequestHandler<I, O> {
    O handleRequest(I input, Context context);
}
