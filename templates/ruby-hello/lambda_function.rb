# Hello world: the smallest useful Lambda handler in Ruby.
require 'logger'

LOGGER = Logger.new($stdout)

def lambda_handler(event:, context:)
  name = event.fetch('name', 'world')
  LOGGER.info("saying hello to #{name}")
  { message: "Hello, #{name}!", requestId: context.aws_request_id }
end
