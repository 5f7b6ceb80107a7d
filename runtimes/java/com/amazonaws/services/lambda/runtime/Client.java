package com.amazonaws.services.lambda.runtime;

/** The client application of an AWS Mobile SDK caller. */
public interface Client {
    String getInstallationId();

    String getAppTitle();

    String getAppVersionName();

    String getAppVersionCode();

    String getAppPackageName();
}
