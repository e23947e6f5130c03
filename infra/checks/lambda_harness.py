"""A local stand-in for what runs a Lambda function in AWS, for the infra scripts: a mock of the
Lambda runtime API on a loopback port (it hands out one event, takes the response, and also
answers PostToConnection like API Gateway's @connections endpoint), and moto in this process with a
record of the DynamoDB actions every request needed (items inside TransactWriteItems counted as the
IAM actions they need). Used by infra/checks/exercise_functions.py and infra/measure/measure.py."""

import http.server
import io
import json
import subprocess
import threading
import time
from pathlib import Path
from urllib.parse import unquote, urlparse

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "infra" / "fixtures"
STAGE = "prod"
# PostToConnection to a connection id starting with this answers 410 Gone, as for a client that
# went away without a $disconnect.
GONE_PREFIX = "gone"
# Connections that worked until the scenario let them vanish: from then on a post to them answers
# 410 Gone too (a console that was showing a list when its client went away).
VANISHED = set()


# ------------------------------------------------------------------------------------------------
# The mock Lambda runtime API (and @connections endpoint)
# ------------------------------------------------------------------------------------------------


class Invocation:
    """One run: one event out, one response (or error) back, with their times."""

    def __init__(self, event):
        self.event = event
        self.started = None
        self.next_at = None
        self.done_at = None
        self.response = None
        self.error = None
        self.posts = 0
        self.posted = []
        self.finished = threading.Event()


class RuntimeApi(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), RuntimeHandler)
        self.current = None

    def handle_error(self, request, client_address):
        # A function killed at the end of its run drops its held poll: expected, not news.
        pass

    @property
    def address(self):
        return f"127.0.0.1:{self.server_address[1]}"


class RuntimeHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _reply(self, status, body=b"", headers=None):
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def do_GET(self):
        inv = self.server.current
        if self.path.endswith("/runtime/invocation/next") and inv is not None:
            if inv.next_at is not None:
                # The second poll: the first event was answered; hold it until the run ends.
                inv.finished.wait(30)
                return self._reply(500)
            inv.next_at = time.perf_counter()
            body = json.dumps(inv.event).encode()
            return self._reply(200, body, {
                "Content-Type": "application/json",
                "Lambda-Runtime-Aws-Request-Id": "8476a536-e9f4-11e8-9739-2dfe598c3fcd",
                "Lambda-Runtime-Deadline-Ms": str(int(time.time() * 1000) + 30_000),
                "Lambda-Runtime-Invoked-Function-Arn": "arn:aws:lambda:us-east-1:123456789012:function:measure",
                "Lambda-Runtime-Trace-Id": "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1",
            })
        self._reply(404)

    def do_POST(self):
        inv = self.server.current
        body = self._body()
        path = urlparse(self.path).path
        if "/@connections/" in path:
            connection = unquote(path.rsplit("/@connections/", 1)[1])
            if inv is not None:
                inv.posts += 1
                inv.posted.append((connection, body))
            if connection.startswith(GONE_PREFIX) or connection in VANISHED:
                # As API Gateway answers: the SDK maps the error type header to GoneException.
                return self._reply(410, b'{"message":null}', {
                    "Content-Type": "application/json", "x-amzn-ErrorType": "GoneException"})
            return self._reply(200)
        if inv is not None and path.endswith("/response"):
            inv.done_at = time.perf_counter()
            inv.response = body
            self._reply(202, b'{"status":"OK"}', {"Content-Type": "application/json"})
            inv.finished.set()
            return
        if inv is not None and (path.endswith("/error") or path.endswith("/init/error")):
            inv.done_at = time.perf_counter()
            inv.error = body.decode(errors="replace")
            self._reply(202, b'{"status":"OK"}', {"Content-Type": "application/json"})
            inv.finished.set()
            return
        self._reply(404)


# ------------------------------------------------------------------------------------------------
# moto, in process, with a count of the DynamoDB actions each request needs
# ------------------------------------------------------------------------------------------------

TRANSACT_ACTIONS = {"Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem", "ConditionCheck": "ConditionCheckItem"}


