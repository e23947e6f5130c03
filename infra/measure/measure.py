#!/usr/bin/env python3
"""Measures each Lambda function's zipped size and its start-up: the time from starting its
`bootstrap` to the Lambda runtime API receiving the response to its first event. The runtime API
is a mock on a loopback port (GET .../invocation/next hands out one event from infra/fixtures/,
POST .../response or .../error ends the run); DynamoDB is moto, in this process, behind a counter
of the calls each function makes; PostToConnection goes to the same mock (it answers 200).

    measure.py --lambda-dir DIR --manifest M [--anchor BOOTSTRAP] [--runs 5] [--doc docs/performance.md]

Prints a table (median of --runs runs per function) and, with --doc, writes it under the heading
"Lambda functions: size and start-up" of that file (adding the section, or replacing only it)."""

import argparse
import http.server
import io
import json
import os
import re
import statistics
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path
from urllib.parse import urlparse

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "infra" / "fixtures"
PERMISSIONS = REPO / "infra" / "permissions.json"
HEADING = "## Lambda functions: size and start-up"
STAGE = "prod"


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
            if inv is not None:
                inv.posts += 1
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


class DynamoRecorder:
    """WSGI middleware: notes the IAM actions (and indexes) behind every DynamoDB call."""

    def __init__(self, app):
        self.app = app
        self.actions = set()
        self.indexes = set()
        self.calls = 0
        self.lock = threading.Lock()

    def reset(self):
        with self.lock:
            self.actions, self.indexes, self.calls = set(), set(), 0

    def __call__(self, environ, start_response):
        target = environ.get("HTTP_X_AMZ_TARGET", "")
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
    )


# ------------------------------------------------------------------------------------------------
# Events and runs
# ------------------------------------------------------------------------------------------------


def first_event(function):
    plan = json.loads((FIXTURES / "first-events.json").read_text())[function]
    event = json.loads((FIXTURES / plan["fixture"]).read_text())
    if "method" in plan:
        event["rawPath"] = plan["path"]
        event["requestContext"]["http"]["method"] = plan["method"]
        event["requestContext"]["http"]["path"] = plan["path"]
        event["rawQueryString"] = plan.get("query", "")
        if plan.get("query"):
            event["queryStringParameters"] = dict(p.split("=", 1) for p in plan["query"].split("&"))
        if "body" in plan:
            event["body"] = json.dumps(plan["body"])
    else:
        event["requestContext"]["routeKey"] = plan["route_key"]
        if "body" in plan:
            event["body"] = json.dumps(plan["body"])
    return event


def describe_outcome(inv):
    if inv.error is not None:
        return "error: " + inv.error[:80]
    if inv.response is None:
        return "no response"
    try:
        status = json.loads(inv.response).get("statusCode")
    except ValueError:
        status = None
    return f"HTTP {status}" if status is not None else "response"


