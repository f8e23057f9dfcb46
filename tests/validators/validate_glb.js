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

let decoder = null;
try {
  decoder = require("meshoptimizer").MeshoptDecoder;
} catch (e) {
  decoder = null;
}

// A glb whose EXT_meshopt_compression views are decoded (with meshoptimizer's reference
// decoder) into plain views of buffer 0, so the validator can check the data itself: it knows
// the extension's JSON but does not decode it.
function decodeMeshopt(bytes) {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const jsonLen = dv.getUint32(12, true);
  const doc = JSON.parse(new TextDecoder().decode(bytes.subarray(20, 20 + jsonLen)));
  if (!(doc.extensionsUsed || []).includes("EXT_meshopt_compression")) return null;
  const binLen = dv.getUint32(20 + jsonLen, true);
  const bin = bytes.subarray(28 + jsonLen, 28 + jsonLen + binLen);
  const parts = [bin];
  let size = bin.length;
  for (const view of doc.bufferViews) {
    const ext = view.extensions && view.extensions.EXT_meshopt_compression;
    if (!ext) continue;
    const out = new Uint8Array(ext.count * ext.byteStride);
    const src = bin.subarray(ext.byteOffset || 0, (ext.byteOffset || 0) + ext.byteLength);
    decoder.decodeGltfBuffer(out, ext.count, ext.byteStride, src, ext.mode, ext.filter);
    const pad = (8 - (size % 8)) % 8;
    if (pad) parts.push(new Uint8Array(pad));
    size += pad;
    view.buffer = 0;
    view.byteOffset = size;
    view.byteLength = out.length;
    delete view.extensions;
    parts.push(out);
    size += out.length;
  }
  const tail = (4 - (size % 4)) % 4;
  if (tail) parts.push(new Uint8Array(tail));
  size += tail;
  doc.buffers = [{ byteLength: size }];
  const drop = (list) => (list || []).filter((e) => e !== "EXT_meshopt_compression");
  doc.extensionsUsed = drop(doc.extensionsUsed);
  doc.extensionsRequired = drop(doc.extensionsRequired);
  if (!doc.extensionsRequired.length) delete doc.extensionsRequired;
  let json = new TextEncoder().encode(JSON.stringify(doc));
  const jpad = (4 - (json.length % 4)) % 4;
  const jsonChunk = new Uint8Array(json.length + jpad).fill(0x20);
  jsonChunk.set(json);
  const total = 12 + 8 + jsonChunk.length + 8 + size;
  const glb = new Uint8Array(total);
  const odv = new DataView(glb.buffer);
  odv.setUint32(0, 0x46546c67, true);
  odv.setUint32(4, 2, true);
  odv.setUint32(8, total, true);
  odv.setUint32(12, jsonChunk.length, true);
  odv.setUint32(16, 0x4e4f534a, true);
  glb.set(jsonChunk, 20);
  odv.setUint32(20 + jsonChunk.length, size, true);
  odv.setUint32(24 + jsonChunk.length, 0x004e4942, true);
  let at = 28 + jsonChunk.length;
  for (const p of parts) {
    glb.set(p, at);
    at += p.length;
  }
  return glb;
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
  const summary = { files: files.length, errors: 0, warnings: 0, decoded: 0, reports: [] };
  if (decoder) await decoder.ready;
  const jobs = [];
  for (const file of files) {
    const bytes = new Uint8Array(fs.readFileSync(file));
    jobs.push([file, bytes]);
    const plain = decodeMeshopt(bytes);
    if (plain) {
      if (!decoder) throw new Error("meshoptimizer is not installed: run `npm ci`");
      jobs.push([file + " (meshopt decoded)", plain]);
      summary.decoded += 1;
    }
  }
  for (const [file, bytes] of jobs) {
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
