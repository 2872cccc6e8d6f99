// The CI workflows and the Kubernetes example parse, have the structure their engines need, and run
// only commands that exist: `npx kafkasim <sub>` with a registered subcommand and options it declares
// (asked of the real binary), npm scripts from package.json, files in the repository, a few shell
// tools, and known actions.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { repoRoot } from '../helpers/paths.ts';

const root = repoRoot;
const bin = join(root, 'bin/kafkasim.js');

function yamlFiles(dir: string): string[] {
  const abs = join(root, dir);
  if (!existsSync(abs)) return [];
  return readdirSync(abs)
    .filter((f) => /\.ya?ml$/.test(f))
    .map((f) => join(dir, f));
}

/** Every YAML document of a file, as plain data; a syntax error fails the test with its message. */
function loadYaml(file: string): unknown[] {
  const docs = parseAllDocuments(readFileSync(join(root, file), 'utf8'));
  for (const d of docs)
    expect(
      d.errors.map((e) => e.message),
      file,
    ).toEqual([]);
  return docs.map((d) => d.toJS() as unknown);
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const obj = (v: unknown, what: string): Obj => {
  if (!isObj(v)) throw new Error(`${what} must be a mapping`);
  return v;
};

// ---- what exists -------------------------------------------------------------------------------

/** Subcommand → the long options its --help lists, from the real binary. */
let kafkasimCommands: Map<string, Set<string>>;

function help(...args: string[]): string {
  const r = spawnSync(process.execPath, [bin, ...args, '--help'], { encoding: 'utf8', timeout: 60_000 });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

beforeAll(() => {
  const top = help();
  const commands = [...top.split(/^Commands:$/m)[1].matchAll(/^ {2}([a-z][a-z-]*)\b/gm)]
    .map((m) => m[1])
    .filter((c) => c !== 'help');
  kafkasimCommands = new Map(
    commands.map((c) => [c, new Set([...help(c).matchAll(/--[a-z][a-z-]*/g)].map((m) => m[0]))]),
  );
});

const scripts = Object.keys((JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Obj }).scripts);

/** Shell tools a workflow may use besides the project's own commands (all present on ubuntu-latest). */
const SHELL_TOOLS = new Set([
  'echo',
  'printf',
  'mkdir',
  'ls',
  'cp',
  'mv',
  'rm',
  'cat',
  'date',
  'test',
  '[',
  'true',
  'exit',
  'cd',
  'export',
  'tar',
  'find',
]);

/** Actions the workflows may use, at these major versions. */
const ACTIONS = new Set([
  'actions/checkout@v4',
  'actions/setup-node@v4',
  'actions/upload-artifact@v4',
  'actions/download-artifact@v4',
  'actions/upload-pages-artifact@v3',
  'actions/deploy-pages@v4',
]);

/** Problems with one command line given as words (no shell syntax left). */
function checkCommand(words: string[]): string[] {
  const [cmd, ...args] = words;
  if (cmd === 'npx') {
    if (args[0] !== 'kafkasim') return [`npx may only run kafkasim, not ${args[0] ?? '(nothing)'}`];
    const sub = args[1];
    const options = sub === undefined ? undefined : kafkasimCommands.get(sub);
    if (options === undefined)
      return [`kafkasim has no command "${sub ?? ''}" (it has ${[...kafkasimCommands.keys()].join(', ')})`];
    return args
      .filter((a) => a.startsWith('--'))
      .map((a) => a.split('=')[0])
      .filter((a) => !options.has(a))
      .map((a) => `kafkasim ${sub} has no option ${a}`);
  }
  if (cmd === 'npm') {
    if (args[0] === 'ci' || args[0] === 'test') return [];
    if (args[0] === 'run' && scripts.includes(args[1] ?? '')) return [];
    return [`npm ${args.join(' ')}: only npm ci, npm test and npm run <a package.json script>`];
  }
  if (cmd === 'bash' || cmd === 'sh' || cmd === 'node') {
    return args[0] !== undefined && existsSync(join(root, args[0]))
      ? []
      : [`${cmd} ${args[0] ?? ''}: no such file in the repository`];
  }
  if (SHELL_TOOLS.has(cmd)) {
    const found = spawnSync('bash', ['-c', `command -v '${cmd}'`]).status === 0;
    return found ? [] : [`${cmd} is not installed here`];
  }
  return [`${cmd} is not a command workflows may run`];
}

// ---- a small shell reader: enough of sh to find every simple command in a step's script ----------

/** The index just past the parenthesis closing the one opened before `from`. */
function closing(text: string, from: number): number {
  let depth = 1;
  for (let i = from; i < text.length; i++) {
    if (text[i] === '(') depth++;
    if (text[i] === ')' && --depth === 0) return i + 1;
  }
  throw new Error(`unbalanced parentheses in: ${text}`);
}

const KEYWORDS = new Set(['if', 'then', 'else', 'elif', 'fi', 'do', 'done', 'while', 'until', '!', '{', '}']);

/** The simple commands of a script, as words (quoted strings and expansions reduced to one word). */
function simpleCommands(script: string): string[][] {
  const scriptsToRead = [script];
  const out: string[][] = [];
  while (scriptsToRead.length > 0) {
    let text = scriptsToRead.pop() as string;
    if (text.includes('`')) throw new Error(`use $(...), not backquotes: ${text}`);
    text = text
      .replace(/\$\{\{[^}]*\}\}/g, 'X')
      .replace(/\\\n/g, ' ')
      .replace(/^\s*#.*$/gm, '');
    // $(( arithmetic )) holds no commands; $( substitution ) holds a script of its own.
    for (let i = text.indexOf('$('); i >= 0; i = text.indexOf('$(')) {
      const arithmetic = text[i + 2] === '(';
      const end = closing(text, i + (arithmetic ? 3 : 2));
      if (!arithmetic) scriptsToRead.push(text.slice(i + 2, end - 1));
      text = text.slice(0, i) + 'X' + text.slice(end + (arithmetic ? 1 : 0));
    }
    text = text.replace(/"(?:[^"\\]|\\.)*"|'[^']*'/g, 'Q');
    for (const segment of text.split(/\n|;|&&|\|\||\||&/)) {
      const words = segment
        .replace(/\d*>>?\s*\S+|<\s*\S+/g, ' ')
        .trim()
        .split(/\s+/)
        .filter((w) => w.length > 0);
      if (words[0] === 'for' || words[0] === 'case')
        throw new Error(`keep workflow scripts to simple commands and if: ${segment}`);
      while (words.length > 0 && (KEYWORDS.has(words[0]) || /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[0]))) words.shift();
      if (words.length > 0) out.push(words);
    }
  }
  return out;
}

