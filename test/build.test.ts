import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from './helpers/processes';

/** `npm start` compiles only when a source changed since the last build (scripts/build.js --if-stale). */
let project: string;
const HOUR_AGO = new Date(Date.now() - 3_600_000);

const write = (file: string, text: string, time = HOUR_AGO) => {
  const full = path.join(project, file);
  fs.mkdirSync(path.dirname(full), { recursive: true });
  fs.writeFileSync(full, text);
  fs.utimesSync(full, time, time);
};
const check = () => {
  const result = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'build.js'), '--check', project], { encoding: 'utf8' });
  return { stale: result.status === 1, output: result.stdout };
};

beforeEach(() => {
  project = fs.mkdtempSync(path.join(os.tmpdir(), 'mosis-build-'));
  write('tsconfig.json', '{}');
  write('tsconfig.build.json', JSON.stringify({ extends: './tsconfig.json', include: ['src', 'ormconfig.ts'] }));
  write('src/main.ts', 'export {};');
  write('src/feature/service.ts', 'export {};');
  write('ormconfig.ts', 'export {};');
  for (const dir of ['src/feature', 'src', '.']) fs.utimesSync(path.join(project, dir), HOUR_AGO, HOUR_AGO);
  write('dist/.build-stamp', '', new Date());
});
afterEach(() => fs.rmSync(project, { recursive: true, force: true }));

it('a checkout built after its last change is up to date', () => {
  expect(check()).toEqual({ stale: false, output: '' });
});

it('an edited source, a deleted one or a changed tsconfig makes it stale, naming what changed', () => {
  write('src/feature/service.ts', 'export const changed = 1;', new Date(Date.now() + 1000));
  expect(check()).toEqual({ stale: true, output: 'changed since the last build: src/feature/service.ts\n' });

  write('src/feature/service.ts', 'export {};');
  fs.rmSync(path.join(project, 'src/main.ts'));
  fs.utimesSync(path.join(project, 'src'), new Date(Date.now() + 1000), new Date(Date.now() + 1000));
  expect(check().output).toContain('changed since the last build: src\n');

  fs.utimesSync(path.join(project, 'src'), HOUR_AGO, HOUR_AGO);
  write('tsconfig.json', '{"compilerOptions": {}}', new Date(Date.now() + 1000));
  expect(check().output).toContain('tsconfig.json');
});

it('a checkout never built is stale', () => {
  fs.rmSync(path.join(project, 'dist'), { recursive: true });
  expect(check().stale).toBe(true);
});
