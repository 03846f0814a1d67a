// Untrusted side of a JavaScript function test: loads the candidate and answers calls (fd 3 in,
// fd 4 out) with type-tagged builtin values, the same encoding as typed_values.py.
"use strict";
const fs = require("fs");
const Module = require("module");

const [solutionPath, name] = process.argv.slice(2);
const write = (obj) => fs.writeSync(4, JSON.stringify(obj) + "\n");

function encode(v, depth = 0) {
  if (depth > 64) throw new TypeError("value too deeply nested");
  if (v === null || v === undefined) return { t: "none" };
  switch (typeof v) {
    case "boolean": return { t: "bool", v };
    case "bigint": {  // huge ones in hex: Python refuses decimal strings of more than 4300 digits
      const hex = v.toString(16);
      return hex.length > 2500 ? { t: "int", x: hex } : { t: "int", v: v.toString() };
    }
    case "string": return { t: "str", v };
    case "number":
      if (Number.isInteger(v) && !Object.is(v, -0)) return { t: "int", v: BigInt(v).toString() };
      if (Number.isNaN(v)) return { t: "float", v: "nan" };
      if (!Number.isFinite(v)) return { t: "float", v: v > 0 ? "inf" : "-inf" };
      return { t: "float", v: String(v) };
  }
  if (Array.isArray(v)) return { t: "list", v: Array.from(v, (x) => encode(x, depth + 1)) };
  if (v instanceof Set) return { t: "set", v: Array.from(v, (x) => encode(x, depth + 1)) };
  if (v instanceof Map) return { t: "dict", v: Array.from(v, ([k, x]) => [encode(k, depth + 1), encode(x, depth + 1)]) };
  const proto = Object.getPrototypeOf(v);
  if (proto === Object.prototype || proto === null) {
    return { t: "dict", v: Object.keys(v).map((k) => [{ t: "str", v: k }, encode(v[k], depth + 1)]) };
  }
  throw new TypeError(`cannot return a ${(v.constructor && v.constructor.name) || typeof v}`);
}

function decode(n) {
  switch (n.t) {
    case "none": return null;
    case "bool": return Boolean(n.v);
    case "int": {
      const x = n.x;  // huge ints arrive in hex, maybe with a sign
      const b = x === undefined ? BigInt(n.v) : x.startsWith("-") ? -BigInt("0x" + x.slice(1)) : BigInt("0x" + x);
      return Number.isSafeInteger(Number(b)) ? Number(b) : b;
    }
    case "float": return n.v === "nan" ? NaN : n.v === "inf" ? Infinity : n.v === "-inf" ? -Infinity : Number(n.v);
    case "str": return String(n.v);
    case "list": case "tuple": return n.v.map(decode);
    case "set": case "frozenset": return new Set(n.v.map(decode));
    case "dict": return Object.fromEntries(n.v.map(([k, x]) => [decode(k), decode(x)]));
    default: throw new TypeError(`cannot pass a ${n.t} to JavaScript`);
  }
}

const failure = (e) => ({
  ok: false,
  etype: (e && e.name) || "Error",
  error: String(e && e.message !== undefined ? e.message : e).slice(0, 500),
  tb: String((e && e.stack) || "").slice(-2000),
});

function load() {
  // The shim runs in the candidate's own module scope, so `function f`, `const f` and `var f` all work.
  const shim = `\n;globalThis.__bestofn_fn = (typeof ${name} !== "undefined") ? ${name} : ` +
    `(module.exports && module.exports.${name}) || (typeof module.exports === "function" ? module.exports : undefined);`;
  const m = new Module(solutionPath, null);
  m.filename = solutionPath;
  m.paths = [];
  m._compile(fs.readFileSync(solutionPath, "utf8") + shim, solutionPath);
  const fn = globalThis.__bestofn_fn;
  if (typeof fn !== "function") throw new ReferenceError(`the solution defines no function ${name}`);
  return fn;
}

function* lines() {
  const buf = Buffer.alloc(1 << 16);
  let pending = "";
  for (;;) {
    let n;
    try { n = fs.readSync(3, buf, 0, buf.length, null); } catch (e) { if (e.code === "EAGAIN") continue; throw e; }
    if (n === 0) return;
    pending += buf.toString("utf8", 0, n);
    let i;
    while ((i = pending.indexOf("\n")) >= 0) { yield pending.slice(0, i); pending = pending.slice(i + 1); }
  }
}

async function main() {
  let fn;
  try { fn = load(); } catch (e) { write({ ready: false, ...failure(e) }); return; }
  write({ ready: true });
  for (const line of lines()) {
    const req = JSON.parse(line);
    let reply;
    try {
      let value = fn(...req.args.map(decode));
      if (value && typeof value.then === "function") value = await value;
      reply = { ok: true, value: encode(value) };
    } catch (e) {
      reply = failure(e);
    }
    write({ id: req.id, ...reply });
  }
  process.exit(0);
}

main();
