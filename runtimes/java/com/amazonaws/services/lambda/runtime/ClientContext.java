package com.amazonaws.services.lambda.runtime;

import java.util.Map;

/** The client application's context sent by the AWS Mobile SDK (`ClientContext` of Invoke). */
public interface ClientContext {
    Client getClient();

    Map<String, String> getCustom();

    Map<String, String> getEnvironment();
}