# The SES identity the template's MailFromAddress names, as the exercise verifies it in moto.
MAIL_FROM = "help@exercise.chatdesk.example"


class DynamoRecorder:
    """WSGI middleware: notes the IAM actions (and indexes) behind every DynamoDB call, whether
    SES v2 SendEmail was called, and the S3 and Cognito user pool actions used."""

    def __init__(self, app):
        self.app = app
        self.actions = set()
        self.indexes = set()
        self.calls = 0
        self.sent_email = False
        self.s3_actions = set()
        self.cognito_actions = set()
        self.lock = threading.Lock()

    def reset(self):
        with self.lock:
            self.actions, self.indexes, self.calls, self.sent_email = set(), set(), 0, False
            self.s3_actions = set()
            self.cognito_actions = set()

    def _s3(self, environ, start_response):
        """An S3 call (path-style, SigV4 scope .../s3/aws4_request): notes the IAM actions it
        needs. A copy reads its source and writes its target; HEAD needs GetObject; a read of a
        missing object answers 404 only with ListBucket (without it AWS says 403), which is how
        a function tells "never uploaded" apart, so such a 404 counts as using ListBucket."""
        method = environ.get("REQUEST_METHOD", "")
        parts = [x for x in environ.get("PATH_INFO", "").split("/") if x]
        on_object = len(parts) >= 2
        if not on_object:
            needed = {"s3:ListBucket"} if method in ("GET", "HEAD") else set()
        elif method == "PUT" and environ.get("HTTP_X_AMZ_COPY_SOURCE"):
            needed = {"s3:GetObject", "s3:PutObject"}
        else:
            needed = {"PUT": {"s3:PutObject"}, "POST": {"s3:PutObject"}, "GET": {"s3:GetObject"},
                      "HEAD": {"s3:GetObject"}, "DELETE": {"s3:DeleteObject"}}.get(method, set())
        reading = on_object and method in ("GET", "HEAD")

        def noting_status(status, headers, exc_info=None):
            with self.lock:
                self.s3_actions |= needed
                if reading and status.startswith("404"):
                    self.s3_actions.add("s3:ListBucket")
            return start_response(status, headers, exc_info)

        return self.app(environ, noting_status)

    def __call__(self, environ, start_response):
        if "/s3/aws4_request" in environ.get("HTTP_AUTHORIZATION", ""):
            return self._s3(environ, start_response)
        if environ.get("REQUEST_METHOD") == "POST" and environ.get("PATH_INFO", "").startswith("/v2/email/outbound-emails"):
            with self.lock:
                self.sent_email = True
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        if target.startswith("AWSCognitoIdentityProviderService."):
            # The user pool's JSON API: its operation is its IAM action (cognito-idp:AdminCreateUser).
            with self.lock:
                self.cognito_actions.add("cognito-idp:" + target.split(".", 1)[1])
        if target.startswith("DynamoDB_"):
            length = int(environ.get("CONTENT_LENGTH") or 0)
            raw = environ["wsgi.input"].read(length) if length else b""
            environ["wsgi.input"] = io.BytesIO(raw)
            op = target.split(".", 1)[1]
            try:
                body = json.loads(raw or b"{}")
            except ValueError:
                body = {}
            with self.lock:
                self.calls += 1
                if op == "TransactWriteItems":
                    for item in body.get("TransactItems", []):
                        self.actions |= {TRANSACT_ACTIONS[k] for k in item if k in TRANSACT_ACTIONS}
                elif op not in ("CreateTable", "DescribeTable", "UpdateTimeToLive"):
                    self.actions.add(op)
                if body.get("IndexName"):
                    self.indexes.add(body["IndexName"])
        return self.app(environ, start_response)


# The attachments bucket the exercise creates in moto.
ATTACHMENTS_BUCKET = "chatdesk-exercise-attachments"


def start_moto():
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
    from werkzeug.serving import make_server

    import logging

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    recorder = DynamoRecorder(DomainDispatcherApplication(create_backend_app))
    # One request at a time, as the tests run moto (tests/support/moto_serial.py).
    server = make_server("127.0.0.1", 0, recorder, threaded=False)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}", recorder


