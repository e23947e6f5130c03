#!/usr/bin/env python3
"""Least privilege, checked by running the code: every Lambda function binary (debug build of the
workspace) serves, through a local mock of the Lambda runtime API, the events of one whole chat
(sign-in, knowledge base, a customer starting a chat, both sides connecting over WebSocket
through the $connect authorizer,
pull, messages and their list rows from the table's stream, typing, transfer, follow-up, end, delete/restore/purge, disconnect, and a post to a
connection that is gone), then a group's settings and its hand-off timers run out: the scheduled
sweep (hand-off-timers) run on an EventBridge scheduled event, since moto keeps rules but never
fires a schedule. DynamoDB is moto with a record of the IAM actions each call needs.

Fails when a function used a DynamoDB action or index that infra/permissions.json does not grant
it (in AWS that call would be denied) or posted to @connections without leave; when it is granted
something it never used (least privilege: drop it, or add the step that needs it); or when a step
did not answer as expected (the scenario no longer runs). Prints what each function used.

    exercise_functions.py --bin-dir target/debug --manifest M"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from lambda_harness import (  # noqa: E402
    ATTACHMENTS_BUCKET,
    FIXTURES,
    GONE_PREFIX,
    MAIL_FROM,
    REPO,
    VANISHED,
    authorizer_answer,
    build_event,
    create_table,
    function_env,
    response_of,
    run_once,
    start_moto,
)
from template_model import Problems, load_permissions  # noqa: E402

HTTP = "http-api-v2-request.json"
WS_CONNECT = "websocket-connect-request.json"
WS_MESSAGE = "websocket-message-request.json"
WS_DISCONNECT = "websocket-disconnect-request.json"
WS_AUTHORIZER = "websocket-authorizer-request.json"
SCHEDULED = "eventbridge-scheduled-event.json"
PASSWORD = "exercise-password-1"


def http(method, path, token=None, body=None, query=None):
    plan = {"fixture": HTTP, "method": method, "path": path}
    if token:
        plan["token"] = token
    if body is not None:
        plan["body"] = body
    if query:
        plan["query"] = query
    return plan


def ws(route_key, connection, body=None, token=None):
    fixture = {"$connect": WS_CONNECT, "$disconnect": WS_DISCONNECT}.get(route_key, WS_MESSAGE)
    plan = {"fixture": fixture, "route_key": route_key, "connection_id": connection}
    if body is not None:
        plan["body"] = body
    if token:
        plan["token"] = token
    return plan


class Scenario:
    def __init__(self, bin_dir, recorder, env_for, permissions, problems):
        self.bin_dir = Path(bin_dir)
        self.recorder = recorder
        self.env_for = env_for
        self.permissions = permissions
        self.p = problems
        self.used = {f: {"actions": set(), "indexes": set(), "posted": False, "sent_email": False, "s3": set(),
                         "cognito": set(), "events": 0}
                     for f in permissions}
        self.steps = 0
        # What API Gateway keeps per connection: the context its $connect authorizer returned,
        # passed with every event of that connection.
        self.contexts = {}

    def run(self, function, plan, env=None):
        """One event to one function, its use of DynamoDB and @connections noted; the
        invocation, or None when the binary is missing. `env` adds to the function's environment."""
        self.recorder.reset()
        bootstrap = self.bin_dir / function
        if not bootstrap.exists():
            self.p.fail(f"{function}: {bootstrap} is not built (cargo build -p {function})")
            return None
        _, _, inv = run_once(bootstrap, dict(self.env_for(function), **(env or {})), build_event(plan))
        self.steps += 1
        u = self.used[function]
        u["actions"] |= self.recorder.actions
        u["indexes"] |= self.recorder.indexes
        u["posted"] |= inv.posts > 0
        u["sent_email"] |= self.recorder.sent_email
        u["s3"] |= self.recorder.s3_actions
        u["cognito"] |= self.recorder.cognito_actions
        u["events"] += 1
        return inv

    def authorize(self, token, allow=True, what="$connect authorizer"):
        """The $connect authorizer on `token`, as API Gateway runs it before ws-connect; the
        context it passes on, or None when it denied."""
        inv = self.run("ws-authorize", {"fixture": WS_AUTHORIZER, "token": token})
        if inv is None:
            return None
        allowed, passed = authorizer_answer(inv)
        if allowed is None or allowed != allow:
            expected = "Allow" if allow else "Deny"
            self.p.fail(f"step {self.steps} ws-authorize {what}: expected {expected}, got {passed} {inv.stderr[-300:]}")
        return passed if allowed else None

    def connect(self, connection, token, what="$connect"):
        """A socket opening as in API Gateway: the authorizer, then ws-connect with its context."""
        context = self.authorize(token, what=f"{what} (authorizer)")
        self.contexts[connection] = context
        return self.call("ws-connect", ws("$connect", connection, token=token), what=what)

    def open_stream(self, endpoint, table, consumer):
        """Reads the table's stream from its end on, as the event source mapping of
        `consumer` (the manifest's table_stream) does once deployed."""
        import boto3

        self.consumer = consumer
        self.streams = boto3.client("dynamodbstreams", endpoint_url=endpoint, region_name="us-east-1",
                                    aws_access_key_id="testing", aws_secret_access_key="testing")
        ddb = boto3.client("dynamodb", endpoint_url=endpoint, region_name="us-east-1",
                           aws_access_key_id="testing", aws_secret_access_key="testing")
        self.stream_arn = ddb.describe_table(TableName=table)["Table"]["LatestStreamArn"]
        shard = self.streams.describe_stream(StreamArn=self.stream_arn)["StreamDescription"]["Shards"][0]["ShardId"]
        self.stream_iterator = self.streams.get_shard_iterator(
            StreamArn=self.stream_arn, ShardId=shard, ShardIteratorType="LATEST")["ShardIterator"]

    def deliver_stream(self, what):
        """The stream's records since the last delivery, filtered with the consumer's pattern and
        cut into its batches, each run through the consumer's binary as Lambda would (moto keeps
        the stream but never invokes anything). Returns how many records passed the filter."""
        records = []
        while True:
            page = self.streams.get_records(ShardIterator=self.stream_iterator, Limit=1000)
            self.stream_iterator = page.get("NextShardIterator") or self.stream_iterator
            if not page["Records"]:
                break
            records += page["Records"]
        pattern = json.loads(self.consumer["filter_pattern"])
        passed = [lambda_record(r, self.stream_arn) for r in records if matches_pattern(r, pattern)]
        size = self.consumer["batch_size"]
        for start in range(0, len(passed), size):
            inv = self.run(self.consumer["function"], {"event": {"Records": passed[start:start + size]}})
            if inv is not None and inv.error is not None:
                self.p.fail(f"step {self.steps} {self.consumer['function']} {what}: {inv.error} {inv.stderr[-300:]}")
        return len(passed)

    def sweep(self, what):
        """The hand-off sweep as its EventBridge rule invokes it once deployed: hand-off-timers on
        a scheduled event (moto never fires the rule). Returns its report (the fields of its
        "hand-off sweep" log line: checked, to_agent, to_queue), or {} when it failed."""
        event = json.loads((FIXTURES / SCHEDULED).read_text())
        inv = self.run("hand-off-timers", {"event": event}, env={"CHATDESK_LOG": "info"})
        if inv is None:
            return {}
        if inv.error is not None:
            self.p.fail(f"step {self.steps} hand-off-timers {what}: {inv.error} {inv.stderr[-300:]}")
            return {}
        for line in inv.stdout.splitlines():
            try:
                fields = json.loads(line).get("fields") or {}
            except (ValueError, AttributeError):
                continue
            if fields.get("message") == "hand-off sweep":
                return fields
        self.p.fail(f"step {self.steps} hand-off-timers {what}: no report logged: {inv.stdout[-300:]} {inv.stderr[-300:]}")
        return {}

    def deliver_mail(self, to, what):
        """The outbox delivery as its EventBridge rule invokes it: mail-outbox on a scheduled
        event, sending through moto's SES v2 from the identity the template names (verified in
        moto first). Fails unless moto recorded a mail from MAIL_FROM to `to`."""
        import boto3
        import urllib.request

        boto3.client("sesv2", endpoint_url=self.endpoint, region_name="us-east-1",
                     aws_access_key_id="testing", aws_secret_access_key="testing",
                     ).create_email_identity(EmailIdentity=MAIL_FROM)
        event = json.loads((FIXTURES / SCHEDULED).read_text())
        inv = self.run("mail-outbox", {"event": event},
                       env={"CHATDESK_LOG": "info", "CHATDESK_SES_ENDPOINT": self.endpoint})
        if inv is None:
            return
        if inv.error is not None:
            self.p.fail(f"step {self.steps} mail-outbox {what}: {inv.error} {inv.stderr[-300:]}")
            return
        with urllib.request.urlopen(f"{self.endpoint}/moto-api/data.json") as res:
            messages = json.loads(res.read()).get("ses", {}).get("Message", [])
        sent = [m for m in messages if m.get("source") == MAIL_FROM and to in (m.get("destinations") or {}).get("ToAddresses", [])]
        if not sent:
            self.p.fail(f"step {self.steps} mail-outbox {what}: moto's SES has no mail from {MAIL_FROM} to {to}: {messages!r:.300} {inv.stderr[-300:]}")

    def events_of(self, chat_id, kind):
        """The chat's stored events of one type (its `EV#` items), read from the table directly."""
        import boto3

        ddb = boto3.client("dynamodb", endpoint_url=self.endpoint, region_name="us-east-1",
                           aws_access_key_id="testing", aws_secret_access_key="testing")
        items = ddb.query(
            TableName=self.table,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :ev)",
            ExpressionAttributeValues={":pk": {"S": f"CHAT#{chat_id}"}, ":ev": {"S": "EV#"}},
        )["Items"]
        return [i for i in items if i.get("type", {}).get("S") == kind]

    def call(self, function, plan, expect=(200,), what=""):
        """One event to one function; returns the parsed body."""
        if plan.get("route_key") and self.contexts.get(plan.get("connection_id")):
            plan = dict(plan, authorizer=self.contexts[plan["connection_id"]])
        inv = self.run(function, plan)
        if inv is None:
            return None
        status, body = response_of(inv)
        label = what or plan.get("path") or plan.get("route_key")
        if status not in expect:
            detail = json.dumps(body)[:300] if not isinstance(body, str) else body[:300]
            self.p.fail(f"step {self.steps} {function} {label}: status {status}, expected {list(expect)}: {detail} {inv.stderr[-300:]}")
        return body


