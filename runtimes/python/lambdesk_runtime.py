"""lambdesk's Python runtime: Lambda's handler contract inside a CPython component.

componentize-py runs this module's top level when the runtime is prepared and freezes the
result, so what is imported here (the standard library modules handlers use most) costs
nothing at an environment's start. The host then calls, per execution environment:

- ``lambdesk_init(variables)`` once (Lambda's Init): the function's variables, then the
  handler's module imported from /var/task, as AWS's runtime interface client does.
- ``lambdesk_invoke(request)`` per event: a line of context JSON, then the event JSON.
  The response (or Lambda's error JSON) goes to stdout, everything logged to stderr.

Names, messages and formats follow AWS's ``awslambdaric`` (the runtime Lambda's Python
images run), so handlers and log readers see what they see on Lambda.
"""

# Pre-imported into the snapshot: what Lambda handlers import most.
import base64  # noqa: F401
import collections  # noqa: F401
import dataclasses  # noqa: F401
import datetime  # noqa: F401
import decimal
import enum  # noqa: F401
import functools  # noqa: F401
import hashlib  # noqa: F401
import hmac  # noqa: F401
import importlib
import io  # noqa: F401
import itertools  # noqa: F401
import json
import logging
import math
import os
import random
import re  # noqa: F401
import string  # noqa: F401
import sys
import time
import traceback
import typing  # noqa: F401
import urllib.parse  # noqa: F401
import uuid  # noqa: F401

import wit_world

TASK_ROOT = "/var/task"
STATUS_OK = 0
STATUS_FUNCTION_ERROR = 1
STATUS_FATAL = 2
LOG_LEVELS = {
    "TRACE": logging.DEBUG,
    "DEBUG": logging.DEBUG,
    "INFO": logging.INFO,
    "WARN": logging.WARNING,
    "WARNING": logging.WARNING,
    "ERROR": logging.ERROR,
    "FATAL": logging.CRITICAL,
    "CRITICAL": logging.CRITICAL,
}

# stdout carries the response to the host; what the function prints is its log, as on
# Lambda, so `print` writes to stderr (the log) and the response has its own handle.
_response_out = sys.__stdout__.buffer
sys.stdout = sys.stderr

_handler = None
_request_id = ""


class FaultError(Exception):
    """A failure of the runtime's own steps (handler name, import), in Lambda's terms."""

    def __init__(self, error_type, message, trace=None):
        super().__init__(message)
        self.error_type = error_type
        self.message = message
        self.trace = trace


class LambdaLoggerHandler(logging.Handler):
    """The root logger's handler on Lambda: one line per record, with the request id."""

    def emit(self, record):
        try:
            sys.stderr.write(self.format(record))
            sys.stderr.flush()
        except Exception:  # noqa: BLE001 - as logging.Handler.handleError
            self.handleError(record)


class LambdaLoggerFilter(logging.Filter):
    def filter(self, record):
        record.aws_request_id = _request_id
        return True


class CognitoIdentity:
    __slots__ = ["cognito_identity_id", "cognito_identity_pool_id"]


class Client:
    __slots__ = ["installation_id", "app_title", "app_version_name", "app_version_code", "app_package_name"]


class ClientContext:
    __slots__ = ["custom", "env", "client"]


def _object_from(cls, values):
    if values is None:
        return None
    obj = cls()
    for key, value in values.items():
        if key in cls.__slots__:
            setattr(obj, key, value)
    return obj


class LambdaContext:
    """The handler's `context`, with the attributes and method Lambda's has."""

    def __init__(self, request_id, deadline_ms, invoked_function_arn, client_context=None, identity=None):
        self.aws_request_id = request_id
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.invoked_function_arn = invoked_function_arn
        self.tenant_id = None
        self.client_context = None
        if client_context is not None:
            self.client_context = _object_from(ClientContext, client_context)
            if self.client_context is not None and client_context.get("client") is not None:
                self.client_context.client = _object_from(Client, client_context["client"])
        self.identity = _object_from(CognitoIdentity, identity or {})
        if not hasattr(self.identity, "cognito_identity_id"):
            self.identity.cognito_identity_id = None
        if not hasattr(self.identity, "cognito_identity_pool_id"):
            self.identity.cognito_identity_pool_id = None
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self):
        remaining_ms = self._deadline_ms - int(time.time() * 1000)
        return remaining_ms if remaining_ms > 0 else 0

    def log(self, msg):
        sys.stderr.write(str(msg))

    def __repr__(self):
        return (
            f"LambdaContext([aws_request_id={self.aws_request_id},log_group_name={self.log_group_name},"
            f"log_stream_name={self.log_stream_name},function_name={self.function_name},"
            f"memory_limit_in_mb={self.memory_limit_in_mb},function_version={self.function_version},"
            f"invoked_function_arn={self.invoked_function_arn},client_context={self.client_context},"
            f"identity={self.identity},tenant_id={self.tenant_id}])"
        )


def _error_json(message, error_type, stack_trace):
    return {
        "errorMessage": message,
        "errorType": error_type,
        "requestId": _request_id,
        "stackTrace": stack_trace if stack_trace is not None else [],
    }


def _fault_of(error):
    """The error JSON of an exception the handler raised, frames of this file left out."""
    frames = list(traceback.extract_tb(error.__traceback__))
    while frames and frames[0].filename == __file__:
        frames = frames[1:]
    # As tuples, like awslambdaric: no column carets under the lines.
    tuples = [(frame.filename, frame.lineno, frame.name, frame.line) for frame in frames]
    return _error_json(str(error), type(error).__name__, traceback.format_list(tuples))


