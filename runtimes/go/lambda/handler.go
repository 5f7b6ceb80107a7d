// Package lambda runs a Go function in lambdesk as aws-lambda-go's package of the same
// name runs it on Lambda: `func main() { lambda.Start(handler) }` with a handler of one of
// the shapes Lambda accepts (an optional context.Context, an optional event, an optional
// result, an error last).
package lambda

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
)

// Handler is what Start runs: the event's JSON in, the result's JSON out.
type Handler interface {
	Invoke(ctx context.Context, payload []byte) ([]byte, error)
}

// handlerFunc adapts a user's function of any shape Lambda accepts.
type handlerFunc func(ctx context.Context, payload []byte) ([]byte, error)

func (f handlerFunc) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	return f(ctx, payload)
}

var contextType = reflect.TypeOf((*context.Context)(nil)).Elem()
var errorType = reflect.TypeOf((*error)(nil)).Elem()

// checkArguments says whether the handler takes a context first and how many arguments.
func checkArguments(handler reflect.Type) (takesContext bool, err error) {
	switch handler.NumIn() {
	case 0:
		return false, nil
	case 1:
		return handler.In(0).Implements(contextType), nil
	case 2:
		if !handler.In(0).Implements(contextType) {
			return false, fmt.Errorf("handler takes two arguments, but the first is not Context. got %s", handler.In(0).Kind())
		}
		return true, nil
	default:
		return false, fmt.Errorf("handlers may not take more than two arguments, but handler takes %d", handler.NumIn())
	}
}

func checkReturns(handler reflect.Type) error {
	switch handler.NumOut() {
	case 0:
		return nil
	case 1:
		if !handler.Out(0).Implements(errorType) {
			return fmt.Errorf("handler returns a single value, but it does not implement error")
		}
		return nil
	case 2:
		if !handler.Out(1).Implements(errorType) {
			return fmt.Errorf("handler returns two values, but the second does not implement error")
		}
		return nil
	default:
		return fmt.Errorf("handler may not return more than two values")
	}
}

// NewHandler wraps a function of a shape Lambda accepts; a function of another shape
// answers every invocation with the reason, as aws-lambda-go does.
func NewHandler(handler interface{}) Handler {
	if handler == nil {
		return errorHandler(fmt.Errorf("handler is nil"))
	}
	if h, ok := handler.(Handler); ok {
		return h
	}
	value := reflect.ValueOf(handler)
	kind := reflect.TypeOf(handler)
	if kind.Kind() != reflect.Func {
		return errorHandler(fmt.Errorf("handler kind %s is not %s", kind.Kind(), reflect.Func))
	}
	takesContext, err := checkArguments(kind)
	if err != nil {
		return errorHandler(err)
	}
	if err := checkReturns(kind); err != nil {
		return errorHandler(err)
	}
	return handlerFunc(func(ctx context.Context, payload []byte) ([]byte, error) {
		var args []reflect.Value
		if takesContext {
			args = append(args, reflect.ValueOf(ctx))
		}
		if (kind.NumIn() == 1 && !takesContext) || kind.NumIn() == 2 {
			eventType := kind.In(kind.NumIn() - 1)
			event := reflect.New(eventType)
			if err := json.Unmarshal(payload, event.Interface()); err != nil {
				return nil, err
			}
			args = append(args, event.Elem())
		}
		results := value.Call(args)
		if len(results) > 0 {
			if err, ok := results[len(results)-1].Interface().(error); ok && err != nil {
				return nil, err
			}
		}
		if len(results) < 2 {
			return []byte("null"), nil
		}
		return json.Marshal(results[0].Interface())
	})
}

func errorHandler(err error) Handler {
	return handlerFunc(func(context.Context, []byte) ([]byte, error) { return nil, err })
}