def create_table(endpoint, spec, name):
    import boto3

    ddb = boto3.client("dynamodb", endpoint_url=endpoint, region_name="us-east-1",
                       aws_access_key_id="testing", aws_secret_access_key="testing")
    ddb.create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": spec["partition_key"], "KeyType": "HASH"},
                   {"AttributeName": spec["sort_key"], "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"} for a in spec["attributes"]],
        GlobalSecondaryIndexes=[{
            "IndexName": g["name"],
            "KeySchema": [{"AttributeName": g["partition_key"], "KeyType": "HASH"},
                          {"AttributeName": g["sort_key"], "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": g["projection"]},
        } for g in spec["global_secondary_indexes"]],
        **({"StreamSpecification": {"StreamEnabled": True, "StreamViewType": spec["stream_view_type"]}}
           if spec.get("stream_view_type") else {}),
    )


# ------------------------------------------------------------------------------------------------
# Events and runs
# ------------------------------------------------------------------------------------------------


def build_event(plan):
    """An event from a base fixture of infra/fixtures/ and a plan: for HTTP, method, path, query,
    body, token; for WebSocket, route_key, body, connection_id, token (query string of $connect),
    authorizer (the context the $connect authorizer returned for the connection, which API
    Gateway passes with each of its events); for the authorizer (no route_key), token."""
    if "event" in plan:
        # An event built whole by the caller (the table stream's batches).
        return plan["event"]
    event = json.loads((FIXTURES / plan["fixture"]).read_text())
    if "method" not in plan and "route_key" not in plan:
        if plan.get("token") is not None:
            event["queryStringParameters"] = {"token": plan["token"]}
            event["multiValueQueryStringParameters"] = {"token": [plan["token"]]}
        return event
    if "method" in plan:
        event["rawPath"] = plan["path"]
        event["requestContext"]["http"]["method"] = plan["method"]
        event["requestContext"]["http"]["path"] = plan["path"]
        event["rawQueryString"] = plan.get("query", "")
        if plan.get("query"):
            event["queryStringParameters"] = {
                k: unquote(v) for k, v in (p.split("=", 1) for p in plan["query"].split("&"))
            }
        if plan.get("token"):
            event["headers"]["authorization"] = f"Bearer {plan['token']}"
    else:
        event["requestContext"]["routeKey"] = plan["route_key"]
        if plan.get("connection_id"):
            event["requestContext"]["connectionId"] = plan["connection_id"]
        if plan.get("token"):
            event["queryStringParameters"] = {"token": plan["token"]}
            event["multiValueQueryStringParameters"] = {"token": [plan["token"]]}
        if plan.get("authorizer"):
            event["requestContext"]["authorizer"] = plan["authorizer"]
    if "body" in plan:
        event["body"] = plan["body"] if isinstance(plan["body"], str) else json.dumps(plan["body"])
    return event


