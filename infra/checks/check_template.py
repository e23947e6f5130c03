#!/usr/bin/env python3
"""Offline checks of infra/template.yaml against the code it deploys.

    check_template.py wiring      --manifest M   functions, routes, WebSocket API, schedules, parameters
    check_template.py table       --manifest M   the DynamoDB table equals manifest["table"]
    check_template.py permissions --manifest M   each function's policy equals infra/permissions.json

M is the JSON of `cargo run -p chatdesk-server -- manifest`. Each check prints what it verified,
or every mismatch it found, and exits 1 on any mismatch."""

import argparse
import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from template_model import (  # noqa: E402
    INFRA,
    REPO,
    SAM_FUNCTION,
    Problems,
    binaries_on_disk,
    describe,
    function_binaries,
    load_manifest,
    load_permissions,
    load_template,
    merged_function_properties,
    ref_target,
    resources_of_type,
    sub_references,
    sub_text,
)

REQUIRED_ENV = [
    "CHATDESK_TABLE",
    "CHATDESK_TOKEN_SECRET",
    "CHATDESK_WS_ENDPOINT",
    "CHATDESK_IDLE_WARNING_SECS",
    "CHATDESK_IDLE_HIGH_SECS",
]
REQUIRED_PARAMETERS = [
    "Stage",
    "Architecture",
    "LogRetentionDays",
    "IdleWarningSeconds",
    "IdleHighSeconds",
    "AlarmEmail",
]
REQUIRED_OUTPUTS = ["HttpApiUrl", "WebSocketUrl", "ConsoleUrl", "WebBucketName", "UserPoolId"]


# ------------------------------------------------------------------------------------------------
# (b) wiring
# ------------------------------------------------------------------------------------------------


