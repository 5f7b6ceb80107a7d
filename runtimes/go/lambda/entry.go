package lambda

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"time"
	"unsafe"

	"github.com/aws/aws-lambda-go/lambdacontext"
)

// lambdesk runs a Go function as an execution environment (a WASI reactor built with
// -buildmode=c-shared): lambdesk_init once (the Init phase: the program's main, which
// calls Start), then lambdesk_alloc and lambdesk_invoke per request, the handler's globals
// kept between them as in a warm Lambda environment.

// userMain is the program's main: a reactor's _initialize runs package initialisers but
// not main, and main is where Lambda code calls Start.
//
//go:linkname userMain main.main
func userMain()

var handler Handler

// The request lambdesk writes into: kept here so the collector leaves it in place.
var request []byte

// Start registers handler for the invocations that follow. On Lambda Start never returns;
// here it returns to lambdesk_init, which ends the Init phase.
func Start(h interface{}) {
	handler = NewHandler(h)
}

// StartWithOptions is Start; lambdesk has no options to apply.
func StartWithOptions(h interface{}, _ ...interface{}) {
	Start(h)
}

//go:wasmexport lambdesk_init
func lambdeskInit() int32 {
	userMain()
	if handler == nil {
		os.Stdout.Write(errorJSON(errorf("main returned without calling lambda.Start")))
		return 1
	}
	return 0
}

//go:wasmexport lambdesk_alloc
func lambdeskAlloc(length int32) int32 {
	request = make([]byte, length)
	if length == 0 {
		return 0
	}
	return int32(uintptr(unsafe.Pointer(&request[0])))
}

// invocationContext is the first line of a request.
type invocationContext struct {
	AwsRequestID       string `json:"awsRequestId"`
	DeadlineMs         int64  `json:"deadlineMs"`
	InvokedFunctionArn string `json:"invokedFunctionArn"`
	// The invoking client's context (the Invoke API's ClientContext), when it gave one.
	ClientContext lambdacontext.ClientContext `json:"clientContext"`
}

//go:wasmexport lambdesk_invoke
func lambdeskInvoke(_ int32, _ int32) (status int32) {
	line, event, _ := bytes.Cut(request, []byte{'\n'})
	var invocation invocationContext
	_ = json.Unmarshal(line, &invocation)
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{
		AwsRequestID:       invocation.AwsRequestID,
		InvokedFunctionArn: invocation.InvokedFunctionArn,
		ClientContext:      invocation.ClientContext,
	})
	if invocation.DeadlineMs > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, time.UnixMilli(invocation.DeadlineMs))
		defer cancel()
	}
	defer func() {
		if value := recover(); value != nil {
			os.Stdout.Write(panicJSON(value))
			status = 1
		}
	}()
	response, err := handler.Invoke(ctx, event)
	if err != nil {
		os.Stdout.Write(errorJSON(err))
		return 1
	}
	os.Stdout.Write(response)
	return 0
}
