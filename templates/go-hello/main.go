package main

import (
	"context"
	"fmt"
	"log"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

type Request struct {
	Name string `json:"name"`
}

type Response struct {
	Message string `json:"message"`
	Count   int    `json:"count"`
}

// Globals live as long as the execution environment: warm invocations share them.
var count int

func handler(ctx context.Context, request Request) (Response, error) {
	name := request.Name
	if name == "" {
		name = "world"
	}
	count++
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		log.Printf("greeting %s (request %s)", name, lc.AwsRequestID)
	}
	return Response{Message: fmt.Sprintf("Hello, %s!", name), Count: count}, nil
}

func main() {
	// Code here is Lambda's Init: it runs once per execution environment.
	lambda.Start(handler)
}
