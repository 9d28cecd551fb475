// Shared by the npm package tests: packs the built package (target/npm/callstate/, written by
// `make package`) with `npm pack`, and installs only that tarball, offline, into a scratch
// folder with its own package.json, as a user would.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
export const PACKAGE_DIR = path.join(REPO, 'target', 'npm', 'callstate');
export const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
export const CLI = path.join(REPO, 'target', 'release', 'callstate');
export const BIN = path.join(REPO, 'node_modules', '.bin');

const run = promisify(execFile);

/** Fails (never skips) when the package has not been built. */
export function assertPackageBuilt() {
  assert.ok(
    existsSync(path.join(PACKAGE_DIR, 'package.json')),
    `${path.relative(REPO, PACKAGE_DIR)}/ does not exist: run \`make package\` first ` +
      '(it builds the wasm and the release CLI, then runs scripts/build-npm.mjs).',
  );
}

/** Runs a command, resolving to {stdout, stderr}; a failure's error carries both, and the exit code. */
export async function sh(file, args, options = {}) {
  try {
    return await run(file, args, { maxBuffer: 64 << 20, ...options, env: { ...process.env, ...options.env } });
  } catch (error) {
    error.message += `\n--- stdout ---\n${error.stdout ?? ''}\n--- stderr ---\n${error.stderr ?? ''}`;
    throw error;
  }
}

// npm must neither ask a registry nor touch the repository's own package files.
const NPM_ENV = {
  npm_config_update_notifier: 'false',
  npm_config_audit: 'false',
  npm_config_fund: 'false',
  npm_config_loglevel: 'warn',
};

/**
 * Packs the package into a temporary folder and installs the tarball into a fresh scratch
 * project. Resolves to {scratch, tarball, pack (npm pack --json's entry), cleanup()}.
 */
export async function packAndInstall() {
  assertPackageBuilt();
  const scratch = await mkdtemp(path.join(tmpdir(), 'callstate-npm-'));
  const packs = path.join(scratch, '.packs');
  const project = path.join(scratch, 'project');
  await mkdir(packs);
  await mkdir(project);
  const { stdout } = await sh('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', packs], {
    cwd: PACKAGE_DIR,
    env: NPM_ENV,
  });
  const [pack] = JSON.parse(stdout);
  const tarball = path.join(packs, pack.filename);
  await writeFile(
    path.join(project, 'package.json'),
    `${JSON.stringify({ name: 'callstate-consumer', private: true, type: 'module' }, null, 2)}\n`,
  );
  await sh('npm', ['install', '--offline', '--no-audit', '--no-fund', tarball], { cwd: project, env: NPM_ENV });
  assert.ok(existsSync(path.join(project, 'node_modules', 'callstate', 'package.json')), 'the tarball did not install');
  return {
    scratch: project,
    tarball,
    pack,
    cleanup: () => rm(scratch, { recursive: true, force: true }),
  };
}

/** Copies fixtures (tests/npm/fixtures/<name>) into the scratch project. */
export async function copyFixtures(project, ...names) {
  for (const name of names) await copyFile(path.join(FIXTURES, name), path.join(project, name));
}
