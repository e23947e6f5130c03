#!/usr/bin/env bash
# Builds every Lambda function for deployment and measures it: zipped size, and start-up (process
# start to the response to its first event) against a local mock of the Lambda runtime API with
# DynamoDB on moto. Writes the table to docs/performance.md, "Lambda functions: size and start-up".
#
#   infra/measure-functions.sh               build (release, x86_64) and measure, 5 runs each
#   infra/measure-functions.sh --no-build    measure what was built last
#   RUNS=9 infra/measure-functions.sh        more runs per function (the median is reported)
#
# Slow: a release build of ~20 binaries with LTO takes long on 2 cores. Not part of
# ./scripts/test.sh; run it by hand when the functions or their dependencies change. It builds in
# its own target directory (target/lambda-release) so it never holds the workspace build's lock.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

build=1
[ "${1:-}" = "--no-build" ] && build=0
runs=${RUNS:-5}
export CARGO_TARGET_DIR=${LAMBDA_TARGET_DIR:-$root/target/lambda-release}
lambda_dir="$CARGO_TARGET_DIR/lambda"
# zig is cargo-lambda's default linker; CARGO_LAMBDA_COMPILER=cargo uses the host toolchain.
compiler_args=()
[ -n "${CARGO_LAMBDA_COMPILER:-}" ] && compiler_args=(--compiler "$CARGO_LAMBDA_COMPILER")

if ! cargo lambda --version >/dev/null 2>&1; then
  echo "==> installing cargo-lambda (pip install cargo-lambda)"
  python3 -m pip install --quiet --disable-pip-version-check cargo-lambda
fi
python3 -c 'import moto, boto3, werkzeug, cfnlint' 2>/dev/null || python3 -m pip install --quiet --disable-pip-version-check 'moto[server]>=5' cfn-lint
[ -x scripts/fetch-model.sh ] && scripts/fetch-model.sh

