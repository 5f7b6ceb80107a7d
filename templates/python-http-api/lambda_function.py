# HTTP API handler: API Gateway HTTP API (payload format 2.0) in, a JSON response out.
import base64
import json
import re

items = {"1": {"id": "1", "name": "coffee"}}


def respond(status_code, body):
    return {
        "statusCode": status_code,
        "headers": {"content-type": "application/json"},
        "body": json.dumps(body),
    }


def lambda_handler(event, context):
    method = event.get("requestContext", {}).get("http", {}).get("method", "GET")
    path = event.get("rawPath", "/")
    print(f"{method} {path}")
    match = re.fullmatch(r"/py/items/([^/]+)", path)
    if method == "GET" and path == "/py/items":
        return respond(200, list(items.values()))
    if method == "GET" and match:
        item = items.get(match.group(1))
        return respond(200, item) if item else respond(404, {"message": f"no item {match.group(1)}"})
    if method == "POST" and path == "/py/items":
        body = event.get("body") or "{}"
        if event.get("isBase64Encoded"):
            body = base64.b64decode(body).decode("utf-8")
        item = {"id": str(len(items) + 1), **json.loads(body)}
        items[item["id"]] = item
        return respond(201, item)
    return respond(404, {"message": f"no route for {method} {path}"})
