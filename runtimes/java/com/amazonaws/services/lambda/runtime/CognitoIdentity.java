package com.amazonaws.services.lambda.runtime;

/** The Amazon Cognito identity of an AWS Mobile SDK caller. */
public interface CognitoIdentity {
    String getIdentityId();

    String getIdentityPoolId();
}