def check_wiring(template, manifest):
    p = Problems("wiring")
    resources = template.get("Resources", {})
    params = template.get("Parameters", {})
    fn_binary = function_binaries(template)
    on_disk = binaries_on_disk()
    manifest_functions = set(manifest.get("functions", []))

    # Parameters.
    for name in REQUIRED_PARAMETERS:
        if name not in params:
            p.fail(f"parameter {name} is missing")
    arch = params.get("Architecture", {})
    if set(map(str, arch.get("AllowedValues", []))) != {"arm64", "x86_64"} or str(arch.get("Default")) != "arm64":
        p.fail("parameter Architecture must allow exactly arm64 and x86_64, default arm64")
    if str(params.get("LogRetentionDays", {}).get("Default")) != "30":
        p.fail("parameter LogRetentionDays must default to 30")
    for name in params:
        if "secret" in name.lower() or "token" in name.lower():
            p.fail(f"parameter {name}: secrets come from Secrets Manager, never from a parameter")
    p.ok(f"parameters {', '.join(REQUIRED_PARAMETERS)}; Architecture arm64 (default) | x86_64")

    # Binaries <-> function resources <-> manifest functions.
    by_binary = {}
    for logical, binary in fn_binary.items():
        if binary is None:
            p.fail(f"{logical}: no Metadata.BuildProperties.Binary (which binary does it run?)")
            continue
        by_binary.setdefault(binary, []).append(logical)
    for binary in sorted(on_disk):
        found = by_binary.get(binary, [])
        if len(found) != 1:
            p.fail(f"binary {binary} (functions/{on_disk[binary]}) has {len(found)} function resources, expected exactly 1: {found}")
        if binary not in manifest_functions:
            p.fail(f"binary {binary} serves no route of the manifest (a function nobody calls)")
    for binary, logicals in sorted(by_binary.items()):
        if binary not in on_disk:
            p.fail(f"{', '.join(logicals)} runs binary {binary}, which is not in functions/")
    for fn in sorted(manifest_functions - set(on_disk)):
        p.fail(f"manifest function {fn} has no binary in functions/")
    p.ok(f"{len(on_disk)} binaries in functions/ = {len(fn_binary)} function resources = {len(manifest_functions)} manifest functions, one to one")

    # What every function runs with.
    log_groups = resources_of_type(template, "AWS::Logs::LogGroup")
    seen_log_groups = set()
    for logical, res in sorted(resources_of_type(template, SAM_FUNCTION).items()):
        props = merged_function_properties(template, res.get("Properties", {}))
        meta = res.get("Metadata", {})
        if meta.get("BuildMethod") != "rust-cargolambda":
            p.fail(f"{logical}: Metadata.BuildMethod must be rust-cargolambda")
        if props.get("Runtime") != "provided.al2023":
            p.fail(f"{logical}: Runtime must be provided.al2023, not {props.get('Runtime')}")
        if props.get("Handler") != "bootstrap":
            p.fail(f"{logical}: Handler must be bootstrap")
        archs = props.get("Architectures")
        if not (isinstance(archs, list) and len(archs) == 1 and ref_target(archs[0]) == "Architecture"):
            p.fail(f"{logical}: Architectures must be [!Ref Architecture], not {archs}")
        code_uri = props.get("CodeUri")
        if not isinstance(code_uri, str) or not (INFRA / code_uri / "Cargo.toml").exists():
            p.fail(f"{logical}: CodeUri {code_uri!r} must be a folder (relative to infra/) with the workspace Cargo.toml")
        env = (props.get("Environment") or {}).get("Variables", {})
        for var in REQUIRED_ENV:
            if var not in env:
                p.fail(f"{logical}: environment variable {var} is missing")
        if env:
            if ref_target(env.get("CHATDESK_TABLE")) not in resources_of_type(template, "AWS::DynamoDB::Table"):
                p.fail(f"{logical}: CHATDESK_TABLE must be !Ref the table, not {describe(env.get('CHATDESK_TABLE'))}")
            secret = sub_text(env.get("CHATDESK_TOKEN_SECRET")) or ""
            secret_refs = sub_references(secret)
            if "{{resolve:secretsmanager:" not in secret or not any(
                resources.get(r, {}).get("Type") == "AWS::SecretsManager::Secret" for r in secret_refs
            ):
                p.fail(f"{logical}: CHATDESK_TOKEN_SECRET must be a {{{{resolve:secretsmanager:...}}}} reference to a secret of this stack")
            if secret_refs & set(params):
                p.fail(f"{logical}: CHATDESK_TOKEN_SECRET must not come from a parameter")
            endpoint = sub_text(env.get("CHATDESK_WS_ENDPOINT")) or ""
            if not (endpoint.startswith("https://${WebSocketApi}.execute-api.") and endpoint.endswith("/${Stage}")):
                p.fail(f"{logical}: CHATDESK_WS_ENDPOINT must be https://${{WebSocketApi}}.execute-api.<region>.<suffix>/${{Stage}}, not {endpoint!r}")
            if ref_target(env.get("CHATDESK_IDLE_WARNING_SECS")) != "IdleWarningSeconds":
                p.fail(f"{logical}: CHATDESK_IDLE_WARNING_SECS must be !Ref IdleWarningSeconds")
            if ref_target(env.get("CHATDESK_IDLE_HIGH_SECS")) != "IdleHighSeconds":
                p.fail(f"{logical}: CHATDESK_IDLE_HIGH_SECS must be !Ref IdleHighSeconds")
        group = ref_target((props.get("LoggingConfig") or {}).get("LogGroup"))
        if group not in log_groups:
            p.fail(f"{logical}: LoggingConfig.LogGroup must be !Ref a log group of this stack")
        else:
            if group in seen_log_groups:
                p.fail(f"{logical}: shares log group {group} with another function")
            seen_log_groups.add(group)
            if ref_target(log_groups[group].get("Properties", {}).get("RetentionInDays")) != "LogRetentionDays":
                p.fail(f"{group}: RetentionInDays must be !Ref LogRetentionDays")
        memory, timeout = props.get("MemorySize"), props.get("Timeout")
        if not (isinstance(memory, int) and 128 <= memory <= 3008):
            p.fail(f"{logical}: MemorySize {memory} outside 128..3008")
        if not (isinstance(timeout, int) and 1 <= timeout <= 29):
            p.fail(f"{logical}: Timeout {timeout} must be 1..29 s (API Gateway gives up at 30 s)")
    p.ok("every function: rust-cargolambda, provided.al2023, bootstrap, Architectures [!Ref Architecture], CodeUri = workspace, "
         "its own log group with LogRetentionDays, memory/timeout in range")
    p.ok(f"every function's environment: {', '.join(REQUIRED_ENV)} (token secret from Secrets Manager, endpoint of the WebSocket stage)")
    check_model_layer(template, fn_binary, on_disk, p)

    # HTTP routes.
    http_apis = resources_of_type(template, "AWS::Serverless::HttpApi")
    if len(http_apis) != 1:
        p.fail(f"expected exactly one AWS::Serverless::HttpApi, found {sorted(http_apis)}")
    template_routes = {}
    for logical, res in resources_of_type(template, SAM_FUNCTION).items():
        for event_name, event in (res.get("Properties", {}).get("Events") or {}).items():
            if event.get("Type") != "HttpApi":
                p.fail(f"{logical}.{event_name}: event type {event.get('Type')} (only HttpApi events are expected)")
                continue
            ep = event.get("Properties", {})
            if ref_target(ep.get("ApiId")) not in http_apis:
                p.fail(f"{logical}.{event_name}: ApiId must be !Ref the HttpApi")
            key = (str(ep.get("Method", "")).upper(), str(ep.get("Path", "")))
            if key in template_routes:
                p.fail(f"route {key[0]} {key[1]} is declared twice ({template_routes[key][1]} and {logical})")
            template_routes[key] = (fn_binary.get(logical), logical)
    manifest_routes = {(r["method"].upper(), r["path"]): r["function"] for r in manifest.get("http_routes", [])}
    for key, fn in sorted(manifest_routes.items()):
        if key not in template_routes:
            p.fail(f"HTTP route {key[0]} {key[1]} (function {fn}) has no event in the template")
        elif template_routes[key][0] != fn:
            p.fail(f"HTTP route {key[0]} {key[1]} goes to {template_routes[key][0]} in the template, to {fn} in the manifest")
    for key, (fn, logical) in sorted(template_routes.items()):
        if key not in manifest_routes:
            p.fail(f"template route {key[0]} {key[1]} ({logical}) is not in the manifest")
    p.ok(f"{len(manifest_routes)} HTTP routes: each manifest route is an HttpApi event of its function, and nothing else")

    # WebSocket API.
    ws_apis = {n: r for n, r in resources_of_type(template, "AWS::ApiGatewayV2::Api").items()}
    websocket = {n: r for n, r in ws_apis.items() if r.get("Properties", {}).get("ProtocolType") == "WEBSOCKET"}
    for n, r in ws_apis.items():
        if n not in websocket:
            p.fail(f"{n}: ProtocolType must be WEBSOCKET, not {r.get('Properties', {}).get('ProtocolType')!r}")
    if len(ws_apis) != 1 or len(websocket) != 1:
        p.fail(f"expected exactly one AWS::ApiGatewayV2::Api with ProtocolType WEBSOCKET, found {sorted(ws_apis)}")
        return p.finish()
    api_name, api = next(iter(websocket.items()))
    if api.get("Properties", {}).get("RouteSelectionExpression") != "$request.body.action":
        p.fail(f"{api_name}: RouteSelectionExpression must be $request.body.action")
    integrations = resources_of_type(template, "AWS::ApiGatewayV2::Integration")
    routes = resources_of_type(template, "AWS::ApiGatewayV2::Route")
    ws_template = {}
    for rname, route in sorted(routes.items()):
        rp = route.get("Properties", {})
        if ref_target(rp.get("ApiId")) != api_name:
            p.fail(f"{rname}: ApiId must be !Ref {api_name}")
        key = str(rp.get("RouteKey"))
        target = sub_text(rp.get("Target")) or ""
        targets = sub_references(target)
        if not target.startswith("integrations/") or len(targets) != 1:
            p.fail(f"{rname}: Target must be !Sub 'integrations/${{<Integration>}}', not {describe(rp.get('Target'))}")
            continue
        iname = targets.pop()
        integ = integrations.get(iname)
        if integ is None:
            p.fail(f"{rname}: its target {iname} is not an integration of this template")
            continue
        ip = integ.get("Properties", {})
        if ref_target(ip.get("ApiId")) != api_name:
            p.fail(f"{iname}: ApiId must be !Ref {api_name}")
        if ip.get("IntegrationType") != "AWS_PROXY":
            p.fail(f"{iname}: IntegrationType must be AWS_PROXY, not {ip.get('IntegrationType')!r}")
        uri = sub_text(ip.get("IntegrationUri")) or ""
        fns = [r for r in sub_references(uri) if r in fn_binary]
        if len(fns) != 1 or ":lambda:path/2015-03-31/functions/" not in uri or not uri.endswith("/invocations"):
            p.fail(f"{iname}: IntegrationUri must invoke one function of this template, not {uri!r}")
            continue
        if key in ws_template:
            p.fail(f"route key {key} is declared twice ({ws_template[key][1]} and {rname})")
        ws_template[key] = (fn_binary[fns[0]], rname, fns[0])
    manifest_ws = {r["route_key"]: r["function"] for r in manifest.get("websocket_routes", [])}
    for key, fn in sorted(manifest_ws.items()):
        if key not in ws_template:
            p.fail(f"WebSocket route {key} (function {fn}) has no route + integration in the template")
        elif ws_template[key][0] != fn:
            p.fail(f"WebSocket route {key} goes to {ws_template[key][0]} in the template, to {fn} in the manifest")
    for key, (fn, rname, _) in sorted(ws_template.items()):
        if key not in manifest_ws:
            p.fail(f"template WebSocket route {key} ({rname}) is not in the manifest")
    p.ok(f"WebSocket API {api_name}: ProtocolType WEBSOCKET, RouteSelectionExpression $request.body.action")
    p.ok(f"{len(manifest_ws)} WebSocket routes ({', '.join(manifest_ws)}): each a Route + AWS_PROXY Integration to its function, and nothing else")
    authorizer_fn = check_ws_authorizer(template, manifest, api_name, routes, fn_binary, p)

    # Deployment and stage.
    deployments = resources_of_type(template, "AWS::ApiGatewayV2::Deployment")
    stages = resources_of_type(template, "AWS::ApiGatewayV2::Stage")
    if len(deployments) != 1:
        p.fail(f"expected one WebSocket Deployment, found {sorted(deployments)}")
    for dname, dep in deployments.items():
        if ref_target(dep.get("Properties", {}).get("ApiId")) != api_name:
            p.fail(f"{dname}: ApiId must be !Ref {api_name}")
        depends = dep.get("DependsOn", [])
        depends = {str(depends)} if isinstance(depends, str) else set(map(str, depends))
        missing = {rname for (_, rname, _) in ws_template.values()} - depends
        if missing:
            p.fail(f"{dname}: DependsOn lacks route(s) {sorted(missing)} (they would not be deployed)")
        stage_for = [s for s, r in stages.items() if ref_target(r.get("Properties", {}).get("DeploymentId")) == dname]
        if len(stage_for) != 1:
            p.fail(f"{dname}: expected one Stage with DeploymentId !Ref {dname}, found {stage_for}")
    for sname, st in stages.items():
        sp = st.get("Properties", {})
        if ref_target(sp.get("ApiId")) != api_name:
            p.fail(f"{sname}: ApiId must be !Ref {api_name}")
        if ref_target(sp.get("StageName")) != "Stage":
            p.fail(f"{sname}: StageName must be !Ref Stage (the functions post to that stage)")
    p.ok("WebSocket Deployment DependsOn every route; one Stage named !Ref Stage deploys it")

    # API Gateway may invoke each WebSocket function (and the authorizer).
    permissions = resources_of_type(template, "AWS::Lambda::Permission")
    for fn_logical in sorted({f for (_, _, f) in ws_template.values()} | ({authorizer_fn} if authorizer_fn else set())):
        ok = False
        for pname, perm in permissions.items():
            pp = perm.get("Properties", {})
            if ref_target(pp.get("FunctionName")) != fn_logical:
                continue
            src = sub_text(pp.get("SourceArn")) or ""
            if (pp.get("Action") == "lambda:InvokeFunction" and pp.get("Principal") == "apigateway.amazonaws.com"
                    and api_name in sub_references(src)):
                ok = True
        if not ok:
            p.fail(f"{fn_logical}: no AWS::Lambda::Permission lets apigateway.amazonaws.com invoke it from {api_name} (SourceArn)")
    p.ok("every WebSocket function has a Lambda permission for API Gateway, limited to this API by SourceArn")
    check_schedules(template, manifest, fn_binary, p)

    outputs = template.get("Outputs", {})
    for name in REQUIRED_OUTPUTS:
        if name not in outputs:
            p.fail(f"output {name} is missing")
    p.ok(f"outputs {', '.join(REQUIRED_OUTPUTS)}")
    return p.finish()


