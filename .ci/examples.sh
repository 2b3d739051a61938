#!/usr/bin/env bash
# Installs and builds the TypeScript examples, each its own npm project with its own lockfile:
# examples/client (openapi-typescript + openapi-fetch) and examples/nest-resource-server (NestJS +
# passport-jwt + jwks-rsa). `npm run build` is their strict type-check (tsc). It also checks that
# the client's generated types are exactly what docs/openapi.json yields today.
# test/examples.e2e-spec.ts then runs both against Tessera; under CI=true it fails when they are
# not built. Called by .ci/run and .ci/node24.sh before `npm test`; usable alone the same way.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
export npm_config_nodedir="${npm_config_nodedir:-/usr}"

for example in client nest-resource-server; do
  printf 'examples/%s: npm ci, build\n' "$example"
  (cd "examples/$example" && npm ci --no-audit --no-fund && npm run --silent build)
done

echo 'examples/client: src/schema.d.ts is what docs/openapi.json generates'
if ! (cd examples/client && npm run --silent generate:check); then
  echo 'examples/client/src/schema.d.ts is out of date: run `npm run openapi` at the root (it' >&2
  echo 'writes docs/openapi.json, then these types), and commit both' >&2
  exit 1
fi
