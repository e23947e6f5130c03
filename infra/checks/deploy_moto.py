#!/usr/bin/env python3
"""Expands infra/template.yaml with AWS SAM's own translator (offline: fake account, region and
managed-policy ARNs), deploys the result to a moto server's CloudFormation, and checks what was
created: the table with its keys, GSIs and projections as the manifest says, and each function's
execution role carrying exactly the policy of infra/permissions.json after SAM's expansion.

    deploy_moto.py --endpoint http://127.0.0.1:PORT --manifest M [--table-name-file F]

moto implements part of CloudFormation: resource types it does not know are left out of the
stack it deploys (references to them become placeholder strings), and the script prints which;
those are covered by cfn-lint and the template checks instead. Writes the deployed table's name to F for the smoke test."""

import argparse
import ast
import copy
import io
import json
import os
import sys
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from template_model import (  # noqa: E402
    Problems,
    function_binaries,
    load_manifest,
    load_permissions,
    load_template,
)

REGION = "us-east-1"
ACCOUNT = "123456789012"
# Unique per run, so a reused moto server does not clash with an earlier stack.
STACK = f"chatdesk-check-{os.getpid()}"
ARTIFACTS = f"chatdesk-check-artifacts-{os.getpid()}"
CODE_KEY = "functions.zip"

# What `sam package` would do: local CodeUri -> S3 object.
CODE_URI = f"s3://{ARTIFACTS}/{CODE_KEY}"
LAYER_KEY = "layer.zip"
LAYER_URI = f"s3://{ARTIFACTS}/{LAYER_KEY}"


def moto_types():
    """Resource types moto's CloudFormation implements (it accepts others but creates nothing)."""
    from moto.cloudformation.parsing import get_model_map

    return set(get_model_map())


class OfflinePolicyLoader:
    """SAM asks IAM for the ARNs of AWS managed policies it attaches; offline, name them."""

    def load(self):
        names = ["AWSLambdaBasicExecutionRole", "AWSLambdaRole", "AWSXrayWriteOnlyAccess"]
        return {n: f"arn:aws:iam::aws:policy/service-role/{n}" for n in names}


def expand(template):
    """The template after SAM's transform, as CloudFormation would receive it."""
    from samtranslator.translator.transform import transform

    sam = copy.deepcopy(json.loads(json.dumps(template)))
    sam.setdefault("Globals", {}).setdefault("Function", {})["CodeUri"] = CODE_URI
    for res in sam["Resources"].values():
        if res.get("Type") == "AWS::Serverless::Function":
            res.setdefault("Properties", {})["CodeUri"] = CODE_URI
        if res.get("Type") == "AWS::Serverless::LayerVersion":
            res.setdefault("Properties", {})["ContentUri"] = LAYER_URI
    return transform(sam, {}, OfflinePolicyLoader())


def placeholder(name, attr=None):
    return f"moto-left-out-{name}" + (f"-{attr}" if attr else "")


def without(value, dropped):
    """`value` with every reference to a left-out resource replaced by a placeholder string
    (moto stores ARNs and environment variables without resolving them)."""
    import re

    if isinstance(value, dict):
        if len(value) == 1:
            (k, v), = value.items()
            if k == "Ref" and v in dropped:
                return placeholder(v)
            if k == "Fn::GetAtt":
                name, attr = (v.split(".", 1) if isinstance(v, str) else v)
                if name in dropped:
                    return placeholder(name, attr)
            if k == "Fn::Sub":
                text, variables = (v, None) if isinstance(v, str) else (v[0], v[1])

                def swap(m):
                    name, _, attr = m.group(1).partition(".")
                    return placeholder(name, attr or None) if name in dropped else m.group(0)

                text = re.sub(r"\$\{([^!}][^}]*)\}", swap, text)
                return {"Fn::Sub": text if variables is None else [text, without(variables, dropped)]}
        return {k: without(v, dropped) for k, v in value.items()}
    if isinstance(value, list):
        return [without(v, dropped) for v in value]
    return value


