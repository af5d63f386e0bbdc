#!/usr/bin/env node
// Drop the CSS rules a page cannot use (used by hooks/notebooks.py for nbconvert's ~575 KB notebook stylesheet).
// stdin: {"css": "...", "html": "..."}; stdout: the rules whose selectors can match the page, with PurgeCSS's
// default extractor (every word-like token of the page counts as a possible class, id, tag or attribute).
const { PurgeCSS } = require("purgecss");

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", async () => {
  const { css, html } = JSON.parse(input);
  const [result] = await new PurgeCSS().purge({
    content: [{ raw: html, extension: "html" }],
    css: [{ raw: css }],
    keyframes: false,
    fontFace: false,
    variables: true,
  });
  process.stdout.write(result.css);
});