function checkScript(script: string): string[] {
  return simpleCommands(script).flatMap(checkCommand);
}

// ---- the tests ---------------------------------------------------------------------------------

describe('the command checker itself', () => {
  it('finds commands in conditions, substitutions and pipelines, and refuses a misspelt subcommand', () => {
    const cmds = simpleCommands(
      'if [ -n "$A" ]; then\n  echo "x=$(date -u +%s)" >> "$OUT"\nelse\n  V=$(( 1 + 2 )) npx kafkasim fuzz --seeds ' +
        '"$S" | cat\nfi',
    );
    expect(cmds.map((c) => c[0]).sort()).toEqual(['[', 'cat', 'date', 'echo', 'npx']);
    expect(checkScript('npx kafkasim fuzzz --count 3')).toEqual([expect.stringMatching(/no command "fuzzz"/)]);
    expect(checkScript('npx kafkasim fuzz --shards 1/2')).toEqual(['kafkasim fuzz has no option --shards']);
    expect(checkScript('npm run no-such-script')).toHaveLength(1);
    expect(checkScript('curl https://example.com | sh')).toHaveLength(2);
    expect(checkScript('npx kafkasim merge a b --out site && bash .ci/run')).toEqual([]);
  });
});

const workflowFiles = yamlFiles('.github/workflows');

describe.each(workflowFiles)('%s', (file) => {
  const [doc] = loadYaml(file);
  const workflow = obj(doc, file);
  const jobs = obj(workflow.jobs, `${file}: jobs`);

  it('is a workflow: triggers, and jobs of steps that each use an action or run a script', () => {
    expect(workflow.on ?? workflow.true).toBeDefined(); // YAML 1.1 readers turn `on` into true
    expect(Object.keys(jobs).length).toBeGreaterThan(0);
    for (const [name, j] of Object.entries(jobs)) {
      const job = obj(j, `${file}: job ${name}`);
      expect(job['runs-on'], `${name}: runs-on`).toBeTypeOf('string');
      const needs = job.needs === undefined ? [] : Array.isArray(job.needs) ? job.needs : [job.needs];
      for (const n of needs) expect(Object.keys(jobs), `${name} needs ${String(n)}`).toContain(n);
      const steps = job.steps as unknown[];
      expect(Array.isArray(steps) && steps.length > 0, `${name}: steps`).toBe(true);
      for (const s of steps) {
        const step = obj(s, `${file}: a step of ${name}`);
        expect(
          (step.uses === undefined) !== (step.run === undefined),
          `${name}: a step needs exactly one of uses and run`,
        ).toBe(true);
        if (step.uses !== undefined) expect(ACTIONS, `${name}: ${String(step.uses)}`).toContain(step.uses);
      }
    }
    // needs.<job>.outputs.<name> must name an output the job declares.
    const text = readFileSync(join(root, file), 'utf8');
    for (const m of text.matchAll(/needs\.([a-z0-9_-]+)\.outputs\.([a-z0-9_-]+)/gi)) {
      expect(Object.keys(obj(obj(jobs[m[1]], m[1]).outputs, `${m[1]}.outputs`)), m[0]).toContain(m[2]);
    }
  });

  it('runs only commands that exist', () => {
    const problems: string[] = [];
    for (const [name, j] of Object.entries(jobs)) {
      for (const s of obj(j, name).steps as Obj[]) {
        if (typeof s.run === 'string') problems.push(...checkScript(s.run).map((p) => `${name}: ${p}`));
      }
    }
    expect(problems).toEqual([]);
  });
});

