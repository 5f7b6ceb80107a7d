// Bucket object processor: one S3 notification can hold several records.
export const handler = async (event) => {
  const processed = [];
  for (const record of event.Records ?? []) {
    const bucket = record.s3.bucket.name;
    // Keys arrive URL-encoded, with spaces as '+'.
    const key = decodeURIComponent(record.s3.object.key.replace(/\+/g, " "));
    const sizeBytes = record.s3.object.size ?? 0;
    console.log(`${record.eventName}: s3://${bucket}/${key} (${sizeBytes} bytes)`);
    processed.push({ bucket, key, sizeBytes });
  }
  return { processed };
};
