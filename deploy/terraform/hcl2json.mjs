// Prints the parsed HCL of every .tf file given as one JSON object {file: parsed}, using
// @cdktf/hcl2json (NODE_PATH must reach it). Used by check.sh.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(process.env.NODE_PATH + "/");
const { parse } = require("@cdktf/hcl2json");
const out = {};
for (const file of process.argv.slice(2)) {
  out[file] = await parse(file, readFileSync(file, "utf8"));
}
process.stdout.write(JSON.stringify(out));
