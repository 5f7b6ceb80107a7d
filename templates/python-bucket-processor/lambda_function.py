# Bucket object processor: one S3 notification can hold several records.
import os
import urllib.parse


def lambda_handler(event, context):
    processed = []
    for record in event.get("Records", []):
        bucket = record["s3"]["bucket"]["name"]
        # Keys arrive URL-encoded, with spaces as '+'.
        key = urllib.parse.unquote_plus(record["s3"]["object"]["key"])
        size_bytes = record["s3"]["object"].get("size", 0)
        # lambdesk mounts the buckets a function may read at /buckets/<name>.
        path = f"/buckets/{bucket}/{key}"
        first_line = None
        if os.path.isfile(path):
            with open(path, encoding="utf-8", errors="replace") as f:
                first_line = f.readline().rstrip("\n")
        print(f"{record['eventName']}: s3://{bucket}/{key} ({size_bytes} bytes)")
        processed.append({"bucket": bucket, "key": key, "sizeBytes": size_bytes, "firstLine": first_line})
    return {"processed": processed}