def check_schedules(template, manifest, fn_binary, p):
    """The manifest's scheduled functions ("schedules"): each is the one target of exactly one
    EventBridge rule (AWS::Events::Rule) with the manifest's ScheduleExpression, State ENABLED and
    no event pattern, and one AWS::Lambda::Permission lets events.amazonaws.com invoke it from
    that rule only (SourceArn !GetAtt <rule>.Arn); no other rule, and no permission for
    EventBridge without a SourceArn. moto never fires a schedule (scripts/test-infra.sh runs the
    function with a scheduled event itself), so this is the check of the rule as written."""
    want = {s["function"]: s["schedule_expression"] for s in manifest.get("schedules", [])}
    rules = resources_of_type(template, "AWS::Events::Rule")
    permissions = resources_of_type(template, "AWS::Lambda::Permission")
    scheduled = {}
    for rname, rule in sorted(rules.items()):
        rp = rule.get("Properties", {})
        if "EventPattern" in rp:
            p.fail(f"{rname}: a schedule only; an EventPattern would invoke the function for other events too")
        targets = rp.get("Targets") or []
        if len(targets) != 1:
            p.fail(f"{rname}: expected exactly one target, found {len(targets)}")
            continue
        arn = targets[0].get("Arn")
        fn_logical = ref_target(arn) if getatt_attribute(arn) == "Arn" else None
        if fn_logical not in fn_binary:
            p.fail(f"{rname}: its target must be !GetAtt <a function of this template>.Arn, not {describe(arn)}")
            continue
        binary = fn_binary[fn_logical]
        if binary not in want:
            p.fail(f"{rname}: invokes {binary}, which the manifest does not schedule")
            continue
        scheduled.setdefault(binary, []).append(rname)
        if str(rp.get("ScheduleExpression")) != want[binary]:
            p.fail(f"{rname}: ScheduleExpression {rp.get('ScheduleExpression')!r}, the manifest says {want[binary]!r}")
        if rp.get("State") != "ENABLED":
            p.fail(f"{rname}: State must be ENABLED, not {rp.get('State')!r}")
        granted = False
        for pname, perm in sorted(permissions.items()):
            pp = perm.get("Properties", {})
            if ref_target(pp.get("FunctionName")) != fn_logical or pp.get("Principal") != "events.amazonaws.com":
                continue
            source = pp.get("SourceArn")
            if pp.get("Action") == "lambda:InvokeFunction" and ref_target(source) == rname and getatt_attribute(source) == "Arn":
                granted = True
            else:
                p.fail(f"{pname}: lets EventBridge invoke {fn_logical} with {pp.get('Action')!r} from {describe(source)}; "
                       f"only lambda:InvokeFunction from !GetAtt {rname}.Arn")
        if not granted:
            p.fail(f"{fn_logical}: no AWS::Lambda::Permission lets events.amazonaws.com invoke it from {rname} (SourceArn !GetAtt {rname}.Arn)")
    for binary, expression in sorted(want.items()):
        rules_of = scheduled.get(binary, [])
        if len(rules_of) != 1:
            p.fail(f"scheduled function {binary} ({expression}): expected exactly one rule invoking it, found {rules_of}")
        else:
            p.ok(f"{rules_of[0]}: {expression}, ENABLED, invokes {binary} only; "
                 "EventBridge may invoke it from this rule only (Lambda permission, SourceArn)")
    if not want and not rules:
        p.ok("no scheduled functions, no EventBridge rules")


