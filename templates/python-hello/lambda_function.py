# Hello world: the smallest useful Lambda handler in Python.
import logging

logger = logging.getLogger()
logger.setLevel(logging.INFO)


def lambda_handler(event, context):
    name = event.get("name", "world")
    logger.info("saying hello to %s", name)
    return {"message": f"Hello, {name}!", "requestId": context.aws_request_id}
