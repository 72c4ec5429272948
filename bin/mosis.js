#!/usr/bin/env node
// `npx mosis <command>`: the operator CLI. The TypeScript is compiled by `npm install` (prepare).
const path = require('node:path');
const fs = require('node:fs');

const entry = path.join(__dirname, '..', 'dist', 'src', 'cli', 'main.js');
if (!fs.existsSync(entry)) {
  console.error('mosis: the project is not built yet. Run `npm run build` (npm install does it) and try again.');
  process.exit(1);
}
require(entry);