def check_ws_authorizer(template, manifest, api_name, routes, fn_binary, p):
    """The manifest's WebSocket authorizer: one REQUEST authorizer of the API, on the manifest's
    identity source, invoking the manifest's function; the route it guards ($connect) uses it
    (CUSTOM) and every other route none (API Gateway allows WebSocket authorizers on $connect
    only). Returns the authorizer function's logical id."""
    spec = manifest.get("websocket_authorizer")
    authorizers = resources_of_type(template, "AWS::ApiGatewayV2::Authorizer")
    if not spec:
        if authorizers:
            p.fail(f"authorizers {sorted(authorizers)} in the template, none in the manifest")
        return None
    if len(authorizers) != 1:
        p.fail(f"expected exactly one AWS::ApiGatewayV2::Authorizer, found {sorted(authorizers)}")
        return None
    aname, authorizer = next(iter(authorizers.items()))
    ap = authorizer.get("Properties", {})
    if ref_target(ap.get("ApiId")) != api_name:
        p.fail(f"{aname}: ApiId must be !Ref {api_name}")
    if ap.get("AuthorizerType") != "REQUEST":
        p.fail(f"{aname}: AuthorizerType must be REQUEST (a Lambda authorizer), not {ap.get('AuthorizerType')!r}")
    if [str(i) for i in ap.get("IdentitySource") or []] != [spec["identity_source"]]:
        p.fail(f"{aname}: IdentitySource must be [{spec['identity_source']}], not {ap.get('IdentitySource')}")
    uri = sub_text(ap.get("AuthorizerUri")) or ""
    fns = [r for r in sub_references(uri) if r in fn_binary]
    fn_logical = None
    if len(fns) != 1 or ":lambda:path/2015-03-31/functions/" not in uri or not uri.endswith("/invocations"):
        p.fail(f"{aname}: AuthorizerUri must invoke one function of this template, not {uri!r}")
    elif fn_binary[fns[0]] != spec["function"]:
        p.fail(f"{aname}: invokes {fn_binary[fns[0]]}, the manifest says {spec['function']}")
    else:
        fn_logical = fns[0]
    for rname, route in sorted(routes.items()):
        rp = route.get("Properties", {})
        guarded = str(rp.get("RouteKey")) == spec["route_key"]
        kind = rp.get("AuthorizationType")
        if guarded and (kind != "CUSTOM" or ref_target(rp.get("AuthorizerId")) != aname):
            p.fail(f"{rname}: {spec['route_key']} must use AuthorizationType CUSTOM with AuthorizerId !Ref {aname}")
        if not guarded and (kind != "NONE" or "AuthorizerId" in rp):
            p.fail(f"{rname}: only {spec['route_key']} is authorized; AuthorizationType must be NONE, without AuthorizerId")
    p.ok(f"{aname}: REQUEST authorizer on {spec['identity_source']} running {spec['function']}; "
         f"{spec['route_key']} uses it (CUSTOM), every other route is NONE")
    return fn_logical


