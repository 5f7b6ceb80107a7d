# HTTP API handler: API Gateway HTTP API (payload format 2.0) in, a JSON response out.
require 'json'

ITEMS = { '1' => { 'id' => '1', 'name' => 'coffee' } }

def respond(status_code, body)
  { statusCode: status_code, headers: { 'content-type' => 'application/json' }, body: body.to_json }
end

def lambda_handler(event:, context:)
  method = event.dig('requestContext', 'http', 'method') || 'GET'
  path = event['rawPath'] || '/'
  puts "#{method} #{path}"
  if method == 'GET' && path == '/rb/items'
    respond(200, ITEMS.values)
  elsif method == 'GET' && (match = %r{\A/rb/items/([^/]+)\z}.match(path))
    item = ITEMS[match[1]]
    item ? respond(200, item) : respond(404, { message: "no item #{match[1]}" })
  elsif method == 'POST' && path == '/rb/items'
    body = event['body'] || '{}'
    body = body.unpack1('m') if event['isBase64Encoded']
    item = { 'id' => (ITEMS.size + 1).to_s }.merge(JSON.parse(body))
    ITEMS[item['id']] = item
    respond(201, item)
  else
    respond(404, { message: "no route for #{method} #{path}" })
  end
end
