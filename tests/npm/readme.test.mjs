// The README's examples are run as written: the Node example against the packed package installed
// in a scratch project, the CLI examples against the release CLI.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { CLI, REPO, packAndInstall, sh } from './scratch.mjs';

/** The code block that follows `<!-- readme-example: NAME -->` in README.md. */
async function example(name) {
  const readme = await readFile(path.join(REPO, 'README.md'), 'utf8');
  const marker = readme.indexOf(`<!-- readme-example: ${name} -->`);
  assert.ok(marker >= 0, `README.md has no example marked ${name}`);
  const match = /```[a-z]*\n([\s\S]*?)```/.exec(readme.slice(marker));
  return match[1];
}

test('the README Node example runs against the installed package', { timeout: 120_000 }, async () => {
  const { scratch: project, cleanup } = await packAndInstall();
  try {
    await copyFile(path.join(REPO, 'tests', 'corpus', 'crewai-responses-autochain.yaml'), path.join(project, 'capture.har'));
    await copyFile(path.join(REPO, 'tests', 'formats', 'frontdoor-runtime-sessions.har'), path.join(project, 'front.har'));
    await copyFile(path.join(REPO, 'tests', 'formats', 'backend-model-calls.jsonl'), path.join(project, 'back.jsonl'));
    await writeFile(path.join(project, 'example.mjs'), await example('node'));
    const { stdout } = await sh(process.execPath, ['example.mjs'], { cwd: project });
    const lines = stdout.trim().split('\n');
    assert.match(lines[0], /^stateful 0\.95 callstate\.report\/2$/);
    assert.match(lines[1], /^layered \[ 1, 2, 4, 6 \] \[ 3, 5, 7 \]$/);
    assert.match(lines[2], /^malformed 21 The HAR file ends too early/);
  } finally {
    await cleanup();
  }
});

test('the README CLI examples give the exit codes they show', async () => {
  const run = async (args) => {
    try {
      await sh(CLI, args, { cwd: REPO });
      return 0;
    } catch (error) {
      return error.code;
    }
  };
  assert.equal(await run(['analyze', '--expect', 'stateless', 'tests/corpus/oai-chat-tool-calls.yaml']), 0);
  assert.equal(await run(['analyze', '--expect', 'stateless', 'tests/corpus/crewai-responses-autochain.yaml']), 1);
  assert.equal(await run(['analyze', 'tests/corpus/does-not-exist.har']), 2);
});

test('the README example policies are the shipped ones, and give what the README shows', async () => {
  const { mkdtemp, rm } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const dir = await mkdtemp(path.join(tmpdir(), 'callstate-readme-policy-'));
  try {
    const policies = {};
    for (const [marker, file] of [['policy-azure', 'azure-stateless.json'], ['policy-retention', 'no-retention.json']]) {
      const text = await example(marker);
      const shipped = await readFile(path.join(REPO, 'examples', 'policies', file), 'utf8');
      assert.deepEqual(JSON.parse(text), JSON.parse(shipped), `README's ${marker} is examples/policies/${file}`);
      policies[file] = path.join(dir, file);
      await writeFile(policies[file], text);
    }
    // The shell session in the README, run with the README's policies: exit codes and stderr.
    const session = await example('policy-cli');
    const commands = session.split('\n$ ').map((block) => block.replace(/^\$ /, '').split('\n'));
    assert.equal(commands.length, 3);
    for (const [command, ...shown] of commands) {
      const args = command.replace(/; echo \$\?$/, '').split(' ').slice(1);
      const policy = args[args.indexOf('--policy') + 1];
      args[args.indexOf('--policy') + 1] = policies[path.basename(policy)];
      let code = 0;
      let stderr = '';
      try {
        await sh(CLI, args, { cwd: REPO });
      } catch (error) {
        ({ code, stderr } = error);
      }
      if (command.endsWith('echo $?')) {
        assert.equal(String(code), shown[0].trim(), command);
        continue;
      }
      assert.equal(code, 1, command);
      const lines = stderr.trimEnd().split('\n');
      assert.equal(lines.length, shown.filter(Boolean).length, `${command}:\n${stderr}`);
      shown.filter(Boolean).forEach((line, i) => {
        const [prefix] = line.split(' ...');
        assert.ok(lines[i].startsWith(prefix.replace(/; \.\.\.$|\.\.\.$/, '')), `${command}: README shows\n${line}\ngot\n${lines[i]}`);
      });
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('the README --each example prints what it shows', async () => {
  const [command, ...shown] = (await example('each')).trimEnd().split('\n');
  const args = command.replace(/^\$ callstate /, '').split(' ');
  const error = await sh(CLI, args, { cwd: REPO }).then(
    () => assert.fail('the example expects a verdict it does not get, so it exits 1'),
    (e) => e,
  );
  assert.equal(error.code, 1);
  assert.equal(error.stdout.trimEnd(), shown.join('\n'));
});