def run_once(bootstrap, env, api, event, timeout=30):
    inv = Invocation(event)
    api.current = inv
    started = time.perf_counter()
    proc = subprocess.Popen([str(bootstrap)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            cwd="/")
    inv.finished.wait(timeout)
    proc.kill()
    _, err = proc.communicate()
    api.current = None
    if inv.done_at is None:
        raise RuntimeError(f"{bootstrap}: no response within {timeout} s; stderr: {err.decode(errors='replace')[-400:]}")
    return (inv.next_at - started) * 1000, (inv.done_at - started) * 1000, inv


def zipped_size(bootstrap):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as z:
        info = zipfile.ZipInfo("bootstrap")
        info.external_attr = 0o755 << 16
        info.compress_type = zipfile.ZIP_DEFLATED
        z.writestr(info, Path(bootstrap).read_bytes())
    return len(buf.getvalue())


def mb(n):
    return f"{n / 1_000_000:.1f}"


def write_doc(doc, section):
    path = Path(doc)
    text = path.read_text() if path.exists() else "# Performance\n"
    pattern = re.compile(rf"^{re.escape(HEADING)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(lambda _: section, text)
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text.rstrip("\n") + "\n")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--lambda-dir", required=True, help="cargo lambda's output: <dir>/<function>/bootstrap")
    parser.add_argument("--manifest", required=True)
    parser.add_argument("--anchor", help="bootstrap of a minimal Rust Lambda, measured the same way")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--doc")
    parser.add_argument("--build-note", default="")
    args = parser.parse_args()

    manifest = json.loads(Path(args.manifest).read_text())
    permissions = json.loads(PERMISSIONS.read_text())["functions"]
    functions = []
    for r in manifest["http_routes"] + manifest["websocket_routes"]:
        if r["function"] not in functions:
            functions.append(r["function"])

    endpoint, recorder = start_moto()
    table = "chatdesk-measure"
    create_table(endpoint, manifest["table"], table)
    api = RuntimeApi()
    threading.Thread(target=api.serve_forever, daemon=True).start()

    base_env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "AWS_LAMBDA_RUNTIME_API": api.address,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_LOG_STREAM_NAME": "measure",
        "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/measure",
        "AWS_LAMBDA_LOG_FORMAT": "JSON",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "CHATDESK_TABLE": table,
        "CHATDESK_DYNAMODB_ENDPOINT": endpoint,
        "CHATDESK_TOKEN_SECRET": "measure-measure-measure-measure-measure-0123456789",
        "CHATDESK_WS_ENDPOINT": f"http://{api.address}/{STAGE}",
        "CHATDESK_IDLE_WARNING_SECS": "120",
        "CHATDESK_IDLE_HIGH_SECS": "300",
        # As deployed: no embedding model is packaged with the suggestions function.
        "CHATDESK_MODEL_DIR": "/nonexistent",
        "CHATDESK_LOG": "warn",
    }

    rows = []
    problems = []
    candidates = [(f, Path(args.lambda_dir) / f / "bootstrap") for f in functions]
    if args.anchor:
        candidates.insert(0, ("(anchor: minimal Rust Lambda)", Path(args.anchor)))
    for name, bootstrap in candidates:
        if not bootstrap.exists():
            problems.append(f"{name}: {bootstrap} not built")
            continue
        env = dict(base_env, AWS_LAMBDA_FUNCTION_NAME=name if not name.startswith("(") else "anchor")
        event = first_event(name) if name in permissions else {"hello": "world"}
        inits, totals, outcome = [], [], ""
        actions, indexes, calls, posts = set(), set(), 0, 0
        for i in range(args.runs):
            recorder.reset()
            init_ms, total_ms, inv = run_once(bootstrap, env, api, event)
            inits.append(init_ms)
            totals.append(total_ms)
            outcome = describe_outcome(inv)
            if i == 0:
                actions, indexes, calls, posts = set(recorder.actions), set(recorder.indexes), recorder.calls, inv.posts
        if name in permissions:
            allowed = set(permissions[name]["dynamodb"])
            if actions - allowed or indexes - set(permissions[name]["indexes"]):
                problems.append(f"{name}: used {sorted(actions - allowed)} / indexes {sorted(indexes - set(permissions[name]['indexes']))} beyond infra/permissions.json")
            if posts and not permissions[name]["posts_to_connections"]:
                problems.append(f"{name}: posted to @connections without posts_to_connections")
        first = f"{outcome}; {calls} DynamoDB call{'s' if calls != 1 else ''}" + (f", {posts} post" if posts else "")
        row = (name, bootstrap.stat().st_size, zipped_size(bootstrap), statistics.median(inits), statistics.median(totals), first)
        rows.append(row)
        print(f"  {name:32} {mb(row[1]):>6} MB  zip {mb(row[2]):>5} MB  init {row[3]:7.1f} ms  first response {row[4]:7.1f} ms  ({first})", flush=True)

    lines = [
        HEADING,
        "",
        "Written by `infra/measure-functions.sh` (do not edit by hand; run it again). Release builds",
        "(`cargo lambda build --release`, x86_64, the workspace's release profile: LTO, one codegen",
        "unit, `opt-level = \"s\"`, stripped, `panic = \"abort\"`), zipped with deflate as a deployment",
        "package. Start-up is measured on this machine, not in Lambda: each `bootstrap` is started",
        "against a mock of the Lambda runtime API on a loopback port with the environment the template",
        "gives it, DynamoDB is moto (in process, one request at a time, ~1-3 ms per call), and the",
        "figures are the median of "
        f"{args.runs} cold starts: *init* = process start to its first `GET /runtime/invocation/next`",
        "(configuration, SDK clients, the suggestion index), *first response* = process start to the",
        "`POST .../response` of the event in `infra/fixtures/first-events.json`. Lambda's own figures",
        "differ (Firecracker, arm64, 256 MB of CPU share); the anchor row, a minimal Rust Lambda built",
        "and measured the same way, is the local floor to compare with (AWS: ~0.9 MB zipped, 18-22 ms",
        "init on arm64).",
        "",
        "| function | binary MB | zipped MB | init ms | first response ms | first event |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for name, size, zsize, init_ms, total_ms, first in rows:
        lines.append(f"| {name} | {mb(size)} | {mb(zsize)} | {init_ms:.1f} | {total_ms:.1f} | {first} |")
    if args.build_note:
        lines += ["", args.build_note]
    section = "\n".join(lines) + "\n"
    print()
    print(section)
    if problems:
        print("PROBLEMS:")
        for p in problems:
            print("  - " + p)
    if args.doc:
        write_doc(args.doc, section)
        print(f"written to {args.doc} under '{HEADING}'")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