def matches_pattern(value, pattern):
    """Lambda's event filtering, for the subset the template's filter uses: an object matches
    field by field; a list names the allowed values, each a value or {"prefix": "..."}."""
    if isinstance(pattern, dict):
        return isinstance(value, dict) and all(k in value and matches_pattern(value[k], v) for k, v in pattern.items())
    if isinstance(pattern, list):
        return any(
            (isinstance(a, dict) and "prefix" in a and isinstance(value, str) and value.startswith(a["prefix"]))
            or a == value
            for a in pattern
        )
    return pattern == value


def lambda_record(record, stream_arn):
    """A GetRecords record as Lambda hands it to the function (JSON: times in epoch seconds,
    binary as base64), with the stream's ARN."""
    import base64
    import datetime

    def plain(v):
        if isinstance(v, dict):
            return {k: plain(x) for k, x in v.items()}
        if isinstance(v, list):
            return [plain(x) for x in v]
        if isinstance(v, datetime.datetime):
            return v.timestamp()
        if isinstance(v, (bytes, bytearray)):
            return base64.b64encode(v).decode()
        return v

    return dict(plain(record), eventSourceARN=stream_arn)


def seed(endpoint, table, bin_dir):
    """Groups, agents and the demo knowledge base, with the operator commands (as docs/deploy.md
    does)."""
    env = dict(os.environ, CHATDESK_TABLE=table, CHATDESK_DYNAMODB_ENDPOINT=endpoint,
               AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_REGION="us-east-1",
               CHATDESK_AGENT_PASSWORD=PASSWORD, CHATDESK_LOG="warn")
    for args in (
        ["group", "add", "support", "Customer Support", "--store", "dynamodb"],
        ["group", "add", "billing", "Billing", "--store", "dynamodb"],
        ["group", "add", "sales", "Sales", "--store", "dynamodb"],
        ["group", "add", "priority", "Priority", "--distribution", "automatic", "--store", "dynamodb"],
        ["group", "add", "turns", "Turns", "--distribution", "round_robin", "--store", "dynamodb"],
        # Pulled from its queue until a manager makes it automatic (group-settings).
        ["group", "add", "relay", "Relay", "--store", "dynamodb"],
        # The operator's import, as docs/deploy.md describes it: articles arrive with their
        # embeddings, so the suggestions function has a knowledge base to index.
        ["kb", "import", str(REPO / "server" / "demo-kb"), "--store", "dynamodb"],
        ["agent", "add", "alice", "--name", "Alice", "--role", "administrator", "--groups", "support,billing", "--store", "dynamodb"],
        ["agent", "add", "bob", "--name", "Bob", "--role", "agent", "--groups", "support", "--store", "dynamodb"],
        ["agent", "add", "carol", "--name", "Carol", "--role", "agent", "--groups", "priority", "--max-chats", "1", "--store", "dynamodb"],
        ["agent", "add", "dave", "--name", "Dave", "--role", "agent", "--groups", "turns", "--store", "dynamodb"],
        ["agent", "add", "erin", "--name", "Erin", "--role", "agent", "--groups", "turns", "--store", "dynamodb"],
        ["agent", "add", "frank", "--name", "Frank", "--role", "agent", "--groups", "relay", "--max-chats", "1", "--store", "dynamodb"],
        ["agent", "add", "gina", "--name", "Gina", "--role", "agent", "--groups", "relay", "--max-chats", "1", "--store", "dynamodb"],
    ):
        # The server binary of the same build as the functions (`chatdesk`), else through cargo.
        server = Path(bin_dir) / "chatdesk"
        command = [str(server)] if server.exists() else ["cargo", "run", "-q", "-p", "chatdesk-server", "--"]
        subprocess.run([*command, *args], env=env, check=True, cwd=REPO, stdout=subprocess.DEVNULL)