def _log_error(result):
    """The `[ERROR] Type: message` record Lambda's runtime logs for a failure."""
    description = "[ERROR]"
    if result.get("errorType"):
        description += " " + result["errorType"]
    if result.get("errorMessage"):
        if result.get("errorType"):
            description += ":"
        description += " " + result["errorMessage"]
    lines = [description]
    if result.get("stackTrace") is not None:
        lines.append("Traceback (most recent call last):")
        for element in result["stackTrace"]:
            lines.extend(element.splitlines() if element else [""])
    sys.stderr.write("\n".join(lines) + "\n")
    sys.stderr.flush()


def _write_response(data):
    _response_out.write(data.encode("utf-8"))
    _response_out.flush()


class ResponseEncoder(json.JSONEncoder):
    """awslambdaric's encoder: Decimals as numbers (DynamoDB items), text unescaped on
    Python 3.12 and later runtimes."""

    def __init__(self):
        super().__init__(ensure_ascii=False, allow_nan=True)

    def default(self, o):
        if isinstance(o, decimal.Decimal):
            return math.nan if o.is_nan() else float(o)
        return super().default(o)


_encoder = ResponseEncoder()


def _load_handler(handler):
    try:
        module_name, function_name = handler.rsplit(".", 1)
    except ValueError as error:
        raise FaultError("Runtime.MalformedHandlerName", f"Bad handler '{handler}': {error}") from None
    try:
        if module_name.split(".")[0] in sys.builtin_module_names:
            raise FaultError(
                "Runtime.BuiltInModuleConflict",
                f"Cannot use built-in module {module_name} as a handler module",
            )
        module = importlib.import_module(module_name.replace("/", "."))
    except ImportError as error:
        raise FaultError(
            "Runtime.ImportModuleError", f"Unable to import module '{module_name}': {error}"
        ) from None
    except SyntaxError as error:
        trace = [f'  File "{error.filename}" Line {error.lineno}\n    {error.text}']
        raise FaultError(
            "Runtime.UserCodeSyntaxError", f"Syntax error in module '{module_name}': {error}", trace
        ) from None
    try:
        return getattr(module, function_name)
    except AttributeError:
        raise FaultError(
            "Runtime.HandlerNotFound", f"Handler '{function_name}' missing on module '{module_name}'"
        ) from None


def _set_up_logging():
    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
    handler = LambdaLoggerHandler()
    handler.setFormatter(
        logging.Formatter(
            "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s\n",
            "%Y-%m-%dT%H:%M:%S",
        )
    )
    handler.addFilter(LambdaLoggerFilter())
    root.addHandler(handler)
    logging.Formatter.converter = time.gmtime
    level = LOG_LEVELS.get(os.environ.get("AWS_LAMBDA_LOG_LEVEL", "").upper())
    if level is not None:
        root.setLevel(level)


class WitWorld(wit_world.WitWorld):
    def lambdesk_init(self, variables):
        global _handler
        os.environ.clear()
        os.environ.update(dict(variables))
        os.environ.setdefault("LAMBDA_TASK_ROOT", TASK_ROOT)
        os.environ.setdefault("LAMBDA_RUNTIME_DIR", "/var/runtime")
        # The snapshot was taken with the build machine's seed: every environment would
        # otherwise draw the same "random" numbers.
        random.seed()
        try:
            os.chdir(TASK_ROOT)
        except OSError:
            pass
        if TASK_ROOT not in sys.path:
            sys.path.insert(0, TASK_ROOT)
        _set_up_logging()
        try:
            _handler = _load_handler(os.environ.get("_HANDLER", ""))
        except FaultError as fault:
            result = _error_json(fault.message, fault.error_type, fault.trace)
        except SystemExit as exit_:
            result = _error_json(f"Runtime exited with error: exit status {exit_.code}", "Runtime.ExitError", [])
        except BaseException as error:  # noqa: BLE001 - the module's top level failed
            result = _fault_of(error)
        else:
            return STATUS_OK
        _log_error(result)
        _write_response(json.dumps(result))
        return STATUS_FATAL

    def lambdesk_invoke(self, request):
        global _request_id
        context_line, _, event_text = request.partition("\n")
        context = json.loads(context_line)
        _request_id = context.get("awsRequestId", "")
        if context.get("gatewayUrl"):
            os.environ["LAMBDESK_GATEWAY_URL"] = context["gatewayUrl"]
        try:
            event = json.loads(event_text)
            lambda_context = LambdaContext(
                _request_id,
                context.get("deadlineMs", 0),
                context.get("invokedFunctionArn"),
                context.get("clientContext"),
                context.get("identity"),
            )
            response = _handler(event, lambda_context)
        except FaultError as fault:
            result = _error_json(fault.message, fault.error_type, fault.trace)
            status = STATUS_FUNCTION_ERROR
        except SystemExit as exit_:
            result = _error_json(f"Runtime exited with error: exit status {exit_.code}", "Runtime.ExitError", [])
            status = STATUS_FATAL
        except BaseException as error:  # noqa: BLE001 - Lambda reports whatever the handler raised
            result = _fault_of(error)
            status = STATUS_FUNCTION_ERROR
        else:
            try:
                if isinstance(response, bytes):
                    # Lambda passes bytes on as the payload, unencoded.
                    _response_out.write(response)
                    _response_out.flush()
                else:
                    _write_response(_encoder.encode(response))
                return STATUS_OK
            except Exception as error:  # noqa: BLE001 - as awslambdaric
                result = _error_json(f"Unable to marshal response: {error}", "Runtime.MarshalError", [])
                status = STATUS_FUNCTION_ERROR
        _log_error(result)
        _write_response(json.dumps(result))
        return status
