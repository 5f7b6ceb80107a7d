# Queue batch processor with partial batch failures: return the ids of the messages
# that failed, and only those become visible again (report_batch_item_failures = true).
require 'json'
require 'logger'

LOGGER = Logger.new($stdout)

def process(message)
  order = JSON.parse(message['body'])
  raise ArgumentError, 'an order needs an id' unless order['id']

  LOGGER.info("order #{order['id']}: #{order.fetch('quantity', 1)} item(s)")
end

def lambda_handler(event:, context:)
  failures = (event['Records'] || []).filter_map do |record|
    process(record)
    nil
  rescue StandardError => e
    LOGGER.error("message #{record['messageId']} failed: #{e.message}")
    { itemIdentifier: record['messageId'] }
  end
  { batchItemFailures: failures }
end
