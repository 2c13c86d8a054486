#!/usr/bin/env bash
# Makes the Pulumi CLI (v3.259.0) and a Node.js language host available without internet access
# (only the Go module proxy is needed, and only for the first build), cached outside the work tree.
#
# Usage:  PATH="$(bash scripts/ensure-pulumi.sh | tail -1):$PATH"
#
# Progress goes to stderr; the last line of stdout is the directory to put on PATH. It holds
#   pulumi                          built from github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
#   pulumi-language-nodejs          our own host, scripts/pulumi-build/cmd/pulumi-language-nodejs
#   pulumi-resource-pulumi-nodejs   the dynamic-provider shim copied from node_modules/@pulumi/pulumi
#
# Environment:
#   SCIMOPS_PULUMI_CACHE   cache root (default: $HOME/.cache/scimops-pulumi); binaries go to <root>/v3.259.0/bin
#   SCIMOPS_PULUMI_REBUILD=1   ignore cached binaries and rebuild both
set -euo pipefail

readonly PULUMI_VERSION="v3.259.0"
readonly MIN_VERSION="3.259.0"

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/.." && pwd)"
BUILD_MODULE="$SCRIPT_DIR/pulumi-build"
CACHE_ROOT="${SCIMOPS_PULUMI_CACHE:-$HOME/.cache/scimops-pulumi}"
BIN_DIR="$CACHE_ROOT/$PULUMI_VERSION/bin"
SHIM_SRC="$REPO_ROOT/node_modules/@pulumi/pulumi/pulumi-resource-pulumi-nodejs"
HOST_STAMP="$BIN_DIR/.pulumi-language-nodejs.sha256"

log() { echo "ensure-pulumi: $*" >&2; }

# Runs "$@" (a go build) with its output on stderr, and says every 30 s that it is still going: `go build`
# is silent while it compiles, and a CI log that stays quiet for minutes looks hung.
with_heartbeat() {
  local what="$1" begun=$SECONDS pid status=0
  shift
  "$@" >&2 &
  pid=$!
  while ! wait_up_to 30 "$pid"; do log "still $what ($((SECONDS - begun))s so far)"; done
  wait "$pid" || status=$?
  return "$status"
}

# True once process $2 has ended, waiting at most $1 seconds for that.
wait_up_to() {
  local deadline=$((SECONDS + $1))
  while kill -0 "$2" 2>/dev/null; do
    (( SECONDS < deadline )) || return 1
    sleep 1
  done
}
die() { log "error: $*"; exit 1; }

# Prints the version `pulumi version` reports for binary $1 (empty on failure).
version_of() {
  PULUMI_SKIP_UPDATE_CHECK=true PULUMI_HOME="${PULUMI_HOME:-$CACHE_ROOT/pulumi-home}" \
    "$1" version 2>/dev/null | tr -d '[:space:]' || true
}

# True if version $1 (with or without a leading v) is a 3.x release >= MIN_VERSION.
supported_version() {
  local v="${1#v}"
  [[ "$v" =~ ^3\.[0-9]+\.[0-9]+$ ]] || return 1
  [[ "$(printf '%s\n%s\n' "$MIN_VERSION" "$v" | sort -V | head -n1)" == "$MIN_VERSION" ]]
}