packages=()
for cargo in functions/*/Cargo.toml; do
  packages+=(-p "$(basename "$(dirname "$cargo")")")
done

anchor_dir="$CARGO_TARGET_DIR/anchor-src"
if [ "$build" = 1 ]; then
  echo "==> cargo lambda build --release ${compiler_args[*]} ($(( ${#packages[@]} / 2 )) functions, target dir $CARGO_TARGET_DIR)"
  started=$(date +%s)
  cargo lambda build --release "${compiler_args[@]}" "${packages[@]}"
  echo "    built in $(( $(date +%s) - started )) s"

  # The anchor: the smallest Rust Lambda (lambda_runtime echoing its event), same profile.
  mkdir -p "$anchor_dir/src"
  cat > "$anchor_dir/Cargo.toml" <<'TOML'
[package]
name = "anchor"
version = "0.1.0"
edition = "2021"
publish = false

[dependencies]
lambda_runtime = "1"
serde_json = "1"
tokio = { version = "1", features = ["macros"] }

[profile.release]
opt-level = "s"
lto = true
codegen-units = 1
strip = true
panic = "abort"

# Not a member of the chatdesk workspace.
[workspace]
TOML
  cat > "$anchor_dir/src/main.rs" <<'RS'
use lambda_runtime::{service_fn, Error, LambdaEvent};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_runtime::run(service_fn(|event: LambdaEvent<Value>| async move {
        Ok::<Value, Error>(event.payload)
    }))
    .await
}
RS
  # The workspace's lock file: the same crate versions, all already in the local registry.
  cp Cargo.lock "$anchor_dir/Cargo.lock"
  echo "==> anchor: cargo lambda build --release (minimal Rust Lambda)"
  (cd "$anchor_dir" && cargo lambda build --release "${compiler_args[@]}" --lambda-dir "$CARGO_TARGET_DIR/anchor")

  # The second anchor: the smallest function that does what every chatdesk function must, an
  # HTTP event through lambda_http and one DynamoDB GetItem with aws-sdk-dynamodb, on the same
  # HTTP and TLS stack as the functions (hyper + rustls with ring) and the same profile.
  anchor_db_dir="$CARGO_TARGET_DIR/anchor-dynamodb-src"
  mkdir -p "$anchor_db_dir/src"
  sed -e 's/^name = "anchor"/name = "anchor-dynamodb"/' -e '/^\[dependencies\]/,/^$/d' "$anchor_dir/Cargo.toml" > "$anchor_db_dir/Cargo.toml"
  cat >> "$anchor_db_dir/Cargo.toml" <<'TOML'

[dependencies]
aws-config = { version = "1", default-features = false, features = ["behavior-version-latest", "rt-tokio"] }
aws-sdk-dynamodb = { version = "1", default-features = false, features = ["rt-tokio"] }
aws-smithy-http-client = { version = "1", default-features = false, features = ["rustls-ring"] }
lambda_http = { version = "1", default-features = false, features = ["apigw_http"] }
tokio = { version = "1", features = ["macros"] }
TOML
  cat > "$anchor_db_dir/src/main.rs" <<'RS'
use aws_sdk_dynamodb::types::AttributeValue;
use lambda_http::{service_fn, Body, Error, Request, Response};

#[tokio::main]
async fn main() -> Result<(), Error> {
    use aws_smithy_http_client::tls::{rustls_provider::CryptoMode, Provider};
    let http = aws_smithy_http_client::Builder::new()
        .tls_provider(Provider::Rustls(CryptoMode::Ring))
        .build_https();
    let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest()).http_client(http);
    if let Ok(url) = std::env::var("CHATDESK_DYNAMODB_ENDPOINT") {
        loader = loader.endpoint_url(url);
    }
    let client = aws_sdk_dynamodb::Client::new(&loader.load().await);
    let table = std::env::var("CHATDESK_TABLE")?;
    lambda_http::run(service_fn(move |_request: Request| {
        let (client, table) = (client.clone(), table.clone());
        async move {
            let item = client
                .get_item()
                .table_name(table)
                .key("pk", AttributeValue::S("ANCHOR".into()))
                .key("sk", AttributeValue::S("ANCHOR".into()))
                .send()
                .await?;
            let body = format!("{{\"found\":{}}}", item.item().is_some());
            Ok::<_, Error>(Response::builder().status(200).body(Body::from(body))?)
        }
    }))
    .await
}
RS
  cp Cargo.lock "$anchor_db_dir/Cargo.lock"
  echo "==> anchor: cargo lambda build --release (lambda_http + one DynamoDB GetItem)"
  (cd "$anchor_db_dir" && cargo lambda build --release "${compiler_args[@]}" --lambda-dir "$CARGO_TARGET_DIR/anchor")
fi

manifest=$(mktemp)
trap 'rm -f "$manifest"' EXIT
# The manifest from the workspace's own debug build (features resolved for the whole workspace,
# as ./scripts/test.sh builds them; `cargo run -p chatdesk-server` would build a second copy).
(unset CARGO_TARGET_DIR
 cargo build -q --workspace --bin chatdesk
 "$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')/debug/chatdesk" manifest) > "$manifest"

anchor_args=()
[ -x "$CARGO_TARGET_DIR/anchor/anchor/bootstrap" ] && anchor_args+=(--anchor "$CARGO_TARGET_DIR/anchor/anchor/bootstrap")
[ -x "$CARGO_TARGET_DIR/anchor/anchor-dynamodb/bootstrap" ] && anchor_args+=(--dynamodb-anchor "$CARGO_TARGET_DIR/anchor/anchor-dynamodb/bootstrap")

echo "==> measuring ($runs cold starts per function)"
python3 infra/measure/measure.py --lambda-dir "$lambda_dir" --manifest "$manifest" --runs "$runs" \
  "${anchor_args[@]}" --doc docs/performance.md \
  --build-note "Built with cargo-lambda $(cargo lambda --version | awk '{print $2}'), $(rustc --version | awk '{print $1, $2}'), on $(date -u +%Y-%m-%d)."
