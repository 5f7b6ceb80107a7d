package lambda

import (
	"encoding/json"
	"fmt"
	"reflect"
	"runtime"
	"strings"
)

// invokeResponseError is Lambda's error JSON, as aws-lambda-go writes it.
type invokeResponseError struct {
	Message    string                      `json:"errorMessage"`
	Type       string                      `json:"errorType"`
	StackTrace []*invokeResponseErrorFrame `json:"stackTrace,omitempty"`
}

type invokeResponseErrorFrame struct {
	Path  string `json:"path"`
	Line  int32  `json:"line"`
	Label string `json:"label"`
}

// errorTypeName is the error's type without its package, pointers dereferenced:
// errors.New gives "errorString", as on Lambda.
func errorTypeName(value interface{}) string {
	kind := reflect.TypeOf(value)
	if kind == nil {
		return "nil"
	}
	if kind.Kind() == reflect.Ptr {
		return kind.Elem().Name()
	}
	return kind.Name()
}

func errorJSON(err error) []byte {
	body, _ := json.Marshal(invokeResponseError{Message: err.Error(), Type: errorTypeName(err)})
	return body
}

// panicJSON describes a recovered panic with the frames that led to it.
func panicJSON(value interface{}) []byte {
	var frames []*invokeResponseErrorFrame
	pcs := make([]uintptr, 32)
	count := runtime.Callers(4, pcs)
	iterator := runtime.CallersFrames(pcs[:count])
	for {
		frame, more := iterator.Next()
		if !strings.HasPrefix(frame.Function, "runtime.") && !strings.HasPrefix(frame.Function, "reflect.") {
			label := frame.Function[strings.LastIndex(frame.Function, "/")+1:]
			frames = append(frames, &invokeResponseErrorFrame{Path: frame.File, Line: int32(frame.Line), Label: label})
		}
		if !more {
			break
		}
	}
	body, _ := json.Marshal(invokeResponseError{
		Message:    fmt.Sprint(value),
		Type:       errorTypeName(value),
		StackTrace: frames,
	})
	return body
}

// errorf is a plain error for lambdesk's own messages.
func errorf(format string, args ...interface{}) error {
	return fmt.Errorf(format, args...)
}
