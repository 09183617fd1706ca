// Lints a Dockerfile with dockerfile-utils (NODE_PATH must reach it): every problem its
// validator knows is an error here (a warning too). With --self-test, also checks that
// seeded problems in a copy of the file are caught. Used by lint.sh.
//   node lint.mjs [--self-test] Dockerfile
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(process.env.NODE_PATH + "/");
const { validate, ValidationSeverity } = require("dockerfile-utils");
const settings = {};
for (const key of ["deprecatedMaintainer", "directiveCasing", "emptyContinuationLine", "instructionCasing",
  "instructionCmdMultiple", "instructionEntrypointMultiple", "instructionHealthcheckMultiple",
  "instructionJSONInSingleQuotes", "instructionWorkdirRelative"]) {
  settings[key] = ValidationSeverity.ERROR;
}
const problems = (text) => validate(text, settings);

const args = process.argv.slice(2);
const file = args[args.length - 1];
const text = readFileSync(file, "utf8");
let failed = false;
for (const d of problems(text)) {
  console.log(`${file}:${d.range.start.line + 1}: ${d.message}`);
  failed = true;
}
console.log(`lint: ${problems(text).length} problems in ${file}`);
if (args.includes("--self-test")) {
  const seeds = [
    ["two entry points", text + 'ENTRYPOINT ["/bin/false"]\n'],
    ["lower-case instruction", text.replace("\nUSER ", "\nuser ")],
    ["relative WORKDIR", text.replace("WORKDIR /src", "WORKDIR src")],
    ["JSON in single quotes", text.replace('ENTRYPOINT ["/usr/local/bin/trawl-worker"]', "ENTRYPOINT ['/usr/local/bin/trawl-worker']")],
    ["unknown instruction", text + "RUNN true\n"],
    ["COPY without a destination", text.replace("COPY --from=build /build/default.tdb /opt/trawl/default.tdb", "COPY --from=build /build/default.tdb")],
  ];
  let caught = 0;
  for (const [label, seeded] of seeds) {
    if (seeded !== text && problems(seeded).length > problems(text).length) caught++;
    else console.log(`lint self-test: ${label}: not caught`);
  }
  console.log(`lint self-test: ${caught} of ${seeds.length} seeded problems caught`);
  failed = failed || caught !== seeds.length;
}
process.exit(failed ? 1 : 0);
