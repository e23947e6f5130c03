#!/usr/bin/env python3
"""Each Lambda function links only what its routes need: no function links the embedded store
(rusqlite), and only `kb` and `suggestions` link the suggestion engine (tantivy, candle). Nor
does any link what once made every function larger for nothing: a second HTTP client (reqwest;
the SDK's connector fetches the OpenID Connect keys), a regex engine (a log-filter feature), the
SSO credential providers (operator commands only) or the elliptic-curve JWT algorithms (chatdesk's
tokens are HS256 and RS256).

Reads `cargo tree -p <function>` for every folder of functions/: the dependency graph of that
package alone, with the features it enables itself, which is what `cargo lambda build` links for
it (a workspace build unifies features across members and may compile more than one function
needs; the deployed binaries are built per function). Exits non-zero with the offending
functions and the crates they would link."""

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
ENGINE = {"tantivy", "candle-core", "candle-nn", "candle-transformers", "tokenizers"}
EMBEDDED_STORE = {"rusqlite", "libsqlite3-sys"}
WITH_ENGINE = {"kb", "suggestions"}
NOT_NEEDED = {"reqwest", "regex", "regex-automata", "aws-sdk-sso", "aws-sdk-ssooidc", "p256",
              "p384", "ed25519-dalek"}


def linked_crates(function):
    out = subprocess.run(
        ["cargo", "tree", "-p", function, "-e", "normal", "--prefix", "none", "--format", "{p}"],
        cwd=REPO, capture_output=True, text=True, check=True,
    ).stdout
    return {line.split(" ")[0] for line in out.splitlines() if line.strip()}


def main():
    functions = sorted(p.parent.name for p in (REPO / "functions").glob("*/Cargo.toml"))
    failures = []
    for fn in functions:
        crates = linked_crates(fn)
        store = sorted(crates & EMBEDDED_STORE)
        engine = sorted(crates & ENGINE)
        if store:
            failures.append(f"{fn}: links the embedded store ({', '.join(store)})")
        # The engine's tokenizer uses regex itself.
        needless = sorted(crates & (NOT_NEEDED - ({"regex", "regex-automata"} if fn in WITH_ENGINE else set())))
        if needless:
            failures.append(f"{fn}: links crates no function needs ({', '.join(needless)})")
        if fn in WITH_ENGINE and "tantivy" not in crates:
            failures.append(f"{fn}: serves suggestions but does not link the engine")
        if fn not in WITH_ENGINE and engine:
            failures.append(f"{fn}: links the suggestion engine ({', '.join(engine)})")
        print(f"  {fn}: {len(crates)} crates" + (f", engine: {', '.join(engine)}" if engine else ""))
    if failures:
        print("\n".join(f"FAIL {f}" for f in failures))
        return 1
    print(f"PASS [function dependencies]: {len(functions)} functions; none links rusqlite; "
          f"only {' and '.join(sorted(WITH_ENGINE))} link tantivy and candle; none links "
          f"{', '.join(sorted(NOT_NEEDED))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