# ------------------------------------------------------------------------------------------------
# (c) table
# ------------------------------------------------------------------------------------------------


def model_name():
    """The model folder the code looks for (shared/suggest/src/embedder.rs, MODEL_NAME)."""
    source = (REPO / "shared" / "suggest" / "src" / "embedder.rs").read_text()
    found = re.search(r'pub const MODEL_NAME: &str = "([^"]+)";', source)
    return found.group(1) if found else None


def check_model_layer(template, fn_binary, on_disk, p):
    """The functions whose main.rs loads the suggestion engine get the model as a layer, built from
    the folder scripts/fetch-model.sh fills, and find it where Lambda unpacks it (/opt/<model>);
    no other function carries the 90 MB."""
    resources = template.get("Resources", {})
    layers = resources_of_type(template, "AWS::Serverless::LayerVersion")
    name = model_name()
    if name is None:
        p.fail("shared/suggest/src/embedder.rs has no MODEL_NAME")
        return
    want_dir = f"/opt/{name}"
    loaders = {b for b, folder in on_disk.items()
               if "EngineSuggester::load" in (REPO / "functions" / folder / "src" / "main.rs").read_text()}
    for logical, binary in sorted(fn_binary.items()):
        props = merged_function_properties(template, resources[logical].get("Properties", {}))
        refs = [ref_target(layer) for layer in props.get("Layers") or []]
        model_layers = [r for r in refs if r in layers]
        model_dir = ((props.get("Environment") or {}).get("Variables") or {}).get("CHATDESK_MODEL_DIR")
        if binary in loaders:
            if len(model_layers) != 1:
                p.fail(f"{logical}: loads the suggestion engine, so it needs the model layer (Layers: [!Ref <LayerVersion>]), has {refs}")
                continue
            content = layers[model_layers[0]].get("Properties", {}).get("ContentUri")
            if not isinstance(content, str) or (INFRA / content).resolve() != (REPO / ".cache" / "models").resolve():
                p.fail(f"{model_layers[0]}: ContentUri {content!r} must be ../.cache/models/ (where scripts/fetch-model.sh puts the model)")
            if model_dir != want_dir:
                p.fail(f"{logical}: CHATDESK_MODEL_DIR must be {want_dir} (the layer's folder under /opt), not {model_dir!r}")
        elif model_layers or model_dir:
            p.fail(f"{logical}: carries the model ({model_layers or model_dir}) but its main.rs never loads the engine")
    if not loaders:
        p.fail("no function loads the suggestion engine (EngineSuggester::load): suggestions would be full text only")
    p.ok(f"model layer ({', '.join(sorted(layers))}: ../.cache/models/ -> {want_dir}) on exactly the functions that load the engine: {', '.join(sorted(loaders))}")


def keys_of(schema):
    hash_key = [str(k["AttributeName"]) for k in schema or [] if k.get("KeyType") == "HASH"]
    range_key = [str(k["AttributeName"]) for k in schema or [] if k.get("KeyType") == "RANGE"]
    return (hash_key[0] if hash_key else None, range_key[0] if range_key else None)


def check_table(template, manifest):
    p = Problems("table")
    spec = manifest.get("table")
    if spec is None:
        p.fail('the manifest has no "table" yet: `chatdesk manifest` must print '
               "chatdesk::dynamodb::schema::table_spec() under \"table\" before the template's table can be checked")
        return p.finish()
    tables = resources_of_type(template, "AWS::DynamoDB::Table")
    if len(tables) != 1:
        p.fail(f"expected exactly one AWS::DynamoDB::Table, found {sorted(tables)}")
        return p.finish()
    name, table = next(iter(tables.items()))
    tp = table.get("Properties", {})

    if keys_of(tp.get("KeySchema")) != (spec["partition_key"], spec["sort_key"]):
        p.fail(f"{name}: key schema {keys_of(tp.get('KeySchema'))} != manifest ({spec['partition_key']}, {spec['sort_key']})")
    defs = {str(a["AttributeName"]): str(a["AttributeType"]) for a in tp.get("AttributeDefinitions", [])}
    if set(defs) != set(spec["attributes"]):
        p.fail(f"{name}: attribute definitions {sorted(defs)} != manifest {sorted(spec['attributes'])}")
    not_strings = sorted(a for a, t in defs.items() if t != "S")
    if not_strings:
        p.fail(f"{name}: key attributes {not_strings} must be strings (S)")

    template_gsis = {}
    for g in tp.get("GlobalSecondaryIndexes", []):
        template_gsis[str(g["IndexName"])] = (
            *keys_of(g.get("KeySchema")),
            str(g.get("Projection", {}).get("ProjectionType")),
        )
    manifest_gsis = {
        g["name"]: (g["partition_key"], g["sort_key"], g["projection"])
        for g in spec.get("global_secondary_indexes", [])
    }
    for gname, want in sorted(manifest_gsis.items()):
        got = template_gsis.get(gname)
        if got is None:
            p.fail(f"{name}: GSI {gname} {want} is missing")
        elif got != want:
            p.fail(f"{name}: GSI {gname} is (pk, sk, projection) {got}, manifest says {want}")
    for gname in sorted(set(template_gsis) - set(manifest_gsis)):
        p.fail(f"{name}: GSI {gname} is not in the manifest")

    ttl = tp.get("TimeToLiveSpecification", {})
    if str(ttl.get("AttributeName")) != spec["ttl_attribute"] or ttl.get("Enabled") is not True:
        p.fail(f"{name}: TTL must be enabled on {spec['ttl_attribute']}, template has {dict(ttl)}")
    if "billing_mode" in spec and tp.get("BillingMode") != spec["billing_mode"]:
        p.fail(f"{name}: BillingMode {tp.get('BillingMode')} != manifest {spec['billing_mode']}")

    # Operational requirements of the deployment (not in the manifest).
    if tp.get("PointInTimeRecoverySpecification", {}).get("PointInTimeRecoveryEnabled") is not True:
        p.fail(f"{name}: point-in-time recovery must be enabled")
    if tp.get("SSESpecification", {}).get("SSEEnabled") is not True:
        p.fail(f"{name}: SSESpecification.SSEEnabled must be true")
    consumer = check_table_stream(template, manifest, name, tp, p)
    if table.get("DeletionPolicy") != "Retain" or table.get("UpdateReplacePolicy") != "Retain":
        p.fail(f"{name}: DeletionPolicy and UpdateReplacePolicy must be Retain (it holds every chat)")

    p.ok(f"{name}: keys ({spec['partition_key']} HASH, {spec['sort_key']} RANGE); attributes {', '.join(spec['attributes'])} (all S)")
    for gname, (pk, sk, proj) in manifest_gsis.items():
        p.ok(f"{name}: GSI {gname} ({pk}, {sk}) projection {proj}")
    p.ok(f"{name}: TTL on {spec['ttl_attribute']}; {tp.get('BillingMode')}; PITR on; SSE on; retained on delete")
    if consumer:
        p.ok(f"{name}: stream {spec.get('stream_view_type')}, consumed by {consumer} only, with the manifest's filter and batching")
    return p.finish()