describe('.github/workflows/ci.yml', () => {
  it('runs the tests on push and pull requests with Node 20, through .ci/run', () => {
    const wf = obj(loadYaml('.github/workflows/ci.yml')[0], 'ci');
    const on = obj(wf.on, 'on');
    expect(Object.keys(on)).toEqual(expect.arrayContaining(['push', 'pull_request']));
    const steps = Object.values(obj(wf.jobs, 'jobs')).flatMap((j) => obj(j, 'job').steps as Obj[]);
    expect(steps.find((s) => s.uses === 'actions/setup-node@v4')?.with).toMatchObject({ 'node-version': 20 });
    expect(steps.some((s) => s.run === 'bash .ci/run')).toBe(true);
  });
});

describe('.github/workflows/nightly.yml', () => {
  const wf = obj(loadYaml('.github/workflows/nightly.yml')[0], 'nightly');
  const jobs = obj(wf.jobs, 'jobs');
  const allSteps = (job: string): Obj[] => obj(jobs[job], job).steps as Obj[];

  it('runs on a cron schedule', () => {
    const schedule = obj(wf.on, 'on').schedule as Obj[];
    expect(schedule.length).toBeGreaterThan(0);
    for (const s of schedule) expect(String(s.cron).trim().split(/\s+/)).toHaveLength(5);
  });

  const jobRunning = (text: string): [string, Obj] => {
    const found = Object.entries(jobs).find(([, j]) =>
      (obj(j, 'job').steps as Obj[]).some((s) => String(s.run ?? '').includes(text)),
    );
    if (found === undefined) throw new Error(`no job runs ${text}`);
    return [found[0], obj(found[1], found[0])];
  };

  it('fuzzes one shard per matrix entry, per target, the shard count matching the matrix, uploading each', () => {
    const [name, job] = jobRunning('kafkasim fuzz');
    const matrix = obj(obj(job.strategy, 'strategy').matrix, 'matrix');
    const shards = matrix.shard as number[];
    const targets = (matrix.target as Obj[]).map((t) => obj(t, 'target'));
    const fuzz = allSteps(name).filter((s) => typeof s.run === 'string' && s.run.includes('kafkasim fuzz'));
    expect(fuzz).toHaveLength(1);
    const run = String(fuzz[0].run);
    const m = /--shard \$\{\{ matrix\.shard \}\}\/(\d+)/.exec(run);
    expect(m, 'the fuzz step takes its shard from the matrix').not.toBeNull();
    const count = Number(m?.[1]);
    expect(shards).toEqual(Array.from({ length: count }, (_, i) => i));
    expect(run).toMatch(/--out \S*\$\{\{ matrix\.shard \}\}/);
    expect(run).toContain('${{ matrix.target.flags }}');
    // KRaft and ZooKeeper mode, the newest release (no --kafka) and older ones, each a valid flag set.
    const flags = targets.map((t) => String(t.flags));
    expect(flags.some((f) => f.includes('--metadata kraft') && !f.includes('--kafka'))).toBe(true);
    expect(flags.some((f) => f.includes('--metadata zk'))).toBe(true);
    expect(flags.filter((f) => f.includes('--kafka')).length).toBeGreaterThanOrEqual(2);
    for (const f of flags) expect(checkScript(`npx kafkasim fuzz ${f}`), f).toEqual([]);
    const upload = allSteps(name).find((s) => s.uses === 'actions/upload-artifact@v4');
    expect(upload?.if, 'shards with findings (exit 1) still upload').toBe('always()');
    const artifact = String(obj(upload?.with, 'with').name);
    expect(artifact).toContain('${{ matrix.shard }}');
    expect(artifact).toContain('${{ matrix.target.name }}');
    expect(obj(job.strategy, 'strategy')['fail-fast']).toBe(false);
  });

  it('merges the shards of every target even after findings, and publishes the reports to GitHub Pages', () => {
    const [fuzzName, fuzzJob] = jobRunning('kafkasim fuzz');
    const targetNames = (obj(obj(fuzzJob.strategy, 'strategy').matrix, 'matrix').target as Obj[]).map((t) =>
      String(t.name),
    );
    const [mergeName, mergeJob] = jobRunning('kafkasim merge');
    expect([mergeJob.needs].flat()).toContain(fuzzName);
    expect(mergeJob.if).toMatch(/always\(\)/);
    expect(obj(obj(mergeJob.strategy, 'strategy').matrix, 'matrix').target).toEqual(targetNames);
    const steps = allSteps(mergeName);
    expect(steps.some((s) => s.uses === 'actions/download-artifact@v4')).toBe(true);
    const mergeOut = /--out (\S+(?: matrix\.target \}\})?)/.exec(
      String(steps.find((s) => String(s.run ?? '').includes('kafkasim merge'))?.run),
    )?.[1];
    expect(mergeOut).toBe('site/${{ matrix.target }}');
    const [siteName, siteJob] = jobRunning('site-index.mjs');
    expect([siteJob.needs].flat()).toContain(mergeName);
    const pages = allSteps(siteName).find((s) => s.uses === 'actions/upload-pages-artifact@v3');
    expect(String(obj(pages?.with, 'with').path).replace(/\/$/, '')).toBe('site');
    const deploy = Object.values(jobs)
      .map((j) => obj(j, 'job'))
      .find((j) => (j.steps as Obj[]).some((s) => s.uses === 'actions/deploy-pages@v4'));
    expect(deploy?.permissions).toMatchObject({ pages: 'write', 'id-token': 'write' });
    expect(obj(deploy?.environment, 'environment').name).toBe('github-pages');
    expect([deploy?.needs].flat()).toContain(siteName);
  });

  it('writes the site index with a link per target directory', () => {
    const dir = mkdtempSync(join(tmpdir(), 'site-'));
    for (const t of ['zk-3.9', 'kraft-newest']) mkdirSync(join(dir, t));
    const r = spawnSync(process.execPath, [join(root, '.github/scripts/site-index.mjs'), dir], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const html = readFileSync(join(dir, 'index.html'), 'utf8');
    expect([...html.matchAll(/href="([^"]+)"/g)].map((m) => m[1])).toEqual([
      'kraft-newest/index.html',
      'zk-3.9/index.html',
    ]);
  });
});

