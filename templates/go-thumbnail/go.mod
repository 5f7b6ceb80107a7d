module thumbnail

go 1.24

require github.com/aws/aws-lambda-go v1.47.0

// lambdesk's copy of aws-lambda-go's lambda and lambdacontext packages, for wasip1.
replace github.com/aws/aws-lambda-go => ./lambdesk-go
