// deploy/Dockerfile's key properties, read statically (Debian has no hadolint; test/container/image.test.ts
// builds and runs it for real where podman runs): multi-stage on Node 24 LTS, a runtime stage without dev
// dependencies, running as a non-root user, `lt-agent` as entry point with `ltctl` on PATH, a HEALTHCHECK on
// /healthz; .dockerignore keeps the context to what the Dockerfile copies.
import assert from "node:assert/strict";
import { accessSync, constants, existsSync, readFileSync } from "node:fs";
import { test } from "node:test";

interface Instruction {
  op: string;
  args: string;
  line: number;
}
interface Stage {
  name: string;
  from: string;
  body: Instruction[];
}

/** Instructions with continuation lines joined and comments dropped. */
function instructions(text: string): Instruction[] {
  const out: Instruction[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const start = i + 1;
    let line = lines[i]!;
    if (/^\s*(#|$)/.test(line)) continue;
    while (/\\\s*$/.test(line) && i + 1 < lines.length) {
      line = line.replace(/\\\s*$/, " ") + lines[++i]!.trim();
    }
    const m = /^\s*([A-Za-z]+)\s+(.*)$/.exec(line);
    assert.ok(m, `line ${start} is an instruction: ${line}`);
    out.push({ op: m[1]!.toUpperCase(), args: m[2]!.trim(), line: start });
  }
  return out;
}

function parse(text: string): { args: Map<string, string>; stages: Stage[] } {
  const args = new Map<string, string>();
  const stages: Stage[] = [];
  for (const ins of instructions(text)) {
    if (ins.op === "ARG" && stages.length === 0) {
      const [k, v = ""] = ins.args.split("=");
      args.set(k!, v);
    } else if (ins.op === "FROM") {
      const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(ins.args);
      assert.ok(m, `FROM ${ins.args}`);
      const from = m[1]!.replace(/\$\{?(\w+)\}?/g, (_, k: string) => args.get(k) ?? "");
      stages.push({ name: m[2] ?? String(stages.length), from, body: [] });
    } else {
      assert.ok(stages.length > 0, `${ins.op} before FROM`);
      stages.at(-1)!.body.push(ins);
    }
  }
  return { args, stages };
}

const dockerfile = parse(readFileSync("deploy/Dockerfile", "utf8"));
const stages = dockerfile.stages;
const final = stages.at(-1)!;
const inFinal = (op: string) => final.body.filter((i) => i.op === op);
const stageNamed = (name: string) => stages.find((s) => s.name === name);

/** `COPY --from=x src... dest` as {from, sources, dest}. */
function copies(stage: Stage) {
  return stage.body
    .filter((i) => i.op === "COPY")
    .map((i) => {
      const words = i.args.split(/\s+/);
      const flags = words.filter((w) => w.startsWith("--"));
      const rest = words.filter((w) => !w.startsWith("--"));
      const from = flags.find((f) => f.startsWith("--from="))?.slice("--from=".length);
      return { from, sources: rest.slice(0, -1), dest: rest.at(-1)! };
    });
}

test("deploy-dockerfile - it is multi-stage and every stage starts from a Node 24 (the supported LTS) slim or alpine image", () => {
  assert.ok(stages.length >= 2, `${stages.length} stages`);
  for (const s of stages)
    assert.match(s.from, /^node:24([.-][\w.-]*)?-?(slim|alpine)/, `stage ${s.name}: ${s.from}`);
  assert.equal(new Set(stages.map((s) => s.name)).size, stages.length, "stage names are distinct");
});

test("deploy-dockerfile - the build stage compiles with all dependencies; the runtime gets none of the dev ones", () => {
  const runs = (s: Stage) => s.body.filter((i) => i.op === "RUN").map((i) => i.args);
  const build = stages.find((s) => runs(s).some((r) => /npm run build/.test(r)));
  assert.ok(build, "a stage runs npm run build");
  assert.notEqual(build, final, "the build does not happen in the final stage");
  for (const r of runs(final))
    assert.doesNotMatch(r, /npm (ci|install)/, "no npm install in the final stage");
  const finalCopies = copies(final);
  const modules = finalCopies.find((c) => c.sources.some((s) => /node_modules/.test(s)));
  assert.ok(modules?.from, "node_modules are copied from another stage");
  const depsStage = stageNamed(modules.from!);
  assert.ok(depsStage, `stage ${modules.from} exists`);
  const install = runs(depsStage).find((r) => /npm ci/.test(r));
  assert.ok(install, `stage ${depsStage.name} runs npm ci`);
  assert.match(install, /--omit=dev/, "runtime node_modules come from npm ci --omit=dev");
  // The offline build mounts an npm cache at /root/.npm; a cache clean there would empty the mounted cache.
  for (const s of stages)
    for (const r of runs(s))
      assert.doesNotMatch(r, /npm cache clean/, `stage ${s.name} cleans the npm cache`);
  const dist = finalCopies.find((c) => c.sources.some((s) => /dist/.test(s)));
  assert.equal(dist?.from, build.name, "dist/ comes from the build stage");
  assert.ok(
    !finalCopies.some((c) => !c.from && c.sources.some((s) => /^(\.|src|test)\/?$/.test(s))),
    "no sources",
  );
});

test("deploy-dockerfile - the final stage runs as a non-root user", () => {
  const users = inFinal("USER");
  assert.ok(users.length > 0, "USER in the final stage");
  const user = users.at(-1)!.args.split(":")[0]!;
  assert.notEqual(user, "root");
  assert.notEqual(user, "0");
  const entry = inFinal("ENTRYPOINT")[0]!;
  assert.ok(users.at(-1)!.line < entry.line, "USER comes before ENTRYPOINT");
});

test("deploy-dockerfile - lt-agent is the entry point, ltctl is on PATH, port 9481 is exposed", () => {
  const entry = inFinal("ENTRYPOINT");
  assert.equal(entry.length, 1);
  const argv = JSON.parse(entry[0]!.args) as string[];
  assert.match(argv[0]!, /(^|\/)lt-agent$/, "exec-form ENTRYPOINT lt-agent");
  const env = inFinal("ENV")
    .map((i) => i.args)
    .join(" ");
  const path = /PATH=(\S+)/.exec(env)?.[1] ?? "";
  assert.ok(path.split(":").includes("/app/bin"), `PATH has /app/bin: ${path}`);
  assert.ok(argv[0] === "lt-agent" || argv[0] === "/app/bin/lt-agent");
  const workdir = inFinal("WORKDIR").at(-1)?.args;
  assert.equal(workdir, "/app");
  const bin = copies(final).find((c) => c.sources.includes("bin"));
  assert.ok(bin && !bin.from && /^(\.\/bin|\/app\/bin)\/?$/.test(bin.dest), "bin/ is copied to /app/bin");
  for (const b of ["bin/lt-agent", "bin/ltctl"]) accessSync(b, constants.X_OK);
  assert.ok(inFinal("EXPOSE").some((i) => i.args.split(/\s+/).includes("9481")));
});

test("deploy-dockerfile - the HEALTHCHECK asks /healthz with node alone (no curl or wget in the image)", () => {
  const hc = inFinal("HEALTHCHECK");
  assert.equal(hc.length, 1);
  const cmd = hc[0]!.args;
  assert.match(cmd, /--interval=\d+s/);
  assert.match(cmd, /CMD \["node", "-e", /);
  assert.match(cmd, /\/healthz/);
  assert.doesNotMatch(cmd, /curl|wget/);
  const script = (JSON.parse(cmd.slice(cmd.indexOf("["))) as string[])[2]!;
  assert.doesNotThrow(() => new Function(script), "the -e script parses");
  assert.match(script, /LT_HTTP_PORT\|\|9481/);
});

test("deploy-dockerfile - .dockerignore admits only what the Dockerfile copies, and every copied path exists", () => {
  const patterns = readFileSync(".dockerignore", "utf8")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"));
  assert.equal(patterns[0], "*", "everything is excluded first");
  const admitted = patterns.filter((p) => p.startsWith("!")).map((p) => p.slice(1).replace(/\/$/, ""));
  const copied = new Set(
    stages.flatMap((s) =>
      copies(s)
        .filter((c) => !c.from)
        .flatMap((c) => c.sources),
    ),
  );
  for (const src of copied) {
    assert.ok(admitted.includes(src.replace(/\/$/, "")), `${src} is admitted by .dockerignore`);
    assert.ok(existsSync(src), `${src} exists`);
  }
  for (const never of ["node_modules", "dist", ".git", "test", "deploy", "test-results"]) {
    assert.ok(!admitted.includes(never), `${never} stays out of the build context`);
  }
});
