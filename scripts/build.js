#!/usr/bin/env node
// Compiles the TypeScript (tsconfig.build.json) into dist/ and stamps a successful build.
//
//   node scripts/build.js [--always]  compile (npm run build; npm install runs it through `prepare`)
//   node scripts/build.js --if-stale  compile only if a source changed since the last stamp (npm start)
//   node scripts/build.js --check     exit 1 listing what changed since the stamp, without compiling
// A directory after the option builds (or checks) that project instead of this one.
//
// "Changed" is judged by modification times: every file and directory under tsconfig.build.json's
// `include` (a deleted or renamed file changes its directory's time) and the tsconfig files,
// against dist/.build-stamp. Walking a few hundred entries costs milliseconds; tsc costs seconds.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const [mode, projectDir] = process.argv.slice(2);
const ROOT = path.resolve(projectDir ?? path.join(__dirname, '..'));
const STAMP = path.join(ROOT, 'dist', '.build-stamp');
const BUILD_CONFIG = 'tsconfig.build.json';

function newestInputs(stampTime) {
  const { include } = JSON.parse(fs.readFileSync(path.join(ROOT, BUILD_CONFIG), 'utf8'));
  const changed = [];
  const visit = (file) => {
    let stat;
    try {
      stat = fs.statSync(file);
    } catch {
      return; // an include that does not exist (yet)
    }
    if (stat.mtimeMs > stampTime) changed.push(path.relative(ROOT, file) || '.');
    if (stat.isDirectory()) for (const entry of fs.readdirSync(file)) visit(path.join(file, entry));
  };
  for (const input of [BUILD_CONFIG, 'tsconfig.json', ...include]) visit(path.join(ROOT, input));
  return changed;
}

function stampTime() {
  try {
    return fs.statSync(STAMP).mtimeMs;
  } catch {
    return -Infinity;
  }
}

function compile() {
  const startedAt = new Date();
  const tsc = require.resolve('typescript/bin/tsc', { paths: [ROOT] });
  const result = spawnSync(process.execPath, [tsc, '-p', path.join(ROOT, BUILD_CONFIG)], { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
  // The stamp carries the time the build started, so an edit made while tsc ran still counts as a change.
  fs.writeFileSync(STAMP, `${startedAt.toISOString()}\n`);
  fs.utimesSync(STAMP, startedAt, startedAt);
}

if (mode === undefined || mode === '--always') {
  compile();
} else if (mode === '--if-stale' || mode === '--check') {
  const changed = newestInputs(stampTime());
  if (changed.length === 0) process.exit(0);
  const shown = changed.slice(0, 5).join(', ') + (changed.length > 5 ? `, … (${changed.length} in all)` : '');
  if (mode === '--check') {
    console.log(`changed since the last build: ${shown}`);
    process.exit(1);
  }
  console.error(`mosis: compiling (changed since the last build: ${shown})`);
  compile();
} else {
  console.error('usage: node scripts/build.js [--always | --if-stale | --check] [project directory]');
  process.exit(2);
}