def getatt_attribute(value):
    """`!GetAtt X.Attr` / `!GetAtt [X, Attr]` -> Attr; else None."""
    if isinstance(value, dict) and len(value) == 1 and "Fn::GetAtt" in value:
        att = value["Fn::GetAtt"]
        if isinstance(att, str):
            return att.split(".", 1)[1] if "." in att else None
        return str(att[1]) if len(att) > 1 else None
    return None


def check_table_stream(template, manifest, name, tp, p):
    """The table's stream (as the manifest's table says) and its one consumer (the manifest's
    "table_stream"): an event source mapping on the stream, invoking that function, with the
    manifest's filter and batching. A stream nobody reads, or read by something else, fails.
    Returns the consuming function's logical name when all is well."""
    spec = manifest["table"]
    want_view = spec.get("stream_view_type")
    got_view = (tp.get("StreamSpecification") or {}).get("StreamViewType")
    if want_view != got_view:
        p.fail(f"{name}: StreamSpecification.StreamViewType is {got_view}, manifest says {want_view}")
    want = manifest.get("table_stream")
    mappings = resources_of_type(template, "AWS::Lambda::EventSourceMapping")
    on_stream = {
        logical: m.get("Properties", {}) for logical, m in mappings.items()
        if ref_target(m.get("Properties", {}).get("EventSourceArn")) == name
        and getatt_attribute(m.get("Properties", {}).get("EventSourceArn")) == "StreamArn"
    }
    if got_view and not on_stream:
        p.fail(f"{name}: has a stream, but no event source mapping consumes it")
        return None
    if not want:
        if on_stream:
            p.fail(f"{name}: {sorted(on_stream)} read the stream, but the manifest names no table_stream consumer")
        return None
    if len(on_stream) != 1:
        p.fail(f"{name}: expected exactly one event source mapping on its stream, found {sorted(on_stream)}")
        return None
    logical, props = next(iter(on_stream.items()))
    fn_binary = function_binaries(template)
    target = ref_target(props.get("FunctionName"))
    if fn_binary.get(target) != want["function"]:
        p.fail(f"{logical}: invokes {target} (binary {fn_binary.get(target)}), manifest says {want['function']}")
    expected = {
        "StartingPosition": "LATEST",
        "BatchSize": want["batch_size"],
        "MaximumBatchingWindowInSeconds": want["batching_window_seconds"],
        "MaximumRetryAttempts": want["max_retry_attempts"],
        "MaximumRecordAgeInSeconds": want["max_record_age_seconds"],
    }
    for key, value in expected.items():
        if props.get(key) != value:
            p.fail(f"{logical}: {key} is {props.get(key)!r}, manifest says {value!r}")
    filters = (props.get("FilterCriteria") or {}).get("Filters") or []
    patterns = []
    for f in filters:
        try:
            patterns.append(json.loads(f.get("Pattern", "")))
        except ValueError:
            p.fail(f"{logical}: filter pattern {f.get('Pattern')!r} is not JSON")
    if patterns != [json.loads(want["filter_pattern"])]:
        p.fail(f"{logical}: filter {patterns} != manifest {want['filter_pattern']}")
    for other in sorted(set(mappings) - set(on_stream)):
        p.fail(f"{other}: an event source mapping on something else than the table's stream")
    return target


# ------------------------------------------------------------------------------------------------
# (d) permissions
# ------------------------------------------------------------------------------------------------

GONE_CLEANUP = {"GetItem", "BatchWriteItem"}
STREAM_READ_ACTIONS = {"DescribeStream", "GetRecords", "GetShardIterator", "ListStreams"}
KNOWN_DYNAMODB_ACTIONS = {
    "GetItem", "PutItem", "UpdateItem", "DeleteItem", "ConditionCheckItem",
    "Query", "BatchWriteItem", "BatchGetItem",
}


def as_list(value):
    return value if isinstance(value, list) else [value]


