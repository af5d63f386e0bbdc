#!/usr/bin/env node
// Render TeX to HTML with KaTeX at build time (used by hooks/katex.py): one JSON request per input line,
// {"tex": "...", "display": true|false}, one JSON answer per output line, {"html": "..."} or {"error": "..."}.
const readline = require("node:readline");
const katex = require("katex");

const rl = readline.createInterface({ input: process.stdin, terminal: false });
rl.on("line", (line) => {
  let answer;
  try {
    const { tex, display } = JSON.parse(line);
    answer = { html: katex.renderToString(tex, { displayMode: display, throwOnError: true, strict: "ignore", output: "htmlAndMathml" }) };
  } catch (e) {
    answer = { error: String(e.message || e) };
  }
  process.stdout.write(JSON.stringify(answer) + "\n");
});