def run(s):
    gone_count = [0]

    def gone(token, watch=None):
        """A connection whose client vanished without a $disconnect: the next post to it gets
        410 Gone and the posting function deletes it (GetItem + BatchWriteItem)."""
        gone_count[0] += 1
        connection = f"{GONE_PREFIX}Conn{gone_count[0]}="
        s.connect(connection, token, what="$connect (gone later)")
        if watch:
            s.call("ws-resume", ws("watch", connection, {"action": "watch", "chat_id": watch}), what="watch (gone later)")
        return connection

    # Agents sign in; the rest of the REST API with their token.
    alice = (s.call("auth-login", http("POST", "/api/auth/login", body={"username": "alice", "password": PASSWORD})) or {}).get("token")
    bob = (s.call("auth-login", http("POST", "/api/auth/login", body={"username": "bob", "password": PASSWORD})) or {}).get("token")
    s.call("auth-login", http("POST", "/api/auth/login", body={"username": "alice", "password": "wrong"}), expect=(401,))
    s.call("auth-login", http("GET", "/api/auth/config"))
    s.call("health", http("GET", "/api/health"))
    s.call("health", http("GET", "/api/openapi.json"))
    s.call("agent-profile", http("GET", "/api/me", alice))
    s.call("agent-profile", http("PATCH", "/api/me", alice, {"available": True}))
    s.call("agent-profile", http("PATCH", "/api/me", bob, {"available": True}))
    s.call("directory", http("GET", "/api/groups"))
    s.call("directory", http("GET", "/api/agents", alice))
    prefs = s.call("agent-preferences", http("GET", "/api/preferences", alice))
    s.call("agent-preferences", http("PUT", "/api/preferences", alice, prefs or {}))

    article = s.call("kb", http("POST", "/api/kb/articles", alice, {
        "title": "Mailbox full", "body": "Delete old mail or buy more space.", "tags": ["mail"],
        "groups": ["support"], "published": True}), expect=(201,)) or {}
    article_id = article.get("id", "missing")
    s.call("kb", http("GET", "/api/kb/articles", alice))
    s.call("kb", http("GET", f"/api/kb/articles/{article_id}"))
    s.call("kb", http("PUT", f"/api/kb/articles/{article_id}", alice, {
        "title": "Mailbox full", "body": "Delete old mail, or buy more space.", "tags": ["mail"],
        "groups": ["support"], "published": True}))
    suggested = s.call("suggestions", http("GET", "/api/suggestions", query="q=my%20mailbox%20is%20full&group_id=support")) or {}
    hits = suggested.get("suggestions") or [{"id": article_id}]
    # The template gives the suggestions function the model as a layer: with the layer's folder
    # filled (scripts/fetch-model.sh), it must rank by meaning, not fall back to words alone.
    model_dir = s.env_for("suggestions").get("CHATDESK_MODEL_DIR", "")
    if (Path(model_dir) / "model.safetensors").is_file() and suggested.get("mode") != "hybrid":
        s.p.fail(f"suggestions: mode {suggested.get('mode')!r} with the model layer's files in {model_dir}; expected 'hybrid'")
    if not any(h.get("id") == article_id for h in suggested.get("suggestions") or []):
        s.p.fail(f"suggestions: the article just saved through the kb function was not suggested: {json.dumps(suggested)[:300]}")
    s.call("suggestions", http("POST", "/api/suggestions/feedback", body={
        "question_id": suggested.get("question_id", "none"), "item_id": hits[0]["id"], "action": "clicked"}))
    s.call("kb", http("GET", "/api/kb/stats", alice))

    # A customer starts a chat and connects; agents connect. Before each function that posts,
    # one of Bob's (support) consoles vanishes, so every one of them meets a gone connection.
    gone(bob)
    started = s.call("chat-start", http("POST", "/api/chats", body={
        "group_id": "support", "name": "Ann", "question": "My mailbox is full"}), expect=(201,)) or {}
    customer = started.get("token")
    chat = (started.get("chat") or {}).get("id", "missing")
    s.connect("customerConn1=", customer)
    s.connect("aliceConn1=", alice)
    # A bad token is denied by the authorizer; API Gateway never runs ws-connect for it.
    s.authorize("not-a-token", allow=False, what="a bad token")
    # ws-connect without the authorizer's context (an API deployed without it) refuses too.
    s.call("ws-connect", ws("$connect", "nobodyConn1=", token="not-a-token"), expect=(401,))
    s.call("ws-resume", ws("watch", "aliceConn1=", {"action": "watch", "chat_id": chat}))
    s.call("ws-resume", ws("resume", "customerConn1=", {"action": "resume", "chat_id": chat, "after_seq": 0}))
    s.call("ws-resume", ws("resume", gone(customer), {"action": "resume", "chat_id": chat, "after_seq": 0}), what="resume from a vanished client")
    s.call("ws-default", ws("ping", "customerConn1=", {"action": "ping"}))
    s.call("ws-default", ws("ping", gone(alice), {"action": "ping"}), what="ping from a vanished client")
    s.call("ws-default", ws("$default", "customerConn1=", {"action": "dance"}))

    s.call("chat-list", http("GET", "/api/chats", alice, query="view=queue"))
    s.call("chat-list", http("GET", "/api/chats", alice, query="view=group&group_id=support"))
    s.call("chat-read", http("GET", f"/api/chats/{chat}", customer))
    s.call("suggestions", http("GET", f"/api/chats/{chat}/suggestions", alice))

    # Alice pulls it; both sides talk.
    gone(bob)
    s.call("queue-pull", http("POST", "/api/actions/pull", alice))
    s.call("chat-list", http("GET", "/api/chats", alice, query="view=my_active"))
    s.call("chat-read", http("GET", f"/api/chats/{chat}", alice))
    s.call("chat-read", http("GET", f"/api/chats/{chat}/events", alice, query="after=0"))
    # Messages reach only the chat's own followers (and consoles showing a list holding it): a
    # colleague who had the chat open vanishes.
    gone(bob, watch=chat)
    s.call("ws-send", ws("send", "customerConn1=", {"action": "send", "chat_id": chat, "client_msg_id": "c1", "body": "Hello?"}))
    s.call("ws-send", ws("send", "customerConn1=", {"action": "send", "chat_id": chat, "client_msg_id": "c1", "body": "Hello?"}), what="send (retry)")
    gone(alice, watch=chat)
    s.call("ws-typing", ws("typing", "aliceConn1=", {"action": "typing", "chat_id": chat, "typing": True}))
    s.call("ws-send", ws("send", "aliceConn1=", {"action": "send", "chat_id": chat, "client_msg_id": "a1", "body": "Hi Ann"}))
    # The list rows of those messages come from the table's stream: to a console showing Support's
    # live list, and to one that showed it and vanished.
    support_list = {"action": "watch_list", "list": {"view": "group", "group_id": "support", "inactive": False}}
    s.call("ws-resume", ws("watch_list", "aliceConn1=", support_list))
    s.connect("laterConn1=", alice, what="$connect (vanishes while showing a list)")
    s.call("ws-resume", ws("watch_list", "laterConn1=", support_list), what="watch_list (vanishes later)")
    VANISHED.add("laterConn1=")
    s.call("ws-send", ws("send", "customerConn1=", {"action": "send", "chat_id": chat, "client_msg_id": "c3", "body": "Still there?"}))
    if s.deliver_stream("list rows of the messages") == 0:
        s.p.fail("the table stream held no change of a chat for list-rows after the messages")
    s.call("ws-resume", ws("watch_list", "aliceConn1=", {"action": "watch_list", "list": None}))
    gone(bob, watch=chat)
    s.call("chat-message", http("POST", f"/api/chats/{chat}/messages", customer, {"client_msg_id": "c2", "body": "Thanks"}), expect=(201,))
    s.call("chat-message", http("POST", f"/api/chats/{chat}/messages", alice, {"client_msg_id": "a2", "body": "Anything else?"}), expect=(201,))
    # Internal notes: written and read by an agent, pushed to the agents watching the chat (one
    # vanished), refused to the customer.
    gone(bob, watch=chat)
    s.call("chat-annotations", http("POST", f"/api/chats/{chat}/notes", alice, {"text": "Wants a bigger mailbox"}), expect=(201,))
    s.call("chat-annotations", http("GET", f"/api/chats/{chat}/notes", alice))
    s.call("chat-annotations", http("GET", f"/api/chats/{chat}/notes", customer), expect=(403,))
    gone(bob)
    tagged = s.call("chat-annotations", http("PUT", f"/api/chats/{chat}/tags", alice, {"tags": ["Mailbox", "vip"]})) or {}
    if tagged.get("tags") != ["mailbox", "vip"]:
        s.p.fail(f"chat-annotations: tags should be kept lower-cased and sorted, got {json.dumps(tagged)[:200]}")
    s.call("chat-list", http("GET", "/api/chats", alice, query="view=my_active&tag=vip"))
    gone(bob)
    s.call("chat-follow-up", http("POST", "/api/actions/follow-up", alice, {"chat_ids": [chat], "follow_up": {"due_at": int(time.time() * 1000) + 86_400_000, "note": "call back"}}))
    s.call("chat-follow-up", http("POST", "/api/actions/follow-up", alice, {"chat_ids": [chat], "follow_up": None}))

    # Bob (Support) has the chat open when Alice transfers it to Billing: the transfer
    # unsubscribes his socket, since he may no longer read it. Then back to Support, take it
    # back, end it with a resolution.
    s.connect("bobConn1=", bob)
    s.call("ws-resume", ws("watch", "bobConn1=", {"action": "watch", "chat_id": chat}))
    gone(bob)
    s.call("chat-transfer", http("POST", "/api/actions/transfer", alice, {"chat_ids": [chat], "to": {"kind": "group", "group_id": "billing"}}), what="transfer away from a watcher")
    s.call("chat-transfer", http("POST", "/api/actions/transfer", alice, {"chat_ids": [chat], "to": {"kind": "group", "group_id": "support"}}))
    s.call("queue-pull", http("POST", "/api/actions/take", alice, {"chat_ids": [chat]}))
    s.call("chat-transfer", http("POST", "/api/actions/transfer", alice, {"chat_ids": [chat], "to": {"kind": "agent", "agent_id": "bob"}}))
    gone(bob)
    s.call("chat-end", http("POST", "/api/actions/end", bob, {"chat_ids": [chat], "resolution": "Freed space."}))
    s.call("chat-list", http("GET", "/api/chats", bob, query="view=my_completed"))

    # A second chat the customer ends, then deleted, restored, purged.
    second = (s.call("chat-start", http("POST", "/api/chats", body={
        "group_id": "support", "name": "Ben", "question": "Invoice missing"}), expect=(201,)) or {})
    chat2, customer2 = (second.get("chat") or {}).get("id", "missing"), second.get("token")
    s.call("chat-end", http("POST", f"/api/chats/{chat2}/end", customer2))
    # Its transcript by e-mail: asked for twice by its customer (the second request reads the
    # first), its state read, then sent by the scheduled outbox delivery through SES.
    s.call("agent-profile", http("GET", "/api/mail/status", alice))
    for _ in range(2):
        s.call("chat-end", http("POST", f"/api/chats/{chat2}/transcript", customer2, {"to": "ben@example.com"}), expect=(202,))
    mails = s.call("chat-read", http("GET", f"/api/chats/{chat2}/mail", customer2)) or []
    if len(mails) != 2:
        s.p.fail(f"step {s.steps} chat-read mail: expected the 2 transcripts asked for, got {mails!r:.300}")
    s.deliver_mail("ben@example.com", "transcript")
    gone(bob)
    s.call("chat-delete", http("POST", "/api/actions/delete", alice, {"chat_ids": [chat2]}))
    s.call("chat-list", http("GET", "/api/chats", alice, query="view=deleted"))
    s.call("chat-delete", http("POST", "/api/actions/restore", alice, {"chat_ids": [chat2]}))
    s.call("chat-delete", http("POST", "/api/actions/delete", alice, {"chat_ids": [chat2]}))
    s.call("chat-delete", http("POST", "/api/actions/purge", alice, {"chat_ids": [chat2]}))

    # An automatic group: Carol (limit 1) is handed its chats without pulling, by whichever
    # function makes room for one.
    carol = (s.call("auth-login", http("POST", "/api/auth/login", body={"username": "carol", "password": PASSWORD})) or {}).get("token")
    s.call("agent-profile", http("PATCH", "/api/me", carol, {"available": False}))

    def start_priority(name):
        started = s.call("chat-start", http("POST", "/api/chats", body={
            "group_id": "priority", "name": name, "question": "The site is down"}), expect=(201,)) or {}
        return (started.get("chat") or {}), started.get("token")

    def expect_state(chat_id, token, state, what):
        got = (s.call("chat-read", http("GET", f"/api/chats/{chat_id}", token)) or {}).get("state")
        if got != state:
            s.p.fail(f"automatic distribution: {what}: chat is {got!r}, expected {state!r}")

    waiting, waiting_token = start_priority("Cy")
    if waiting.get("state") != "queued":
        s.p.fail(f"chat-start: with nobody available the chat must wait, got {waiting.get('state')!r}")
    gone(carol)
    s.call("agent-profile", http("PATCH", "/api/me", carol, {"available": True}), what="available: hands the waiting chat out")
    expect_state(waiting.get("id", "missing"), waiting_token, "active", "Carol became available")
    full, full_token = start_priority("Di")
    if full.get("state") != "queued":
        s.p.fail(f"chat-start: Carol is at her limit, the chat must wait, got {full.get('state')!r}")
    gone(carol)
    s.call("chat-end", http("POST", "/api/actions/end", carol, {"chat_ids": [waiting.get("id", "missing")]}), what="end: hands the next chat out")
    expect_state(full.get("id", "missing"), full_token, "active", "Carol ended a chat")
    s.call("chat-end", http("POST", f"/api/chats/{full.get('id', 'missing')}/end", full_token))
    straight, straight_token = start_priority("Ed")
    if straight.get("state") != "active" or straight.get("agent_name") != "Carol":
        s.p.fail(f"chat-start: Carol has room, the chat must go to her at once, got {json.dumps(straight)[:200]}")
    s.call("chat-end", http("POST", f"/api/chats/{straight.get('id', 'missing')}/end", straight_token))

    # A round-robin group: its members take turns (the turn is read and passed by chat-start).
    for name in ("dave", "erin"):
        token = (s.call("auth-login", http("POST", "/api/auth/login", body={"username": name, "password": PASSWORD})) or {}).get("token")
        s.call("agent-profile", http("PATCH", "/api/me", token, {"available": True}))
    turns = []
    for name in ("Fay", "Gus", "Hal"):
        started = s.call("chat-start", http("POST", "/api/chats", body={
            "group_id": "turns", "name": name, "question": "Whose turn?"}), expect=(201,)) or {}
        turns.append((started.get("chat") or {}).get("agent_name"))
    if turns != ["Dave", "Erin", "Dave"]:
        s.p.fail(f"chat-start: a round-robin group must hand chats out in turn, got {turns}")

    hand_offs(s, alice, gone)
    inbox(s, alice, bob, gone)
    administration(s, alice, gone)
    group_administration(s, alice)
    attachments(s, alice, gone)

    # A returning customer (known by e-mail): the history of the new chat holds the first one.
    for question in ("Mailbox full again", "And once more"):
        returning = s.call("chat-start", http("POST", "/api/chats", body={
            "group_id": "support", "name": "Ann", "email": "Ann@Example.com", "question": question}), expect=(201,)) or {}
        returning_id = (returning.get("chat") or {}).get("id", "missing")
        s.call("chat-end", http("POST", f"/api/chats/{returning_id}/end", returning.get("token")))
    history = s.call("chat-annotations", http("GET", f"/api/chats/{returning_id}/history", alice)) or {}
    if len(history.get("chats") or []) != 1:
        s.p.fail(f"chat-annotations: the returning customer's history should hold their first chat, got {json.dumps(history)[:300]}")
    canned_replies(s, alice)

    s.call("kb", http("DELETE", f"/api/kb/articles/{article_id}", alice))
    s.call("ws-resume", ws("unwatch", "aliceConn1=", {"action": "unwatch", "chat_id": chat}))
    s.call("ws-resume", ws("watch_list", "aliceConn1=", {"action": "watch_list", "list": {"view": "group", "group_id": "support", "inactive": False}}))
    s.call("ws-resume", ws("watch_list", "aliceConn1=", {"action": "watch_list", "list": None}))
    s.call("ws-disconnect", ws("$disconnect", "customerConn1="))
    s.call("ws-disconnect", ws("$disconnect", "aliceConn1="))
    s.call("ws-disconnect", ws("$disconnect", "bobConn1="))
    s.call("ws-disconnect", ws("$disconnect", "neverConnected="))


