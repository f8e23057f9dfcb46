#!/usr/bin/env node
// Validate every .glb under the given files or folders with the Khronos glTF validator.
// Prints one JSON object: {"files": N, "errors": N, "warnings": N, "reports": [...]}.
// Exit code: 0 when every file has 0 errors, 1 otherwise, 2 on bad usage.
"use strict";
const fs = require("fs");
const path = require("path");

let validator;
try {
  validator = require("gltf-validator");
} catch (e) {
  console.error("gltf-validator is not installed: run `npm ci` in tests/validators");
  process.exit(2);
}

function collect(p, out) {
  const st = fs.statSync(p);
  if (st.isDirectory()) {
    for (const name of fs.readdirSync(p).sort()) collect(path.join(p, name), out);
  } else if (p.endsWith(".glb")) {
    out.push(p);
  }
}

async function main() {
  const args = process.argv.slice(2);
  if (args.length === 0) {
    console.error("usage: node validate_glb.js FILE_OR_DIR...");
    process.exit(2);
  }
  const files = [];
  for (const a of args) collect(a, files);
  const summary = { files: files.length, errors: 0, warnings: 0, reports: [] };
  for (const file of files) {
    const bytes = new Uint8Array(fs.readFileSync(file));
    const report = await validator.validateBytes(bytes, { uri: file, maxIssues: 50 });
    const issues = report.issues;
    summary.errors += issues.numErrors;
    summary.warnings += issues.numWarnings;
    summary.infos = (summary.infos || 0) + issues.numInfos;
    if (issues.numErrors > 0 || issues.numWarnings > 0) {
      summary.reports.push({
        file,
        errors: issues.numErrors,
        warnings: issues.numWarnings,
        infos: issues.numInfos,
        messages: issues.messages.filter((m) => m.severity <= 1).slice(0, 20),
      });
    }
  }
  // set the exit code and let node flush stdout to the pipe before it exits
  process.stdout.write(JSON.stringify(summary, null, 1) + "\n");
  process.exitCode = summary.errors === 0 && files.length > 0 ? 0 : 1;
}

main().catch((e) => {
  console.error(String(e));
  process.exit(2);
});
