// Package lambdacontext carries an invocation's Lambda context, as aws-lambda-go's package
// of the same name does: the request id and function ARN on the context.Context, and the
// function's settings from the environment lambdesk sets (AWS_LAMBDA_FUNCTION_NAME, …).
package lambdacontext

import (
	"context"
	"os"
	"strconv"
)

// The function's settings, read once: lambdesk sets them for every execution environment.
var (
	LogGroupName    = os.Getenv("AWS_LAMBDA_LOG_GROUP_NAME")
	LogStreamName   = os.Getenv("AWS_LAMBDA_LOG_STREAM_NAME")
	FunctionName    = os.Getenv("AWS_LAMBDA_FUNCTION_NAME")
	FunctionVersion = os.Getenv("AWS_LAMBDA_FUNCTION_VERSION")
	MemoryLimitInMB = memoryLimitInMB()
)

func memoryLimitInMB() int {
	megabytes, err := strconv.Atoi(os.Getenv("AWS_LAMBDA_FUNCTION_MEMORY_SIZE"))
	if err != nil {
		return 0
	}
	return megabytes
}

// ClientApplication and ClientContext: what an invoking client said about itself (the
// Invoke API's ClientContext, as the AWS Mobile SDK and warm-up plugins send it).
type ClientApplication struct {
	InstallationID string `json:"installation_id"`
	AppTitle       string `json:"app_title"`
	AppVersionCode string `json:"app_version_code"`
	AppPackageName string `json:"app_package_name"`
}

type ClientContext struct {
	Client ClientApplication
	Env    map[string]string `json:"env"`
	Custom map[string]string `json:"custom"`
}

// CognitoIdentity is set for invocations with Cognito credentials; lambdesk never sets it.
type CognitoIdentity struct {
	CognitoIdentityID     string
	CognitoIdentityPoolID string
}

// LambdaContext is what one invocation knows about itself.
type LambdaContext struct {
	AwsRequestID       string
	InvokedFunctionArn string
	Identity           CognitoIdentity
	ClientContext      ClientContext
}

type key struct{}

// NewContext returns a copy of parent carrying lc.
func NewContext(parent context.Context, lc *LambdaContext) context.Context {
	return context.WithValue(parent, key{}, lc)
}

// FromContext returns the LambdaContext in ctx, if any.
func FromContext(ctx context.Context) (*LambdaContext, bool) {
	lc, ok := ctx.Value(key{}).(*LambdaContext)
	return lc, ok
}