def moto_subset(expanded):
    """The expanded template with only the resource types moto implements; references to the
    others become placeholders."""
    supported = moto_types()
    resources = expanded["Resources"]
    dropped = {n for n, r in resources.items() if r["Type"] not in supported}
    kept = {}
    for name, res in resources.items():
        if name in dropped:
            continue
        res = without(copy.deepcopy(res), dropped)
        depends = res.get("DependsOn")
        if depends is not None:
            depends = [depends] if isinstance(depends, str) else depends
            res["DependsOn"] = [d for d in depends if d not in dropped]
        kept[name] = res
    subset = {k: v for k, v in expanded.items() if k != "Outputs"}
    subset["Resources"] = kept
    return subset, sorted(dropped)


def check_schedules(client, manifest, fn_binary, subset, physical, p):
    """The manifest's scheduled functions as deployed: their EventBridge rule (schedule, state,
    the function as its one target) and the function's resource policy letting EventBridge invoke
    it from that rule only. moto keeps rules but never fires a schedule: the run of the function
    on a scheduled event is infra/checks/exercise_functions.py's."""
    schedules = manifest.get("schedules") or []
    if not schedules:
        return
    events, lam = client("events"), client("lambda")
    rules = [n for n, r in subset["Resources"].items() if r["Type"] == "AWS::Events::Rule"]
    for schedule in schedules:
        binary = schedule["function"]
        logical = next((l for l, b in fn_binary.items() if b == binary), None)
        if logical not in physical:
            p.fail(f"{binary}: its function was not deployed")
            continue
        function_arn = lam.get_function(FunctionName=physical[logical])["Configuration"]["FunctionArn"]
        found = []
        for rname in rules:
            if rname not in physical:
                p.fail(f"{rname}: the rule was not deployed")
                continue
            rule = events.describe_rule(Name=physical[rname])
            targets = events.list_targets_by_rule(Rule=physical[rname])["Targets"]
            if [t["Arn"] for t in targets] == [function_arn]:
                found.append((rname, rule))
        if len(found) != 1:
            p.fail(f"{binary}: expected one deployed rule targeting {function_arn}, found {[r for r, _ in found]}")
            continue
        rname, rule = found[0]
        if rule.get("ScheduleExpression") != schedule["schedule_expression"] or rule.get("State") != "ENABLED":
            p.fail(f"{rname}: deployed as {rule.get('ScheduleExpression')!r} {rule.get('State')!r}, "
                   f"the manifest says {schedule['schedule_expression']!r} ENABLED")
            continue
        policy = json.loads(lam.get_policy(FunctionName=physical[logical])["Policy"])
        from_events = [st for st in policy.get("Statement", [])
                       if (st.get("Principal") or {}).get("Service") == "events.amazonaws.com"]
        sources = [((st.get("Condition") or {}).get("ArnLike") or {}).get("AWS:SourceArn") for st in from_events]
        if len(from_events) != 1 or sources != [rule["Arn"]] or from_events[0].get("Action") != "lambda:InvokeFunction":
            p.fail(f"{logical}: deployed resource policy for events.amazonaws.com {from_events}, expected "
                   f"lambda:InvokeFunction from {rule['Arn']} only")
            continue
        p.ok(f"deployed rule {rname}: {rule['ScheduleExpression']}, {rule['State']}, target {binary}; "
             "its function's resource policy lets EventBridge invoke it from that rule only "
             "(moto never fires the schedule: exercise_functions.py runs the function on a scheduled event)")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--manifest", required=True)
    parser.add_argument("--table-name-file")
    parser.add_argument("--template", help="another template file (default infra/template.yaml)")
    args = parser.parse_args()

    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    os.environ["AWS_DEFAULT_REGION"] = REGION
    import boto3

    def client(name):
        return boto3.client(name, endpoint_url=args.endpoint, region_name=REGION)

    p = Problems("deploy to moto")
    template = load_template(args.template) if args.template else load_template()
    manifest = load_manifest(args.manifest)
    fn_binary = function_binaries(template)

    expanded = expand(template)
    types = {}
    for r in expanded["Resources"].values():
        types[r["Type"]] = types.get(r["Type"], 0) + 1
    if any(t.startswith("AWS::Serverless::") for t in types):
        p.fail(f"SAM left serverless resources unexpanded: {[t for t in types if t.startswith('AWS::Serverless::')]}")
    p.ok(f"samtranslator expanded the template to {len(expanded['Resources'])} resources "
         f"({types.get('AWS::Lambda::Function', 0)} functions, {types.get('AWS::IAM::Role', 0)} roles, "
         f"{types.get('AWS::ApiGatewayV2::Route', 0)} WebSocket routes, {types.get('AWS::Lambda::Permission', 0)} permissions)")

    subset, dropped = moto_subset(expanded)
    dropped_types = sorted({expanded["Resources"][d]["Type"] for d in dropped})
    print(f"  note: moto cannot deploy {len(dropped)} resources of types {', '.join(dropped_types)}; deploying the other {len(subset['Resources'])}")

    s3 = client("s3")
    s3.create_bucket(Bucket=ARTIFACTS)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("bootstrap", "#!/bin/sh\n")
    s3.put_object(Bucket=ARTIFACTS, Key=CODE_KEY, Body=buf.getvalue())
    layer = io.BytesIO()
    with zipfile.ZipFile(layer, "w") as z:
        z.writestr("all-MiniLM-L6-v2/README", "stands in for the model files\n")
    s3.put_object(Bucket=ARTIFACTS, Key=LAYER_KEY, Body=layer.getvalue())

    cfn = client("cloudformation")
    cfn.create_stack(
        StackName=STACK,
        TemplateBody=json.dumps(subset),
        Capabilities=["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"],
    )
    status = None
    for _ in range(120):
        stack = cfn.describe_stacks(StackName=STACK)["Stacks"][0]
        status = stack["StackStatus"]
        if not status.endswith("IN_PROGRESS"):
            break
        time.sleep(0.5)
    if status != "CREATE_COMPLETE":
        events = cfn.describe_stack_events(StackName=STACK)["StackEvents"]
        reasons = [f"{e['LogicalResourceId']}: {e.get('ResourceStatusReason')}" for e in events if "FAILED" in e["ResourceStatus"]]
        p.fail(f"stack {STACK} ended {status}: {reasons[:5]}")
        return p.finish()
    physical = {
        r["LogicalResourceId"]: r["PhysicalResourceId"]
        for r in cfn.describe_stack_resources(StackName=STACK)["StackResources"]
        if "LogicalResourceId" in r and "PhysicalResourceId" in r
    }
    p.ok(f"moto CloudFormation created stack {STACK}: {len(physical)} resources, CREATE_COMPLETE")

    # The table, as DynamoDB describes it.
    tables = [n for n, r in subset["Resources"].items() if r["Type"] == "AWS::DynamoDB::Table"]
    if len(tables) != 1 or tables[0] not in physical:
        p.fail(f"expected the stack to create one table, found {tables}")
        return p.finish()
    table_name = physical[tables[0]]
    desc = client("dynamodb").describe_table(TableName=table_name)["Table"]
    spec = manifest.get("table")
    if spec is None:
        p.fail('the manifest has no "table" yet: nothing to compare the deployed table with')
        return p.finish()

    def keys(schema):
        d = {k["KeyType"]: k["AttributeName"] for k in schema}
        return (d.get("HASH"), d.get("RANGE"))

    if keys(desc["KeySchema"]) != (spec["partition_key"], spec["sort_key"]):
        p.fail(f"deployed table keys {keys(desc['KeySchema'])} != manifest")
    deployed_gsis = {
        g["IndexName"]: (*keys(g["KeySchema"]), g["Projection"]["ProjectionType"])
        for g in desc.get("GlobalSecondaryIndexes", [])
    }
    wanted_gsis = {g["name"]: (g["partition_key"], g["sort_key"], g["projection"]) for g in spec["global_secondary_indexes"]}
    if deployed_gsis != wanted_gsis:
        p.fail(f"deployed GSIs {deployed_gsis} != manifest {wanted_gsis}")
    else:
        p.ok(f"deployed table {table_name}: keys {keys(desc['KeySchema'])}, GSIs "
             + ", ".join(f"{n} {v[:2]} {v[2]}" for n, v in sorted(deployed_gsis.items())))
    stream_view = desc.get("StreamSpecification", {}).get("StreamViewType")
    if stream_view != spec.get("stream_view_type"):
        p.fail(f"deployed table stream {stream_view} != manifest {spec.get('stream_view_type')}")
    if desc.get("BillingModeSummary", {}).get("BillingMode") not in (None, "PAY_PER_REQUEST"):
        p.fail(f"deployed table billing mode {desc['BillingModeSummary']}")

    # Each function's role after SAM's expansion: exactly the permissions.json actions.
    iam = client("iam")
    spec_perm = load_permissions()["functions"]
    checked = 0
    for logical, binary in sorted(fn_binary.items()):
        role_logical = f"{logical}Role"
        if role_logical not in physical:
            p.fail(f"{logical}: its role {role_logical} was not deployed")
            continue
        role = physical[role_logical]
        actions, table_resources = set(), set()
        names = iam.list_role_policies(RoleName=role)["PolicyNames"]
        for name in names:
            doc = iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"]
            if isinstance(doc, str):
                # moto returns what it was given; through CloudFormation that is a Python repr.
                try:
                    doc = json.loads(doc)
                except json.JSONDecodeError:
                    doc = ast.literal_eval(doc)
            for st in doc.get("Statement", []):
                acts = st.get("Action", [])
                acts = [acts] if isinstance(acts, str) else acts
                actions |= set(acts)
                if any(a.startswith("dynamodb:") for a in acts):
                    res = st.get("Resource", [])
                    table_resources |= set([res] if isinstance(res, str) else res)
        table_arn = desc["TableArn"]
        reads_stream = spec_perm[binary].get("reads_table_stream", False)
        want_resources = ({table_arn} if spec_perm[binary]["dynamodb"] else set()) | {
            f"{table_arn}/index/{i}" for i in spec_perm[binary]["indexes"]
        } | ({desc.get("LatestStreamArn")} if reads_stream else set())
        if table_resources != want_resources:
            p.fail(f"{logical}: deployed role's DynamoDB resources {sorted(table_resources)} != {sorted(want_resources)}")
        # moto does not attach managed policies: read them from the expanded template.
        attached = [
            str(a).rsplit("/", 1)[-1]
            for a in expanded["Resources"][role_logical]["Properties"].get("ManagedPolicyArns", [])
        ]
        want = {f"dynamodb:{a}" for a in spec_perm[binary]["dynamodb"]}
        if spec_perm[binary]["posts_to_connections"]:
            want.add("execute-api:ManageConnections")
        if spec_perm[binary].get("sends_email"):
            want.add("ses:SendEmail")
        want |= {f"s3:{a}" for a in spec_perm[binary].get("s3", [])}
        want |= {f"cognito-idp:{a}" for a in spec_perm[binary].get("cognito_idp", [])}
        if reads_stream:
            want |= {f"dynamodb:{a}" for a in ("DescribeStream", "GetRecords", "GetShardIterator", "ListStreams")}
        if actions != want:
            p.fail(f"{logical}: deployed role allows {sorted(actions)}, permissions.json {sorted(want)}")
        if attached != ["AWSLambdaBasicExecutionRole"]:
            p.fail(f"{logical}: deployed role has managed policies {attached}, expected only AWSLambdaBasicExecutionRole (logs)")
        checked += 1
    p.ok(f"{checked} deployed execution roles: inline actions and table/index ARNs = permissions.json, managed policy = AWSLambdaBasicExecutionRole only")

    # The stream's consumer: its event source mapping, as deployed, reads the table's stream.
    consumer = manifest.get("table_stream")
    if consumer:
        logical = next((l for l, b in fn_binary.items() if b == consumer["function"]), None)
        mappings = []
        if logical in physical:
            mappings = client("lambda").list_event_source_mappings(FunctionName=physical[logical])["EventSourceMappings"]
        on_stream = [m for m in mappings if m.get("EventSourceArn") == desc.get("LatestStreamArn")]
        if len(on_stream) != 1:
            p.fail(f"{consumer['function']}: expected one deployed event source mapping on the table's stream, found {mappings}")
        else:
            m = on_stream[0]
            patterns = [json.loads(f["Pattern"]) for f in m.get("FilterCriteria", {}).get("Filters", [])]
            if m.get("BatchSize") != consumer["batch_size"] or patterns != [json.loads(consumer["filter_pattern"])]:
                p.fail(f"{consumer['function']}: deployed mapping batch {m.get('BatchSize')}, filters {patterns} != manifest")
            else:
                p.ok(f"deployed event source mapping: the table's stream ({stream_view}) -> {consumer['function']}, "
                     f"batches of {m.get('BatchSize')}, the manifest's filter")

    check_schedules(client, manifest, fn_binary, subset, physical, p)

    if args.table_name_file:
        Path(args.table_name_file).write_text(table_name)
    return p.finish()


if __name__ == "__main__":
    sys.exit(main())
