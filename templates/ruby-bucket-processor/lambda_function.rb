# Bucket object processor: one S3 notification can hold several records.
require 'uri'

def lambda_handler(event:, context:)
  processed = (event['Records'] || []).map do |record|
    bucket = record['s3']['bucket']['name']
    # Keys arrive URL-encoded, with spaces as '+'.
    key = URI.decode_www_form_component(record['s3']['object']['key'])
    size_bytes = record['s3']['object']['size'] || 0
    # lambdesk mounts the buckets a function may read at /buckets/<name>.
    path = "/buckets/#{bucket}/#{key}"
    first_line = File.file?(path) ? File.open(path, &:gets)&.chomp : nil
    puts "#{record['eventName']}: s3://#{bucket}/#{key} (#{size_bytes} bytes)"
    { bucket: bucket, key: key, sizeBytes: size_bytes, firstLine: first_line }
  end
  { processed: processed }
end
