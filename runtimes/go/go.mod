// lambdesk's stand-in for github.com/aws/aws-lambda-go: the `lambda` and `lambdacontext`
// packages a Go function imports, for wasip1 instead of Lambda's Runtime API. A function's
// go.mod replaces the AWS module with this folder, so its code reads as it does on Lambda.
module github.com/aws/aws-lambda-go

go 1.24