def check_permissions(template, manifest):
    p = Problems("permissions")
    spec = load_permissions()["functions"]
    fn_binary = function_binaries(template)
    binary_fn = {b: l for l, b in fn_binary.items()}
    tables = resources_of_type(template, "AWS::DynamoDB::Table")
    table = next(iter(tables)) if len(tables) == 1 else None
    gsis = set()
    if table:
        gsis = {str(g["IndexName"]) for g in tables[table].get("Properties", {}).get("GlobalSecondaryIndexes", [])}
    ws_api = next(iter(resources_of_type(template, "AWS::ApiGatewayV2::Api")), None)

    for fn in sorted(set(spec) - set(binary_fn)):
        p.fail(f"permissions.json lists {fn}, which has no function resource")
    for fn in sorted(set(binary_fn) - set(spec)):
        p.fail(f"{binary_fn[fn]} ({fn}) has no entry in permissions.json")

    posting = []
    for fn, want in sorted(spec.items()):
        # permissions.json itself: known actions, known indexes, gone-connection cleanup.
        unknown = set(want["dynamodb"]) - KNOWN_DYNAMODB_ACTIONS
        if unknown:
            p.fail(f"permissions.json {fn}: unknown DynamoDB actions {sorted(unknown)}")
        if set(want["indexes"]) - gsis:
            p.fail(f"permissions.json {fn}: indexes {sorted(set(want['indexes']) - gsis)} are not GSIs of the table")
        if want["indexes"] and "Query" not in want["dynamodb"]:
            p.fail(f"permissions.json {fn}: index access without Query is useless")
        if want["posts_to_connections"]:
            posting.append(fn)
            if not GONE_CLEANUP <= set(want["dynamodb"]):
                p.fail(f"permissions.json {fn}: posts, so it removes gone connections and needs {sorted(GONE_CLEANUP)}")

        logical = binary_fn.get(fn)
        if logical is None:
            continue
        res = template["Resources"][logical]
        props = res.get("Properties", {})
        for forbidden in ("Role", "PermissionsBoundary"):
            if forbidden in props:
                p.fail(f"{logical}: sets {forbidden}; its permissions must come from its Policies only")
        got_dynamo, got_resources, got_post, got_stream, got_ses = set(), set(), False, False, False
        got_s3, got_cognito = set(), set()
        for policy in as_list(props.get("Policies") or []):
            if not (isinstance(policy, dict) and set(policy) <= {"Statement", "Version"}):
                p.fail(f"{logical}: policy {describe(policy)} is not an inline statement list (no managed or SAM template policies)")
                continue
            for st in as_list(policy.get("Statement", [])):
                if st.get("Effect") != "Allow" or "NotAction" in st or "NotResource" in st:
                    p.fail(f"{logical}: statement {st.get('Sid')} must be a plain Allow")
                actions = [str(a) for a in as_list(st.get("Action", []))]
                resources = as_list(st.get("Resource", []))
                dyn = [a for a in actions if a.startswith("dynamodb:")]
                api = [a for a in actions if a.startswith("execute-api:")]
                ses = [a for a in actions if a.startswith("ses:")]
                s3 = [a for a in actions if a.startswith("s3:")]
                cognito = [a for a in actions if a.startswith("cognito-idp:")]
                other = [a for a in actions if a not in dyn and a not in api and a not in ses and a not in s3 and a not in cognito]
                if other:
                    p.fail(f"{logical}: unexpected actions {other}")
                if ses:
                    # SendEmail only, from the deployment's identity (and its configuration set).
                    if ses != ["ses:SendEmail"] or dyn or api:
                        p.fail(f"{logical}: statement {st.get('Sid')} must grant ses:SendEmail alone, not {actions}")
                    for r in resources:
                        if isinstance(r, dict) and "Fn::If" in r:
                            cond, then, _else = r["Fn::If"]
                            r = then if cond == "HasSesConfigurationSet" else None
                            text = sub_text(r) or ""
                            if not text.endswith(":configuration-set/${SesConfigurationSet}"):
                                p.fail(f"{logical}: SES configuration set resource must be !If [HasSesConfigurationSet, ...:configuration-set/${{SesConfigurationSet}}, ...]")
                            continue
                        text = sub_text(r) or ""
                        if not text.endswith(":identity/${MailFromAddress}") or ":ses:" not in text:
                            p.fail(f"{logical}: SES resource must be the identity ...:ses:...:identity/${{MailFromAddress}}, not {describe(r)}")
                    got_ses = True
                    continue
                if s3:
                    # The attachment bucket only: object actions on its pending/ and chats/
                    # prefixes, ListBucket on the bucket itself; nothing else in the statement.
                    if dyn or api:
                        p.fail(f"{logical}: statement {st.get('Sid')} mixes S3 and other actions")
                    buckets = resources_of_type(template, "AWS::S3::Bucket")
                    for r in resources:
                        if s3 == ["s3:ListBucket"]:
                            if not (ref_target(r) == "AttachmentBucket" and getatt_attribute(r) == "Arn" and "AttachmentBucket" in buckets):
                                p.fail(f"{logical}: s3:ListBucket must be on !GetAtt AttachmentBucket.Arn only, not {describe(r)}")
                            continue
                        text = sub_text(r) or ""
                        if "s3:ListBucket" in s3 or text not in ("${AttachmentBucket.Arn}/pending/*", "${AttachmentBucket.Arn}/chats/*"):
                            p.fail(f"{logical}: S3 object actions must be on ${{AttachmentBucket.Arn}}/pending/* and /chats/* only, not {describe(r)}")
                    got_s3 |= {a.split(":", 1)[1] for a in s3}
                    continue
                if cognito:
                    # The agents' user pool only, in a statement of its own.
                    if dyn or api or ses or s3:
                        p.fail(f"{logical}: statement {st.get('Sid')} mixes user pool and other actions")
                    pools = resources_of_type(template, "AWS::Cognito::UserPool")
                    for r in resources:
                        if not (ref_target(r) == "AgentUserPool" and getatt_attribute(r) == "Arn" and "AgentUserPool" in pools):
                            p.fail(f"{logical}: user pool actions must be on !GetAtt AgentUserPool.Arn only, not {describe(r)}")
                    got_cognito |= {a.split(":", 1)[1] for a in cognito}
                    continue
                if dyn and api:
                    p.fail(f"{logical}: statement {st.get('Sid')} mixes DynamoDB and execute-api actions")
                if dyn and all(getatt_attribute(r) == "StreamArn" for r in resources):
                    # Lambda's poller reads the stream with the consumer's role.
                    if sorted(a.split(":", 1)[1] for a in dyn) != sorted(STREAM_READ_ACTIONS):
                        p.fail(f"{logical}: stream statement {st.get('Sid')} must grant exactly {sorted(STREAM_READ_ACTIONS)}, not {dyn}")
                    for r in resources:
                        if ref_target(r) != table:
                            p.fail(f"{logical}: stream resource {describe(r)} is not the table's stream")
                    got_stream = True
                    continue
                if dyn:
                    got_dynamo |= {a.split(":", 1)[1] for a in dyn}
                    for r in resources:
                        if ref_target(r) == table and getatt_attribute(r) == "Arn":
                            got_resources.add("table")
                            continue
                        text = sub_text(r) or ""
                        prefix = "${" + str(table) + ".Arn}/index/"
                        if text.startswith(prefix) and sub_references(text) == {table}:
                            got_resources.add("index/" + text[len(prefix):])
                        else:
                            p.fail(f"{logical}: DynamoDB resource {describe(r)} is neither the table nor one of its indexes")
                if api:
                    if api != ["execute-api:ManageConnections"]:
                        p.fail(f"{logical}: execute-api actions must be exactly ManageConnections, not {api}")
                    for r in resources:
                        text = sub_text(r) or ""
                        if not (ws_api in sub_references(text) and text.endswith("/${Stage}/POST/@connections/*")):
                            p.fail(f"{logical}: ManageConnections resource must be ...:${{{ws_api}}}/${{Stage}}/POST/@connections/*, not {text!r}")
                    got_post = True
        want_resources = ({"table"} if want["dynamodb"] else set()) | {"index/" + i for i in want["indexes"]}
        if got_dynamo != set(want["dynamodb"]):
            extra, missing = sorted(got_dynamo - set(want["dynamodb"])), sorted(set(want["dynamodb"]) - got_dynamo)
            p.fail(f"{logical} ({fn}): DynamoDB actions differ from permissions.json: extra {extra}, missing {missing}")
        if got_resources != want_resources:
            p.fail(f"{logical} ({fn}): DynamoDB resources {sorted(got_resources)} != permissions.json {sorted(want_resources)}")
        want_stream = want.get("reads_table_stream", False)
        if got_stream != want_stream:
            p.fail(f"{logical} ({fn}): table stream read {'granted' if got_stream else 'missing'}, permissions.json says reads_table_stream={want_stream}")
        if want_stream and fn != manifest.get("table_stream", {}).get("function"):
            p.fail(f"permissions.json {fn}: reads_table_stream, but the manifest's table_stream consumer is {manifest.get('table_stream', {}).get('function')}")
        if got_ses != want.get("sends_email", False):
            p.fail(f"{logical} ({fn}): ses:SendEmail {'granted' if got_ses else 'missing'}, permissions.json says sends_email={want.get('sends_email', False)}")
        if got_s3 != set(want.get("s3", [])):
            extra, missing = sorted(got_s3 - set(want.get("s3", []))), sorted(set(want.get("s3", [])) - got_s3)
            p.fail(f"{logical} ({fn}): S3 actions differ from permissions.json: extra {extra}, missing {missing}")
        if got_cognito != set(want.get("cognito_idp", [])):
            extra, missing = sorted(got_cognito - set(want.get("cognito_idp", []))), sorted(set(want.get("cognito_idp", [])) - got_cognito)
            p.fail(f"{logical} ({fn}): user pool actions differ from permissions.json: extra {extra}, missing {missing}")
        if got_cognito and props.get("Environment", {}).get("Variables", {}).get("CHATDESK_USER_POOL_ID") != {"Ref": "AgentUserPool"}:
            p.fail(f"{logical} ({fn}): keeps the user pool's users, so its CHATDESK_USER_POOL_ID must be !Ref AgentUserPool")
        if got_post != want["posts_to_connections"]:
            p.fail(f"{logical} ({fn}): ManageConnections {'granted' if got_post else 'missing'}, permissions.json says posts_to_connections={want['posts_to_connections']}")
    if not p.items:
        for fn, want in sorted(spec.items()):
            idx = f" + index {', '.join(want['indexes'])}" if want["indexes"] else ""
            post = " + ManageConnections" if want["posts_to_connections"] else ""
            post += " + reads the table stream" if want.get("reads_table_stream") else ""
            post += " + ses:SendEmail from MailFromAddress" if want.get("sends_email") else ""
            post += f" + s3:{', '.join(want['s3'])} on the attachment bucket" if want.get("s3") else ""
            post += f" + cognito-idp:{', '.join(want['cognito_idp'])} on the agents' user pool" if want.get("cognito_idp") else ""
            acts = ", ".join(want["dynamodb"]) or "no DynamoDB access"
            p.ok(f"{fn}: {acts}{idx}{post}")
        p.ok(f"{len(spec)} functions; PostToConnection only for {len(posting)} ({', '.join(posting)}), on POST @connections of the stage only")
    return p.finish()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("check", choices=["wiring", "table", "permissions", "all"])
    parser.add_argument("--manifest", required=True, help="JSON printed by `chatdesk manifest`")
    parser.add_argument("--template", default=str(INFRA / "template.yaml"))
    args = parser.parse_args()
    template = load_template(args.template)
    manifest = load_manifest(args.manifest)
    checks = {"wiring": check_wiring, "table": check_table, "permissions": check_permissions}
    names = list(checks) if args.check == "all" else [args.check]
    status = 0
    for name in names:
        status |= checks[name](template, manifest)
    return status


if __name__ == "__main__":
    sys.exit(main())
