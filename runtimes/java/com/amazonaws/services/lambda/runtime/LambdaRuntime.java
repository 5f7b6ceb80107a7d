package com.amazonaws.services.lambda.runtime;

import java.io.IOException;

/**
 * The function's logger outside a handler call, as aws-lambda-java-core has it. lambdesk's
 * runtime client replaces {@code logger} with its own before it loads the handler's class.
 */
public final class LambdaRuntime {
    private LambdaRuntime() {}

    // Not final: the runtime client sets it (by reflection, as Lambda's does) at start.
    private static volatile LambdaLogger logger = new LambdaLogger() {
        @Override
        public void log(String message) {
            System.out.print(message);
        }

        @Override
        public void log(byte[] message) {
            try {
                System.out.write(message);
            } catch (IOException e) {
                e.printStackTrace();
            }
        }
    };

    public static LambdaLogger getLogger() {
        return logger;
    }
}
