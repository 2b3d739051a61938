// `npm start` runs this first: it builds (npm run build) only when a source is newer than the
// build, so a restart with nothing changed starts at once instead of compiling for seconds.
// Sources: src/ (every file: TypeScript, Lua scripts, assets) and the files that shape the build.
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const BUILT = 'dist/main.js';
const INPUTS = [
  'src',
  'package.json',
  'package-lock.json',
  'tsconfig.json',
  'tsconfig.build.json',
  'nest-cli.json',
];

/** The newest modification time under `path` (a file or a directory), 0 when it is missing. */
function newest(path) {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return stat.mtimeMs;
  // A deleted or renamed file changes its directory's mtime: count directories too.
  return readdirSync(path).reduce(
    (max, entry) => Math.max(max, newest(join(path, entry))),
    stat.mtimeMs,
  );
}

const built = newest(BUILT);
const sources = Math.max(...INPUTS.map(newest));
if (built === 0 || sources > built) {
  console.log(
    built === 0 ? 'No build yet: building.' : 'Sources changed since the last build: building.',
  );
  execFileSync('npm', ['run', 'build'], { stdio: 'inherit' });
} else {
  console.log('dist/ is up to date: not rebuilding (npm run build forces it).');
}
