# Queue batch processor with partial batch failures: return the ids of the messages
# that failed, and only those become visible again (report_batch_item_failures = true).
import json
import logging

logger = logging.getLogger()
logger.setLevel(logging.INFO)


def process(message):
    order = json.loads(message["body"])
    if not order.get("id"):
        raise ValueError("an order needs an id")
    logger.info("order %s: %s item(s)", order["id"], order.get("quantity", 1))


def lambda_handler(event, context):
    batch_item_failures = []
    for record in event.get("Records", []):
        try:
            process(record)
        except Exception as error:
            logger.error("message %s failed: %s", record["messageId"], error)
            batch_item_failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": batch_item_failures}