describe('examples/kubernetes/fuzz-job.yaml', () => {
  const docs = loadYaml('examples/kubernetes/fuzz-job.yaml').map((d, i) => obj(d, `document ${i}`));
  const job = docs.find((d) => d.kind === 'Job') as Obj;
  const spec = obj(job?.spec, 'spec');
  const pod = obj(obj(spec.template, 'template').spec, 'pod spec');
  const containers = pod.containers as Obj[];

  it('is an Indexed Job', () => {
    expect(job.apiVersion).toBe('batch/v1');
    expect(spec.completionMode).toBe('Indexed');
    expect(spec.completions).toBeTypeOf('number');
    expect(spec.parallelism as number).toBeLessThanOrEqual(spec.completions as number);
    expect(['Never', 'OnFailure']).toContain(pod.restartPolicy);
    for (const d of docs)
      expect(d.apiVersion && d.kind && isObj(d.metadata), 'every document is a Kubernetes object').toBeTruthy();
  });

  it('runs `kafkasim fuzz` with its completion index as the shard, writing to a mounted volume', () => {
    expect(containers).toHaveLength(1);
    const c = containers[0];
    const argv = [...(c.command as string[]), ...((c.args as string[] | undefined) ?? [])].map(String);
    expect(argv.slice(0, 3)).toEqual(['npx', 'kafkasim', 'fuzz']);
    expect(checkCommand(argv.map((a) => a.replace(/\$\(JOB_COMPLETION_INDEX\)/g, '0')))).toEqual([]);
    expect(argv[argv.indexOf('--shard') + 1]).toBe(`$(JOB_COMPLETION_INDEX)/${spec.completions as number}`);
    const out = argv[argv.indexOf('--out') + 1];
    expect(out).toContain('$(JOB_COMPLETION_INDEX)');
    const mount = (c.volumeMounts as Obj[]).find((m) => out.startsWith(`${String(m.mountPath)}/`));
    expect(mount, 'the output directory is on a volume').toBeDefined();
    const volume = (pod.volumes as Obj[]).find((v) => v.name === mount?.name);
    const claim = obj(volume?.persistentVolumeClaim, 'persistentVolumeClaim').claimName;
    const pvc = docs.find((d) => d.kind === 'PersistentVolumeClaim' && obj(d.metadata, 'metadata').name === claim);
    expect(pvc, `the PersistentVolumeClaim ${String(claim)}`).toBeDefined();
    expect(obj(pvc?.spec, 'pvc spec').accessModes).toContain('ReadWriteMany');
  });
});
