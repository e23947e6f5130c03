"""Reading infra/template.yaml for the checks: the YAML with its short-form intrinsics (!Ref,
!Sub, !GetAtt, ...) as cfn-lint decodes them, SAM Globals merged into each function, and the few
reference shapes the template uses turned back into logical ids."""

import json
import re
import sys
from pathlib import Path

from cfnlint.decode import decode

REPO = Path(__file__).resolve().parents[2]
INFRA = REPO / "infra"
TEMPLATE = INFRA / "template.yaml"
PERMISSIONS = INFRA / "permissions.json"

SAM_FUNCTION = "AWS::Serverless::Function"


class Problems:
    """Collects every mismatch of one check, so a run shows all of them at once."""

    def __init__(self, check):
        self.check = check
        self.items = []
        self.verified = []

    def fail(self, message):
        self.items.append(message)

    def ok(self, message):
        self.verified.append(message)

    def finish(self):
        if self.items:
            print(f"FAIL [{self.check}] {len(self.items)} problem(s):")
            for item in self.items:
                print(f"  - {item}")
            return 1
        for line in self.verified:
            print(f"  ok: {line}")
        print(f"PASS [{self.check}]")
        return 0


def load_template(path=TEMPLATE):
    template, matches = decode(str(path))
    if template is None:
        for m in matches:
            print(f"cannot read {path}: {m}", file=sys.stderr)
        sys.exit(2)
    return template


def load_manifest(path):
    with open(path) as f:
        return json.load(f)


def load_permissions(path=PERMISSIONS):
    with open(path) as f:
        return json.load(f)


def resources_of_type(template, kind):
    return {
        name: res
        for name, res in template.get("Resources", {}).items()
        if res.get("Type") == kind
    }


def merged_function_properties(template, props):
    """A function's properties with the template's Globals.Function under them (SAM semantics
    for the keys the checks read: maps merge, scalars and lists are replaced)."""
    merged = dict(template.get("Globals", {}).get("Function", {}))
    for key, value in props.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            inner = dict(merged[key])
            for k2, v2 in value.items():
                if isinstance(v2, dict) and isinstance(inner.get(k2), dict):
                    inner[k2] = {**inner[k2], **v2}
                else:
                    inner[k2] = v2
            merged[key] = inner
        else:
            merged[key] = value
    return merged


def ref_target(value):
    """`!Ref X` -> X; `!GetAtt X.Arn` / `!GetAtt [X, Arn]` -> X; else None."""
    if isinstance(value, dict) and len(value) == 1:
        if "Ref" in value:
            return str(value["Ref"])
        if "Fn::GetAtt" in value:
            att = value["Fn::GetAtt"]
            if isinstance(att, str):
                return att.split(".", 1)[0]
            return str(att[0])
    return None


def sub_text(value):
    """The format string of `!Sub 'text'` or `!Sub ['text', {...}]`; plain strings as they are."""
    if isinstance(value, str):
        return str(value)
    if isinstance(value, dict) and len(value) == 1 and "Fn::Sub" in value:
        sub = value["Fn::Sub"]
        return str(sub if isinstance(sub, str) else sub[0])
    return None


def sub_references(text):
    """Names referenced as ${Name} or ${Name.Attr} in a !Sub string (not ${!literal})."""
    return {m.split(".", 1)[0] for m in re.findall(r"\$\{([^!}][^}]*)\}", text or "")}


def describe(value):
    """A short readable form of an intrinsic, for messages."""
    if isinstance(value, dict) and len(value) == 1:
        (k, v), = value.items()
        short = {"Ref": "!Ref", "Fn::GetAtt": "!GetAtt", "Fn::Sub": "!Sub", "Fn::Join": "!Join"}.get(k, k)
        if isinstance(v, list) and k == "Fn::GetAtt":
            v = ".".join(map(str, v))
        return f"{short} {v}"
    return repr(value)


def function_binaries(template):
    """logical id -> binary name (Metadata.BuildProperties.Binary) of every SAM function."""
    out = {}
    for name, res in resources_of_type(template, SAM_FUNCTION).items():
        binary = (res.get("Metadata") or {}).get("BuildProperties", {}).get("Binary")
        out[name] = str(binary) if binary is not None else None
    return out


def binaries_on_disk():
    """Binary names in functions/: each folder with a Cargo.toml and src/main.rs (the [[bin]]
    name when Cargo.toml declares one, else the package name)."""
    import tomllib

    out = {}
    for cargo in sorted((REPO / "functions").glob("*/Cargo.toml")):
        folder = cargo.parent
        if not (folder / "src" / "main.rs").exists():
            continue
        data = tomllib.loads(cargo.read_text())
        bins = [b.get("name") for b in data.get("bin", []) if b.get("name")]
        for b in bins or [data.get("package", {}).get("name", folder.name)]:
            out[b] = folder.name
    return out
