#!/usr/bin/env bash
# Makes actionlint (the GitHub Actions workflow checker, github.com/rhysd/actionlint) available without
# internet access beyond the Go module proxy, cached outside the work tree, the way ensure-pulumi.sh
# makes the Pulumi CLI available.
#
# Usage:  ACTIONLINT="$(bash scripts/ensure-actionlint.sh | tail -1)"
#
# Progress goes to stderr; the last line of stdout is the path of the actionlint binary.
#
# Environment:
#   SCIMOPS_ACTIONLINT_CACHE     cache root (default: $HOME/.cache/scimops-actionlint); the binary goes to
#                                <root>/v1.7.12/bin/actionlint
#   SCIMOPS_ACTIONLINT_REBUILD=1 ignore the cached binary and rebuild it
set -euo pipefail

readonly ACTIONLINT_VERSION="v1.7.12"
readonly ACTIONLINT_PACKAGE="github.com/rhysd/actionlint/cmd/actionlint"

CACHE_ROOT="${SCIMOPS_ACTIONLINT_CACHE:-$HOME/.cache/scimops-actionlint}"
BIN_DIR="$CACHE_ROOT/$ACTIONLINT_VERSION/bin"
BIN="$BIN_DIR/actionlint"

log() { echo "ensure-actionlint: $*" >&2; }
die() { log "error: $*"; exit 1; }

# First line of `actionlint -version` is the version it was built as (e.g. v1.7.12).
version_of() { "$1" -version 2>/dev/null | head -n1 | tr -d '[:space:]' || true; }

mkdir -p "$BIN_DIR"
# Serialise concurrent callers (parallel test runs) on the cache.
exec 9>"$CACHE_ROOT/$ACTIONLINT_VERSION/.lock"
flock 9

if [[ "${SCIMOPS_ACTIONLINT_REBUILD:-}" != "1" && -x "$BIN" && "$(version_of "$BIN")" == "$ACTIONLINT_VERSION" ]]; then
  log "using cached actionlint $ACTIONLINT_VERSION ($BIN)"
  echo "$BIN"
  exit 0
fi

GO="$(command -v go || true)"
[[ -z "$GO" && -x /usr/local/go/bin/go ]] && GO=/usr/local/go/bin/go
[[ -n "$GO" ]] || die "no cached actionlint in $BIN_DIR and no Go toolchain to build it"

tmp="$(mktemp -d "$CACHE_ROOT/$ACTIONLINT_VERSION/build.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
start=$SECONDS
log "building actionlint $ACTIONLINT_VERSION from the Go module proxy ($("$GO" version | cut -d' ' -f3))..."
# `go install pkg@version` builds the module exactly as released (its own go.mod/go.sum), outside any
# work-tree module. The -X flag sets the version `actionlint -version` prints, as its release build does.
GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS="" GOBIN="$tmp" "$GO" install -trimpath \
  -ldflags "-s -w -X github.com/rhysd/actionlint.version=$ACTIONLINT_VERSION" \
  "$ACTIONLINT_PACKAGE@$ACTIONLINT_VERSION" >&2
built="$(version_of "$tmp/actionlint")"
[[ "$built" == "$ACTIONLINT_VERSION" ]] || die "built actionlint reports version '$built', expected $ACTIONLINT_VERSION"
mv -f "$tmp/actionlint" "$BIN"
log "build finished in $((SECONDS - start))s"
echo "$BIN"
