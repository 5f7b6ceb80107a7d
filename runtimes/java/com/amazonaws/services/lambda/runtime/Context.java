package com.amazonaws.services.lambda.runtime;

/**
 * What an invocation knows about itself, as aws-lambda-java-core's {@code Context} declares
 * it: handlers written for Lambda compile against this unchanged.
 */
public interface Context {
    /** The request's id (also in the START/END/REPORT lines). */
    String getAwsRequestId();

    /** The CloudWatch log group Lambda would log to ({@code /aws/lambda/<function>}). */
    String getLogGroupName();

    /** The log stream of this execution environment. */
    String getLogStreamName();

    String getFunctionName();

    /** {@code $LATEST}. */
    String getFunctionVersion();

    /** The ARN the caller invoked. */
    String getInvokedFunctionArn();

    /** Amazon Cognito's identity when the AWS Mobile SDK invoked; may be null. */
    CognitoIdentity getIdentity();

    /** The client application's context when the AWS Mobile SDK invoked; may be null. */
    ClientContext getClientContext();

    /** Milliseconds until the function's timeout ends this invocation. */
    int getRemainingTimeInMillis();

    int getMemoryLimitInMB();

    LambdaLogger getLogger();

    /** The tenant of a tenant-isolated invocation; null otherwise. */
    default String getTenantId() {
        return null;
    }

    /** The X-Ray trace header of the invocation; null when there is none. */
    default String getXrayTraceId() {
        return null;
    }
}