# Hash of everything the language host binary is built from.
host_source_hash() {
  (cd "$BUILD_MODULE" && cat go.mod go.sum cmd/pulumi-language-nodejs/*.go | sha256sum | cut -d' ' -f1)
}

# Copies the dynamic-provider shim from the project's node_modules next to the binaries ($1).
install_shim() {
  local dir="$1"
  if [[ -f "$SHIM_SRC" ]]; then
    if ! cmp -s "$SHIM_SRC" "$dir/pulumi-resource-pulumi-nodejs"; then
      cp "$SHIM_SRC" "$dir/pulumi-resource-pulumi-nodejs.tmp.$$"
      chmod 0755 "$dir/pulumi-resource-pulumi-nodejs.tmp.$$"
      mv -f "$dir/pulumi-resource-pulumi-nodejs.tmp.$$" "$dir/pulumi-resource-pulumi-nodejs"
      log "installed pulumi-resource-pulumi-nodejs from $SHIM_SRC"
    fi
  elif [[ ! -x "$dir/pulumi-resource-pulumi-nodejs" ]]; then
    log "warning: $SHIM_SRC not found (run npm ci); dynamic providers will not work until it is copied"
  fi
}

# 1. A suitable CLI already on PATH (e.g. an official install, or our cache dir from an earlier call)
#    that has the language host and the dynamic-provider shim beside it.
if [[ "${SCIMOPS_PULUMI_REBUILD:-}" != "1" ]] && path_pulumi="$(command -v pulumi 2>/dev/null)"; then
  path_dir="$(cd "$(dirname "$(readlink -f "$path_pulumi")")" && pwd)"
  if [[ "$path_dir" != "$BIN_DIR" && -x "$path_dir/pulumi-language-nodejs" \
        && -x "$path_dir/pulumi-resource-pulumi-nodejs" ]]; then
    v="$(version_of "$path_pulumi")"
    if supported_version "$v"; then
      log "using pulumi $v from PATH ($path_dir)"
      echo "$path_dir"
      exit 0
    fi
  fi
fi

mkdir -p "$BIN_DIR"

# Serialise concurrent callers (e.g. parallel test workers) on the cache.
exec 9>"$CACHE_ROOT/$PULUMI_VERSION/.lock"
flock 9

need_cli=1
need_host=1
if [[ "${SCIMOPS_PULUMI_REBUILD:-}" != "1" ]]; then
  if [[ -x "$BIN_DIR/pulumi" ]] && [[ "$(version_of "$BIN_DIR/pulumi")" == "$PULUMI_VERSION" ]]; then
    need_cli=0
  fi
  if [[ -x "$BIN_DIR/pulumi-language-nodejs" && -f "$HOST_STAMP" ]] \
     && [[ "$(cat "$HOST_STAMP")" == "$(host_source_hash)" ]]; then
    need_host=0
  fi
fi

if (( need_cli || need_host )); then
  GO="$(command -v go || true)"
  [[ -z "$GO" && -x /usr/local/go/bin/go ]] && GO=/usr/local/go/bin/go
  [[ -n "$GO" ]] || die "no cached Pulumi in $BIN_DIR and no Go toolchain to build it (need Go >= 1.25)"

  # go.mod/go.sum in scripts/pulumi-build are complete (go mod tidy), so the build runs with
  # -mod=readonly and needs the network only to download modules into the module cache.
  export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS="-mod=readonly"
  build_flags=(-trimpath -tags osusergo,grpcnotrace
    -ldflags "-w -s -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$PULUMI_VERSION")
  tmp="$(mktemp -d "$CACHE_ROOT/$PULUMI_VERSION/build.XXXXXX")"
  trap 'rm -rf "$tmp"' EXIT
  start=$SECONDS

  if (( need_host )); then
    log "building pulumi-language-nodejs ($("$GO" version | cut -d' ' -f3))..."
    (cd "$BUILD_MODULE" && with_heartbeat "building pulumi-language-nodejs" \
      "$GO" build "${build_flags[@]}" -o "$tmp/pulumi-language-nodejs" ./cmd/pulumi-language-nodejs)
    mv -f "$tmp/pulumi-language-nodejs" "$BIN_DIR/pulumi-language-nodejs"
    host_source_hash > "$HOST_STAMP"
  fi
  if (( need_cli )); then
    log "building pulumi $PULUMI_VERSION from the Go module proxy (first build takes a while)..."
    (cd "$BUILD_MODULE" && with_heartbeat "building pulumi (downloads modules, then compiles)" \
      "$GO" build "${build_flags[@]}" -o "$tmp/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi)
    built="$(version_of "$tmp/pulumi")"
    [[ "$built" == "$PULUMI_VERSION" ]] || die "built pulumi reports version '$built', expected $PULUMI_VERSION"
    mv -f "$tmp/pulumi" "$BIN_DIR/pulumi"
  fi
  log "build finished in $((SECONDS - start))s"
else
  log "using cached pulumi $PULUMI_VERSION ($BIN_DIR)"
fi

install_shim "$BIN_DIR"
echo "$BIN_DIR"