# A real 2x2 PNG: what a customer's screenshot looks like to the content check.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000002000000020802000000fdd49a730000001249444154789c"
    "63f8cfc0c000c20cff8100001fee05fb0bd9688b0000000049454e44ae426082")


def upload(target, data, what):
    """Sends `data` where a started upload says, as the browser does: the presigned POST form
    (fields in order, then the file) straight to the bucket."""
    import urllib.request
    import uuid

    boundary = uuid.uuid4().hex
    body = b""
    for name, value in target.get("fields", []):
        body += f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
    body += (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="upload"\r\n'
             f"Content-Type: application/octet-stream\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
    req = urllib.request.Request(target.get("url", ""), data=body, method=target.get("method", "POST"),
                                 headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    try:
        with urllib.request.urlopen(req, timeout=10) as res:
            return res.status
    except urllib.error.HTTPError as e:
        raise RuntimeError(f"{what}: the upload answered {e.code}: {e.read()[:300]!r}") from e


def attachments(s, alice, gone):
    """The customer of an active chat sends a screenshot: chat-attachments signs a POST form for
    the bucket, the bytes go there, and the confirmation reads them back (head and first bytes),
    keeps them under chats/ (copy) and removes the pending object; the chat's vanished socket is
    told. Alice gets a download link. An upload never sent is told apart (404: ListBucket), and
    an HTML page declared as an image is deleted and refused."""
    started = s.call("chat-start", http("POST", "/api/chats", body={
        "group_id": "support", "name": "Flo", "question": "Here is a screenshot"}), expect=(201,)) or {}
    chat, token = (started.get("chat") or {}).get("id", "missing"), started.get("token")
    s.call("queue-pull", http("POST", "/api/actions/pull", alice, {"chat_ids": [chat]}))
    gone(token)

    def start(name, data):
        body = {"file_name": name, "content_type": "image/png", "size": len(data)}
        return s.call("chat-attachments", http("POST", f"/api/chats/{chat}/attachments", token, body), expect=(201,)) or {}

    shot = start("screenshot.png", PNG)
    try:
        upload(shot.get("upload") or {}, PNG, "screenshot.png")
    except RuntimeError as e:
        s.p.fail(f"chat-attachments: {e}")
    sent = s.call("chat-attachments", http("POST", f"/api/chats/{chat}/attachments/{shot.get('attachment_id', 'missing')}/confirm", token),
                  expect=(201,)) or {}
    if ((sent.get("event") or {}).get("file") or {}).get("content_type") != "image/png":
        s.p.fail(f"chat-attachments: the confirmed screenshot should be an image/png event, got {json.dumps(sent)[:300]}")
    link = s.call("chat-attachments", http("GET", f"/api/chats/{chat}/attachments/{shot.get('attachment_id', 'missing')}", alice)) or {}
    if ATTACHMENTS_BUCKET not in link.get("url", ""):
        s.p.fail(f"chat-attachments: a download link should point into the bucket, got {json.dumps(link)[:300]}")

    never = start("never-sent.png", PNG)
    s.call("chat-attachments", http("POST", f"/api/chats/{chat}/attachments/{never.get('attachment_id', 'missing')}/confirm", token),
           expect=(400, 404, 409), what="confirm of an upload never sent")

    page = b"<html><script>alert(1)</script></html>"
    fake = start("fake.png", page)
    try:
        upload(fake.get("upload") or {}, page, "fake.png")
    except RuntimeError as e:
        s.p.fail(f"chat-attachments: {e}")
    s.call("chat-attachments", http("POST", f"/api/chats/{chat}/attachments/{fake.get('attachment_id', 'missing')}/confirm", token),
           expect=(400,), what="confirm of an HTML page declared as an image")
    s.call("chat-end", http("POST", f"/api/chats/{chat}/end", token))


def pool_user(s, username):
    """(Enabled, UserStatus, e-mail) of the user pool's user, or None when there is none."""
    try:
        user = s.cognito.admin_get_user(UserPoolId=s.user_pool, Username=username)
    except s.cognito.exceptions.UserNotFoundException:
        return None
    email = next((a["Value"] for a in user.get("UserAttributes", []) if a["Name"] == "email"), None)
    return user.get("Enabled"), user.get("UserStatus"), email


def administration(s, alice, gone):
    """Alice, an administrator, creates Ivy (with a password Alice types; the user pool invites her
    at her address), who signs in and opens a console that vanishes; Alice changes her, resets her
    password (her sessions end: her console is told and, gone, deleted; the old password is
    refused), deactivates, reactivates and deletes her (no chats on record; her pool user is
    disabled, enabled and deleted with her), and reads the audit log of all of it. Jay's pool
    user was made by hand: creating Jay links it (enabled again, at the address Alice gives) and
    generates no chatdesk password (the pool is Jay's way in)."""
    s.call("admin", http("GET", "/api/admin/agents", alice))
    s.call("admin", http("POST", "/api/admin/agents", alice, {
        "username": "ivy", "display_name": "Ivy", "role": "agent", "groups": ["support"]}),
        expect=(400,), what="an agent without the address the pool's invitation goes to")
    if pool_user(s, "ivy") is not None:
        s.p.fail("admin: a refused creation left a pool user behind")
    password = "ivy-typed-by-alice"
    created = s.call("admin", http("POST", "/api/admin/agents", alice, {
        "username": "ivy", "display_name": "Ivy", "role": "agent", "groups": ["support"],
        "email": "ivy@example.com", "password": password}), expect=(201,)) or {}
    if pool_user(s, "ivy") != (True, "FORCE_CHANGE_PASSWORD", "ivy@example.com"):
        s.p.fail(f"admin: Ivy's pool user should be invited at her address, got {pool_user(s, 'ivy')}")
    if created.get("password") is not None:
        s.p.fail(f"admin: a password Alice typed is never answered back, got {json.dumps(created)[:200]}")
    ivy = (s.call("auth-login", http("POST", "/api/auth/login", body={"username": "ivy", "password": password or ""})) or {}).get("token")
    gone(ivy)
    s.call("admin", http("PUT", "/api/admin/agents/ivy", alice, {
        "display_name": "Ivy B.", "role": "agent", "groups": ["support"], "max_concurrent_chats": 3}))
    s.call("admin", http("POST", "/api/admin/agents/ivy/password", alice))
    s.call("auth-login", http("POST", "/api/auth/login", body={"username": "ivy", "password": password or ""}), expect=(401,), what="the old password after a reset")
    s.call("admin", http("POST", "/api/admin/agents/ivy/deactivate", alice))
    if (pool_user(s, "ivy") or (None,))[0] is not False:
        s.p.fail(f"admin: a deactivated agent's pool user should be disabled, got {pool_user(s, 'ivy')}")
    s.call("admin", http("POST", "/api/admin/agents/ivy/reactivate", alice))
    if (pool_user(s, "ivy") or (None,))[0] is not True:
        s.p.fail(f"admin: a reactivated agent's pool user should be enabled, got {pool_user(s, 'ivy')}")
    s.call("admin", http("DELETE", "/api/admin/agents/ivy", alice))
    if pool_user(s, "ivy") is not None:
        s.p.fail("admin: a deleted agent's pool user should be gone")
    s.cognito.admin_create_user(UserPoolId=s.user_pool, Username="jay", MessageAction="SUPPRESS",
                                UserAttributes=[{"Name": "email", "Value": "jay.old@example.com"}])
    s.cognito.admin_disable_user(UserPoolId=s.user_pool, Username="jay")
    jay = s.call("admin", http("POST", "/api/admin/agents", alice, {
        "username": "jay", "display_name": "Jay", "role": "agent", "email": "jay@example.com"}), expect=(201,)) or {}
    linked = pool_user(s, "jay") or (None, None, None)
    if linked[0] is not True or linked[2] != "jay@example.com":
        s.p.fail(f"admin: an existing pool user should be linked, enabled and given the address, got {linked}")
    if jay.get("password") is not None:
        s.p.fail(f"admin: a pool user signs in through the pool, so no chatdesk password is generated, got {json.dumps(jay)[:200]}")
    s.call("admin", http("DELETE", "/api/admin/agents/jay", alice))
    log = s.call("admin", http("GET", "/api/admin/audit", alice, query="limit=20")) or {}
    actions = [e.get("action") for e in log.get("entries", []) if (e.get("target") or {}).get("id") == "ivy"]
    expected = ["agent_deleted", "agent_reactivated", "agent_deactivated", "password_reset", "agent_updated", "agent_created"]
    if actions != expected:
        s.p.fail(f"admin: the audit log must list Ivy's story newest first, got {actions}")



def group_administration(s, alice):
    """Alice creates Returns, renames it and gives it Dave; a customer starts a chat there and another
    leaves a message; Alice removes Returns, moving both to Support, and saves the organisation's
    idle thresholds. The audit log tells the group's story."""
    s.call("admin", http("GET", "/api/admin/groups", alice))
    s.call("admin", http("POST", "/api/admin/groups", alice, {"id": "returns", "name": "Returns"}), expect=(201,))
    s.call("admin", http("PUT", "/api/admin/groups/returns", alice, {"name": "Returns & refunds"}))
    # Dave (no console open here: Alice's stays for the steps after this one) joins it.
    s.call("admin", http("PUT", "/api/admin/groups/returns/members", alice, {"members": ["dave"]}))
    started = s.call("chat-start", http("POST", "/api/chats", body={
        "group_id": "returns", "name": "Rae", "question": "Where do I send it back?"}), expect=(201,)) or {}
    s.call("message-leave", http("POST", "/api/messages", body={
        "group_id": "returns", "name": "Rex", "email": "rex@example.com",
        "question": "Refund please"}), expect=(201,))
    s.call("admin", http("DELETE", "/api/admin/groups/returns", alice), expect=(409,), what="removing a group with chats without saying where they go")
    removal = s.call("admin", http("DELETE", "/api/admin/groups/returns", alice, query="move_to=support")) or {}
    if removal != {"moved": 2, "removed": True}:
        s.p.fail(f"admin: removing Returns must move its chat and message to Support, got {removal}")
    chat, customer = (started.get("chat") or {}).get("id", "missing"), started.get("token")
    s.call("chat-end", http("POST", f"/api/chats/{chat}/end", customer))
    settings = s.call("admin", http("GET", "/api/admin/organisation", alice)) or {}
    s.call("admin", http("PUT", "/api/admin/organisation", alice, {
        "idle_warning_secs": 90, "idle_high_secs": 240, "revision": settings.get("revision", 0)}))
    log = s.call("admin", http("GET", "/api/admin/audit", alice, query="limit=50")) or {}
    actions = [e.get("action") for e in log.get("entries", []) if (e.get("target") or {}).get("id") == "returns"]
    if actions != ["group_removed", "group_updated", "group_created"]:
        s.p.fail(f"admin: the audit log must list Returns' story newest first, got {actions}")

def inbox(s, alice, bob, gone):
    """Messages left for Support's inbox (message-leave) and their handling (inbox); each change
    goes to the consoles of Support's members, one of which vanished."""
    gone(bob)
    left = s.call("message-leave", http("POST", "/api/messages", body={
        "group_id": "support", "name": "Kim", "email": "kim@example.com",
        "question": "Please call me back"}), expect=(201,)) or {}
    message = left.get("id", "missing")
    started = s.call("chat-start", http("POST", "/api/chats", body={
        "group_id": "support", "name": "Lou", "question": "Waiting too long"}), expect=(201,)) or {}
    waiting, waiting_token = (started.get("chat") or {}).get("id", "missing"), started.get("token")
    gone(bob)
    turned = s.call("message-leave", http("POST", f"/api/chats/{waiting}/message", waiting_token,
                                          {"email": "lou@example.com"}), expect=(201,)) or {}
    if turned.get("id") != waiting:
        s.p.fail(f"message-leave: a queued chat turned into a message answered {json.dumps(turned)[:200]}")
    page = s.call("inbox", http("GET", "/api/messages", alice, query="group_id=support&status=open")) or {}
    listed = [m.get("id") for m in page.get("messages") or []]
    if message not in listed or waiting not in listed:
        s.p.fail(f"inbox: Support's open messages {listed} lack {message} or {waiting}")
    s.call("inbox", http("GET", f"/api/messages/{message}", alice))
    gone(bob)
    s.call("inbox", http("POST", f"/api/messages/{message}/assign", alice))
    s.call("inbox", http("POST", f"/api/messages/{message}/notes", alice, {"body": "Tried calling"}))
    replied = s.call("inbox", http("POST", f"/api/messages/{message}/reply", alice, {"body": "We called you."})) or {}
    if replied.get("status") != "answered":
        s.p.fail(f"inbox: a reply should answer the message, got {json.dumps(replied)[:200]}")
    s.call("inbox", http("POST", f"/api/messages/{message}/close", alice))
    s.call("inbox", http("POST", f"/api/messages/{message}/reopen", alice))


def canned_replies(s, alice):
    """Alice's personal canned reply (canned-replies): created (the reply and its shortcut guard),
    listed, read, edited onto a new shortcut (the old guard deleted, the new one put), used in a
    Support chat (the count raised by UpdateItem), reviewed and deleted."""
    created = s.call("canned-replies", http("POST", "/api/canned-replies", alice, {
        "scope": "personal", "shortcut": "callback", "title": "Call back",
        "body": "Hi {customer_name}, {agent_name} of {group} will call you."}), expect=(201,)) or {}
    reply = created.get("id", "missing")
    listed = s.call("canned-replies", http("GET", "/api/canned-replies", alice, query="group_id=support&q=call")) or []
    if [r.get("id") for r in listed] != [reply]:
        s.p.fail(f"canned-replies: the list by prefix should be the new reply, got {json.dumps(listed)[:200]}")
    s.call("canned-replies", http("GET", f"/api/canned-replies/{reply}", alice))
    s.call("canned-replies", http("PUT", f"/api/canned-replies/{reply}", alice, {
        "scope": "personal", "shortcut": "call-back", "title": "Call back",
        "body": "Hi {customer_name}, we will call you.", "revision": created.get("revision", 1)}))
    started = s.call("chat-start", http("POST", "/api/chats", body={
        "group_id": "support", "name": "Mo", "question": "Call me"}), expect=(201,)) or {}
    chat = (started.get("chat") or {}).get("id", "missing")
    used = s.call("canned-replies", http("POST", f"/api/canned-replies/{reply}/use", alice, {"chat_id": chat})) or {}
    if used.get("text") != "Hi Mo, we will call you." or used.get("usage_count") != 1:
        s.p.fail(f"canned-replies: use should fill the reply and count it, got {json.dumps(used)[:200]}")
    s.call("canned-replies", http("POST", f"/api/canned-replies/{reply}/reviewed", alice))
    s.call("canned-replies", http("DELETE", f"/api/canned-replies/{reply}", alice))


def hand_offs(s, alice, gone):
    """A group's settings (group-settings) and its hand-off timers running out (hand-off-timers,
    run on a scheduled event), with the presence ws-connect and ws-disconnect keep. Relay's
    members Frank and Gina take one chat each."""
    relay = "/api/groups/relay/settings"

    def login(name):
        body = {"username": name, "password": PASSWORD}
        return (s.call("auth-login", http("POST", "/api/auth/login", body=body)) or {}).get("token")

    def settings(first=0, disconnected=0):
        return {"distribution": "automatic", "hand_off": {
            "no_first_response_secs": first, "no_follow_up_secs": 0,
            "agent_disconnected_secs": disconnected, "max_hand_offs": 3}}

    def chat_of(chat_id, token):
        return s.call("chat-read", http("GET", f"/api/chats/{chat_id}", token)) or {}

    def handed_off(chat_id, count, what):
        stored = s.events_of(chat_id, "handed_off")
        if len(stored) != count:
            s.p.fail(f"hand-off timers: {what}: {len(stored)} handed_off event items, expected {count}")

    frank, gina = login("frank"), login("gina")
    names = {"Frank": ("frank", gina), "Gina": ("gina", frank)}
    got = s.call("group-settings", http("GET", relay, frank)) or {}
    if got.get("distribution") != "pull" or not got.get("hand_off"):
        s.p.fail(f"group-settings: relay read back as {json.dumps(got)[:200]}")
    s.call("group-settings", http("PUT", relay, frank, settings(first=1)), expect=(403,), what="PUT by an agent (refused)")
    for token in (frank, gina):
        s.call("agent-profile", http("PATCH", "/api/me", token, {"available": True}))
    started = s.call("chat-start", http("POST", "/api/chats", body={
        "group_id": "relay", "name": "Ida", "question": "Is anyone there?"}), expect=(201,)) or {}
    ida, ida_token = (started.get("chat") or {}).get("id", "missing"), started.get("token")
    s.connect("idaConn1=", ida_token)
    s.connect("frankConn1=", frank)
    s.connect("ginaConn1=", gina)

    # Automatic with a one-second first-response timer: the waiting chat is handed out at once.
    gone(ida_token)
    saved = s.call("group-settings", http("PUT", relay, alice, settings(first=1)), what="PUT: automatic, hands the waiting chat out") or {}
    if saved.get("distribution") != "automatic" or (saved.get("hand_off") or {}).get("no_first_response_secs") != 1:
        s.p.fail(f"group-settings: PUT answered {json.dumps(saved)[:200]}")
    first = chat_of(ida, ida_token).get("agent_name")
    if first not in names:
        s.p.fail(f"group-settings: the waiting chat was not handed out when relay became automatic (agent {first!r})")
        return
    other_name = "Gina" if first == "Frank" else "Frank"
    other_id, _ = names[other_name]
    other_token = frank if other_name == "Frank" else gina

    # Its agent never writes: past the timer, the sweep hands it to the other member.
    time.sleep(1.2)
    gone(ida_token)
    report = s.sweep("no first response")
    after = chat_of(ida, ida_token)
    if report.get("to_agent") != 1 or after.get("state") != "active" or after.get("agent_name") != other_name:
        s.p.fail(f"hand-off timers: no first response from {first}: expected the chat with {other_name}, "
                 f"got {after.get('state')!r} with {after.get('agent_name')!r}; sweep {report}")
    handed_off(ida, 1, "no first response")

    # Now a disconnected timer only. A second chat fills the first agent (one chat each); the
    # other's console closes (ws-disconnect marks them offline), and past the timer the sweep
    # finds nobody with room: the chat goes back to the head of the queue.
    s.call("group-settings", http("PUT", relay, alice, settings(disconnected=1)), what="PUT: disconnected timer")
    second = s.call("chat-start", http("POST", "/api/chats", body={
        "group_id": "relay", "name": "Jo", "question": "Hello?"}), expect=(201,)) or {}
    if (second.get("chat") or {}).get("agent_name") != first:
        s.p.fail(f"chat-start: relay's second chat should go to {first}, got {json.dumps(second)[:200]}")
    s.call("ws-disconnect", ws("$disconnect", f"{other_id}Conn1="), what=f"$disconnect: {other_name}'s last console")
    time.sleep(1.2)
    gone(ida_token)
    report = s.sweep("agent disconnected")
    after = chat_of(ida, ida_token)
    if report.get("to_queue") != 1 or after.get("state") != "queued":
        s.p.fail(f"hand-off timers: {other_name} disconnected, {first} full: expected the chat back in the queue, "
                 f"got {after.get('state')!r} with {after.get('agent_name')!r}; sweep {report}")
    handed_off(ida, 2, "agent disconnected")

    # The console comes back: ws-connect marks them online and hands them the waiting chat.
    gone(ida_token)
    s.connect(f"{other_id}Conn2=", other_token, what=f"$connect: {other_name} back online")
    after = chat_of(ida, ida_token)
    if after.get("state") != "active" or after.get("agent_name") != other_name:
        s.p.fail(f"ws-connect: {other_name} came back online with room: expected the waiting chat, "
                 f"got {after.get('state')!r} with {after.get('agent_name')!r}")
    s.call("ws-disconnect", ws("$disconnect", f"{other_id}Conn2="))
    s.call("ws-disconnect", ws("$disconnect", f"{names[first][0]}Conn1="))
    s.call("ws-disconnect", ws("$disconnect", "idaConn1="))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin-dir", required=True, help="where the function binaries are (target/debug)")
    parser.add_argument("--manifest", required=True)
    args = parser.parse_args()

    p = Problems("functions exercised")
    manifest = json.loads(Path(args.manifest).read_text())
    if "table" not in manifest:
        p.fail('the manifest has no "table": cannot create the table the functions use')
        return p.finish()
    permissions = load_permissions()["functions"]
    endpoint, recorder = start_moto()
    table = "chatdesk-exercise"
    create_table(endpoint, manifest["table"], table)
    bin_dir = Path(args.bin_dir).resolve()
    seed(endpoint, table, bin_dir)
    import boto3

    boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="testing",
                 aws_secret_access_key="testing").create_bucket(Bucket=ATTACHMENTS_BUCKET)
    # The agents' user pool, as the template's AgentUserPool: the admin function keeps its users.
    cognito = boto3.client("cognito-idp", endpoint_url=endpoint, region_name="us-east-1",
                           aws_access_key_id="testing", aws_secret_access_key="testing")
    user_pool = cognito.create_user_pool(PoolName="chatdesk-exercise-agents")["UserPool"]["Id"]

    def env_for(function):
        return function_env(endpoint, table, function, user_pool)

    s = Scenario(bin_dir, recorder, env_for, permissions, p)
    s.endpoint, s.table = endpoint, table
    s.cognito, s.user_pool = cognito, user_pool
    if "table_stream" in manifest:
        s.open_stream(endpoint, table, manifest["table_stream"])
    started = time.perf_counter()
    run(s)
    elapsed = time.perf_counter() - started

    for function, want in sorted(permissions.items()):
        used = s.used[function]
        if used["events"] == 0:
            p.fail(f"{function}: no step of the scenario exercised it")
            continue
        beyond = used["actions"] - set(want["dynamodb"])
        if beyond:
            p.fail(f"{function}: used {sorted(beyond)}, which infra/permissions.json does not grant (AccessDenied in AWS)")
        beyond_idx = used["indexes"] - set(want["indexes"])
        if beyond_idx:
            p.fail(f"{function}: queried index {sorted(beyond_idx)}, not granted in infra/permissions.json")
        if used["sent_email"] != want.get("sends_email", False):
            p.fail(f"{function}: {'sent' if used['sent_email'] else 'never sent'} e-mail, permissions.json says sends_email={want.get('sends_email', False)}")
        beyond_s3 = used["s3"] - {f"s3:{a}" for a in want.get("s3", [])}
        if beyond_s3:
            p.fail(f"{function}: used {sorted(beyond_s3)} on the attachments bucket, which infra/permissions.json does not grant")
        unused_s3 = {f"s3:{a}" for a in want.get("s3", [])} - used["s3"]
        if unused_s3:
            p.fail(f"{function}: granted {sorted(unused_s3)} on the attachments bucket but never used them")
        granted_cognito = {f"cognito-idp:{a}" for a in want.get("cognito_idp", [])}
        if used["cognito"] - granted_cognito:
            p.fail(f"{function}: used {sorted(used['cognito'] - granted_cognito)} on the user pool, which infra/permissions.json does not grant")
        if granted_cognito - used["cognito"]:
            p.fail(f"{function}: granted {sorted(granted_cognito - used['cognito'])} on the user pool but never used them")
        if used["posted"] and not want["posts_to_connections"]:
            p.fail(f"{function}: posted to @connections, but posts_to_connections is false")
        unused = set(want["dynamodb"]) - used["actions"]
        if unused:
            p.fail(f"{function}: granted {sorted(unused)} but never used them: remove them from infra/permissions.json "
                   "and the template, or add a step to this scenario that needs them")
        unused_idx = set(want["indexes"]) - used["indexes"]
        if unused_idx:
            p.fail(f"{function}: granted index {sorted(unused_idx)} but never queried it")
        if want["posts_to_connections"] and not used["posted"]:
            p.fail(f"{function}: may post to @connections but never did in this scenario")
        note = ""
        idx = f" + index {', '.join(sorted(used['indexes']))}" if used["indexes"] else ""
        post = " + posted" if used["posted"] else ""
        post += f" + {', '.join(sorted(used['s3']))}" if used["s3"] else ""
        post += f" + {', '.join(sorted(used['cognito']))}" if used["cognito"] else ""
        p.ok(f"{function}: {used['events']} events; used {', '.join(sorted(used['actions'])) or 'nothing'}{idx}{post}{note}")
    p.ok(f"{s.steps} events through {len(permissions)} function binaries in {elapsed:.1f} s: each used exactly what infra/permissions.json grants it")
    return p.finish()


if __name__ == "__main__":
    sys.exit(main())