def run_once(bootstrap, env, event, timeout=30):
    """Starts `bootstrap` against a runtime API of its own (a fresh port per run, so a poll still
    in flight from an earlier, killed process can never take this run's event), serves it
    `event`, waits for its answer, stops it. Returns (ms to its first poll for an event, ms to its
    answer, the invocation)."""
    api = RuntimeApi()
    # A short poll interval: shutdown() waits for it once per run.
    threading.Thread(target=api.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True).start()
    inv = Invocation(event)
    api.current = inv
    env = dict(env, AWS_LAMBDA_RUNTIME_API=api.address, CHATDESK_WS_ENDPOINT=f"http://{api.address}/{STAGE}")
    started = time.perf_counter()
    # The function's logs go to stdout (as Lambda takes them to CloudWatch); kept for callers
    # that read what it logged.
    proc = subprocess.Popen([str(bootstrap)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd="/")
    inv.finished.wait(timeout)
    proc.kill()
    out, err = proc.communicate()
    inv.finished.set()
    api.shutdown()
    api.server_close()
    inv.stdout = out.decode(errors="replace")
    inv.stderr = err.decode(errors="replace")
    if inv.done_at is None:
        raise RuntimeError(f"{bootstrap}: no answer within {timeout} s; stderr: {inv.stderr[-600:]}")
    return (inv.next_at - started) * 1000, (inv.done_at - started) * 1000, inv


def authorizer_answer(inv):
    """(allowed, what API Gateway passes in requestContext.authorizer of the connection's events)
    of a $connect authorizer's answer: an IAM policy on the method ARN, and a context; (None,
    error text) for a failed invocation."""
    if inv.error is not None:
        return None, inv.error
    try:
        doc = json.loads(inv.response)
    except ValueError:
        return None, inv.response
    statements = (doc.get("policyDocument") or {}).get("Statement") or []
    allowed = bool(statements) and all(st.get("Effect") == "Allow" for st in statements)
    passed = dict(doc.get("context") or {})
    if doc.get("principalId"):
        passed["principalId"] = doc["principalId"]
    return allowed, passed


def response_of(inv):
    """(status, parsed body) of an API Gateway proxy response; (None, error text) for an error."""
    if inv.error is not None:
        return None, inv.error
    try:
        doc = json.loads(inv.response)
    except ValueError:
        return None, inv.response
    body = doc.get("body")
    try:
        body = json.loads(body) if body else None
    except ValueError:
        pass
    return doc.get("statusCode"), body


def function_env(dynamodb_endpoint, table, name, user_pool=None):
    """What the template gives every function, pointed at the local stand-ins (run_once adds
    the runtime API's address and the @connections endpoint); `user_pool`: the id of the agents'
    pool the exercise made in moto."""
    import os

    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "AWS_LAMBDA_FUNCTION_NAME": name,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_LOG_STREAM_NAME": "local",
        "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{name}",
        "AWS_LAMBDA_LOG_FORMAT": "JSON",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "CHATDESK_TABLE": table,
        "CHATDESK_DYNAMODB_ENDPOINT": dynamodb_endpoint,
        "CHATDESK_TOKEN_SECRET": "local-local-local-local-local-local-0123456789",
        "CHATDESK_IDLE_WARNING_SECS": "120",
        "CHATDESK_IDLE_HIGH_SECS": "300",
        "CHATDESK_MODEL_DIR": "/nonexistent",
        "CHATDESK_LOG": "warn",
        "CHATDESK_MAIL_FROM": MAIL_FROM,
        # As the template sets for the function that keeps attachments.
        **({"CHATDESK_ATTACHMENTS_BUCKET": ATTACHMENTS_BUCKET, "CHATDESK_S3_ENDPOINT": dynamodb_endpoint}
           if name == "chat-attachments" else {}),
        # As the template sets for the function that administers agents.
        **({"CHATDESK_USER_POOL_ID": user_pool or "", "CHATDESK_COGNITO_ENDPOINT": dynamodb_endpoint}
           if name == "admin" else {}),
        # As deployed: the functions with the model layer find it where Lambda unpacks it.
        **layer_environment(name),
    }


def layer_environment(binary):
    """The template's CHATDESK_MODEL_DIR and RAYON_NUM_THREADS of the function running `binary`,
    with the layer's /opt path mapped to the folder the layer is built from (its ContentUri):
    what Lambda would unpack under /opt. Empty for functions without layers."""
    from template_model import INFRA, function_binaries, load_template, merged_function_properties, ref_target

    template = load_template()
    resources = template.get("Resources", {})
    for logical, bin_name in function_binaries(template).items():
        if bin_name != binary:
            continue
        props = merged_function_properties(template, resources[logical].get("Properties", {}))
        variables = (props.get("Environment") or {}).get("Variables", {})
        out = {}
        for layer in props.get("Layers") or []:
            content = resources.get(ref_target(layer) or "", {}).get("Properties", {}).get("ContentUri")
            model_dir = variables.get("CHATDESK_MODEL_DIR")
            if isinstance(content, str) and isinstance(model_dir, str) and model_dir.startswith("/opt/"):
                out["CHATDESK_MODEL_DIR"] = str((INFRA / content / model_dir[len("/opt/"):]).resolve())
        if "RAYON_NUM_THREADS" in variables:
            out["RAYON_NUM_THREADS"] = str(variables["RAYON_NUM_THREADS"])
        return out
    return {}


